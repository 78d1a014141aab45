#include "schema/capture.h"

namespace sqlflow::schema {

std::optional<Schema> CaptureSource(engine::Connection& connection, const connectors::Connector& connector,
                                    const nlohmann::json& params, const std::string& query) {
  if (!connector.streams()) return Schema{engine::DescribeQuery(connection, query)};
  auto columns = connector.DescribeSource(params);
  if (!columns) return std::nullopt;
  return Schema{std::move(*columns)};
}

Schema CaptureTable(engine::Connection& connection, const std::string& table) {
  return Schema{engine::DescribeQuery(connection, "SELECT * FROM " + table)};
}

}  // namespace sqlflow::schema
