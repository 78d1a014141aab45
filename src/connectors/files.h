#pragma once
// File connectors read by DuckDB's own readers and written by DuckDB's COPY: CSV, Parquet, JSON.

#include <memory>

#include "connectors/connector.h"

namespace sqlflow::connectors {

std::unique_ptr<Connector> MakeCsvConnector();
std::unique_ptr<Connector> MakeParquetConnector();
std::unique_ptr<Connector> MakeJsonConnector();
// Local paths (no scheme, or file://): written under a temporary name beside the target, renamed
// into place.
std::unique_ptr<FileDestination> MakeLocalDestination();

// An absolute path for `path` (relative ones resolve against `root`); URIs are kept.
std::string ResolvePath(const std::string& path, const std::string& root);

}  // namespace sqlflow::connectors
