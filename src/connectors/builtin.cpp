#include "connectors/builtin.h"

#include "connectors/files.h"
#include "connectors/postgres/postgres.h"
#include "connectors/s3/s3.h"

namespace sqlflow::connectors {

void RegisterBuiltins(std::vector<std::unique_ptr<Connector>>& connectors,
                      std::vector<std::unique_ptr<FileDestination>>& destinations) {
  connectors.push_back(MakeCsvConnector());
  connectors.push_back(MakeParquetConnector());
  connectors.push_back(MakeJsonConnector());
  connectors.push_back(MakePostgresConnector());
  connectors.push_back(MakeS3Connector());
  // Claimed in order: s3:// first, then local paths (no scheme, or file://).
  destinations.push_back(MakeS3Destination());
  destinations.push_back(MakeLocalDestination());
}

}  // namespace sqlflow::connectors
