#include "schema/history.h"

namespace sqlflow::schema {

int64_t RecordSnapshot(state::Store& store, const std::string& pipeline, const std::string& source,
                       const Schema& current, const std::string& run_id, const std::string& origin) {
  std::string fingerprint = current.Fingerprint();
  auto latest = store.LatestSchemaSnapshot(pipeline, source);
  if (latest && latest->fingerprint == fingerprint) return latest->id;
  state::SchemaSnapshot snapshot;
  snapshot.pipeline = pipeline;
  snapshot.source = source;
  snapshot.run_id = run_id;
  snapshot.fingerprint = fingerprint;
  snapshot.schema_json = current.ToJson().dump();
  snapshot.origin = origin;
  snapshot.verdict = "baseline";
  if (latest) {
    Diff diff = Compare(SnapshotSchema(*latest), current);
    snapshot.diff_json = diff.ToJson().dump();
    snapshot.verdict = VerdictName(diff.verdict);
  }
  return store.SaveSchemaSnapshot(snapshot);
}

Schema SnapshotSchema(const state::SchemaSnapshot& snapshot) {
  return Schema::FromJson(nlohmann::json::parse(snapshot.schema_json));
}

}  // namespace sqlflow::schema
