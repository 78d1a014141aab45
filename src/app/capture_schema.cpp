#include "app/capture_schema.h"

#include <fmt/format.h>

#include "app/pipeline.h"
#include "run/sources.h"
#include "util/strings.h"

namespace sqlflow::app {

schema::Schema CaptureSourceSchema(const Context& context, const std::string& pipeline,
                                   const std::string& source) {
  plan::Plan plan = PlanForCommand(context, pipeline);
  std::vector<std::string> names;
  const plan::Step* found = nullptr;
  for (const auto& step : plan.steps) {
    if (step.kind != plan::Step::Kind::kSource) continue;
    names.push_back(step.source_name);
    if (util::EqualsIgnoreCase(step.source_name, source)) found = &step;
  }
  if (!found) {
    std::string hint = util::DidYouMean(source, names);
    throw common::UsageError(
        "SF-SCHEMA-001", fmt::format("pipeline {} has no SOURCE '{}'", pipeline, source),
        hint.empty() ? (names.empty() ? "it defines no sources" : "its sources: " + util::Join(names, ", "))
                     : hint);
  }
  if (!connectors::FindConnector(found->connector_type))
    throw common::UsageError("SF-SCHEMA-001", "unknown connector type " + found->connector_type);
  run::SourceDefinition definition = run::DefineSource(*found, context.root.string());
  if (definition.connector->query_source()) {
    engine::Database database = engine::Database::Open({});
    engine::Connection connection(database);
    return schema::Schema{engine::DescribeQuery(connection, definition.query)};
  }
  auto columns = definition.connector->ingest_source()->DescribeSource(definition.params);
  if (!columns) {
    throw common::UsageError("SF-SCHEMA-004",
                             fmt::format("connector {} cannot describe source '{}' without loading it",
                                         definition.connector->type(), source),
                             "its schema is captured when the pipeline runs");
  }
  return schema::Schema{std::move(*columns)};
}

}  // namespace sqlflow::app
