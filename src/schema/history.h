#pragma once
// Schema snapshots in the project's state store: recording a shape when it changed, and reading
// one back.

#include <cstdint>
#include <string>

#include "schema/schema.h"
#include "state/store.h"

namespace sqlflow::schema {

// Records `current` as a snapshot of `source` unless it is already the source's latest shape, with
// the diff against that latest one; returns the id of the snapshot that holds `current`.
int64_t RecordSnapshot(state::Store& store, const std::string& pipeline, const std::string& source,
                       const Schema& current, const std::string& run_id, const std::string& origin);

// The schema a snapshot holds.
Schema SnapshotSchema(const state::SchemaSnapshot& snapshot);

}  // namespace sqlflow::schema
