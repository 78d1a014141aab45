// `sqlflow schema show|history|compare|accept SOURCE`: the recorded schemas of a pipeline's
// sources (docs/schema_management.md).

#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "app/capture_schema.h"
#include "cli/commands.h"
#include "connectors/registry.h"
#include "schema/history.h"
#include "state/store.h"
#include "util/strings.h"

namespace sqlflow::cli {

namespace {

// The pipeline whose source is meant: --pipeline, else the one pipeline that recorded the
// source, else the project's only pipeline.
std::string ResolveSchemaPipeline(const Context& context, const SchemaOptions& schema) {
  if (!schema.pipeline.empty()) return ResolvePipeline(context, schema.pipeline).stem().string();
  std::vector<std::string> recorded;
  if (state::Store::Exists(context.root))
    recorded = state::Store(context.root).PipelinesWithSchema(schema.source);
  if (recorded.size() == 1) return recorded.front();
  if (recorded.size() > 1) {
    throw common::UsageError("SF-SCHEMA-002",
                             fmt::format("source '{}' has schemas in several pipelines: {}", schema.source,
                                         util::Join(recorded, ", ")),
                             "name one with --pipeline NAME");
  }
  std::vector<std::string> pipelines = ListPipelines(context);
  if (pipelines.size() == 1) return pipelines.front();
  throw common::UsageError("SF-SCHEMA-002", fmt::format("no schema recorded for source '{}'", schema.source),
                           "run the pipeline first, or name it with --pipeline NAME");
}

state::Store OpenStore(const Context& context, const std::string& pipeline, const std::string& source) {
  if (!state::Store::Exists(context.root)) {
    throw common::UsageError(
        "SF-SCHEMA-003", fmt::format("no schema recorded for source '{}' of pipeline {}", source, pipeline),
        fmt::format("run it first: sqlflow pipeline run {}", pipeline));
  }
  return state::Store(context.root);
}

state::SchemaSnapshot RequireAccepted(state::Store& store, const std::string& pipeline,
                                      const std::string& source) {
  auto accepted = store.AcceptedSchema(pipeline, source);
  if (!accepted) {
    throw common::UsageError(
        "SF-SCHEMA-003", fmt::format("no accepted schema for source '{}' of pipeline {}", source, pipeline),
        fmt::format("run the pipeline (its first run records the baseline) or `sqlflow schema accept {} "
                    "--pipeline {}`",
                    source, pipeline));
  }
  return *accepted;
}

nlohmann::json SnapshotJson(const state::SchemaSnapshot& snapshot) {
  nlohmann::json json = schema::SnapshotSchema(snapshot).ToJson();
  json["id"] = snapshot.id;
  json["pipeline"] = snapshot.pipeline;
  json["source"] = snapshot.source;
  json["run_id"] = snapshot.run_id;
  json["captured_at"] = snapshot.captured_at;
  json["origin"] = snapshot.origin;
  json["accepted"] = snapshot.accepted;
  json["verdict"] = snapshot.verdict;
  json["diff"] = snapshot.diff_json.empty() ? nlohmann::json() : nlohmann::json::parse(snapshot.diff_json);
  return json;
}

void PrintColumns(const schema::Schema& shape) {
  size_t width = 6;
  for (const auto& column : shape.columns) width = std::max(width, column.name.size());
  fmt::print("  {:>3}  {:<{}}  {:<24} {}\n", "#", "column", width, "type", "nullable");
  for (size_t i = 0; i < shape.columns.size(); ++i) {
    const auto& column = shape.columns[i];
    fmt::print("  {:>3}  {:<{}}  {:<24} {}\n", i + 1, column.name, width, column.type,
               column.nullable ? "yes" : "no");
  }
}

std::string RecordedBy(const state::SchemaSnapshot& snapshot) {
  return snapshot.run_id.empty() ? "schema accept" : "run " + snapshot.run_id;
}

}  // namespace

int SchemaShowCommand(const SchemaOptions& options, const GlobalOptions& global) {
  Context context = LoadContext(global);
  std::string pipeline = ResolveSchemaPipeline(context, options);
  state::Store store = OpenStore(context, pipeline, options.source);
  state::SchemaSnapshot accepted = RequireAccepted(store, pipeline, options.source);
  if (global.json) {
    fmt::print("{}\n", SnapshotJson(accepted).dump(2));
    return 0;
  }
  schema::Schema shape = schema::SnapshotSchema(accepted);
  fmt::print("Source {} (pipeline {}): accepted schema {}, {} column{}, recorded {} UTC by {}\n",
             options.source, pipeline, accepted.fingerprint, shape.columns.size(),
             shape.columns.size() == 1 ? "" : "s", FormatTime(accepted.captured_at), RecordedBy(accepted));
  PrintColumns(shape);
  return 0;
}

int SchemaHistoryCommand(const SchemaOptions& options, const GlobalOptions& global) {
  Context context = LoadContext(global);
  std::string pipeline = ResolveSchemaPipeline(context, options);
  state::Store store = OpenStore(context, pipeline, options.source);
  std::vector<state::SchemaSnapshot> history = store.SchemaHistory(pipeline, options.source);
  if (global.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& snapshot : history) list.push_back(SnapshotJson(snapshot));
    fmt::print("{}\n", list.dump(2));
    return 0;
  }
  if (history.empty()) {
    fmt::print("No schema recorded for source {} of pipeline {}\n", options.source, pipeline);
    return 0;
  }
  fmt::print("Schema history of source {} (pipeline {}), newest first:\n", options.source, pipeline);
  for (const auto& snapshot : history) {
    fmt::print("\n  #{} {} UTC  {}  {}{}  ({})\n", snapshot.id, FormatTime(snapshot.captured_at),
               snapshot.fingerprint, snapshot.verdict, snapshot.accepted ? "  ACCEPTED" : "",
               RecordedBy(snapshot));
    if (snapshot.diff_json.empty()) {
      std::vector<std::string> columns;
      for (const auto& column : schema::SnapshotSchema(snapshot).columns)
        columns.push_back(column.name + " " + column.type);
      fmt::print("      baseline: {}\n", util::Join(columns, ", "));
      continue;
    }
    nlohmann::json diff = nlohmann::json::parse(snapshot.diff_json);
    for (const auto& change : diff["changes"])
      fmt::print("      - {}\n", change["description"].get<std::string>());
  }
  return 0;
}

int SchemaCompareCommand(const SchemaOptions& options, const GlobalOptions& global) {
  Context context = LoadContext(global);
  std::string pipeline = ResolveSchemaPipeline(context, options);
  // First: an unknown SOURCE is the clearer error.
  schema::Schema current = app::CaptureSourceSchema(context, pipeline, options.source);
  schema::Schema reference;
  std::string against = options.against.empty() ? "accepted" : options.against;
  std::error_code error;
  if (!options.against.empty() && fs::is_regular_file(options.against, error)) {
    std::ifstream in(options.against);
    nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
    try {
      if (json.is_discarded()) throw std::invalid_argument("not valid JSON");
      reference = schema::Schema::FromJson(json);
    } catch (const std::invalid_argument& invalid) {
      throw common::UsageError("SF-SCHEMA-005",
                               fmt::format("cannot read schema file {}: {}", options.against, invalid.what()),
                               "write one with `sqlflow schema show SOURCE --json`");
    }
    against = "file " + options.against;
  } else {
    state::Store store = OpenStore(context, pipeline, options.source);
    if (options.against.empty()) {
      reference = schema::SnapshotSchema(RequireAccepted(store, pipeline, options.source));
    } else {
      auto snapshot = store.SchemaSnapshotAtRun(pipeline, options.source, options.against);
      if (!snapshot) {
        throw common::UsageError(
            "SF-SCHEMA-005",
            fmt::format("'{}' is neither a schema file nor a run with a schema of source '{}'",
                        options.against, options.source),
            "give a run id from `sqlflow runs` or a file from `sqlflow schema show SOURCE --json`");
      }
      reference = schema::SnapshotSchema(*snapshot);
      against = "run " + options.against;
    }
  }
  schema::Diff diff = schema::Compare(reference, current);
  int code = diff.verdict == schema::Verdict::kBreaking ? 1 : 0;
  if (global.json) {
    nlohmann::json json = diff.ToJson();
    json["pipeline"] = pipeline;
    json["source"] = options.source;
    json["against"] = against;
    json["current"] = current.ToJson();
    fmt::print("{}\n", json.dump(2));
    return code;
  }
  fmt::print("Source {} (pipeline {}): {} against the {} schema ({} -> {})\n", options.source, pipeline,
             schema::VerdictName(diff.verdict), against, diff.accepted_fingerprint, diff.current_fingerprint);
  for (const auto& change : diff.changes) fmt::print("  - {}\n", change.Describe());
  return code;
}

int SchemaAcceptCommand(const SchemaOptions& options, const GlobalOptions& global) {
  Context context = LoadContext(global);
  std::string pipeline = ResolveSchemaPipeline(context, options);
  schema::Schema current = app::CaptureSourceSchema(context, pipeline, options.source);
  state::Store store(context.root);
  auto previous = store.AcceptedSchema(pipeline, options.source);
  int64_t id = schema::RecordSnapshot(store, pipeline, util::ToLower(options.source), current, "", "accept");
  store.AcceptSchemaSnapshot(id);
  std::optional<schema::Diff> diff;
  if (previous) diff = schema::Compare(schema::SnapshotSchema(*previous), current);
  if (global.json) {
    nlohmann::json json = {
        {"pipeline", pipeline},
        {"source", options.source},
        {"snapshot_id", id},
        {"fingerprint", current.Fingerprint()},
        {"previous_fingerprint", previous ? nlohmann::json(previous->fingerprint) : nullptr},
        {"diff", diff ? diff->ToJson() : nlohmann::json()},
        {"schema", current.ToJson()}};
    fmt::print("{}\n", json.dump(2));
    return 0;
  }
  fmt::print("Accepted the current schema of source {} (pipeline {}): {} ({})\n", options.source, pipeline,
             current.Fingerprint(), diff ? diff->Summary() : "first schema");
  if (diff) {
    for (const auto& change : diff->changes) fmt::print("  - {}\n", change.Describe());
  }
  return 0;
}

}  // namespace sqlflow::cli
