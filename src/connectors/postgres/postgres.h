#pragma once
// PostgreSQL as a SOURCE (COPY ... TO STDOUT in binary, straight into DuckDB data chunks) and as
// an EXPORT destination (COPY ... FROM STDIN in one transaction, with the load modes).

#include <memory>

#include "connectors/registry.h"

namespace sqlflow::connectors {

std::unique_ptr<Connector> MakePostgresConnector();

}  // namespace sqlflow::connectors
