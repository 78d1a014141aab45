#pragma once
// A table an ingesting source fills before the target changes. Named uniquely per run
// (__sqlflow_staging_<run>_<n>), created by the connector with CREATE OR REPLACE, and dropped on
// every path out of the step. A run that was killed cannot drop its own: the next run on the same
// database drops what is left (DropStale), since DuckDB lets one process write a database file.

#include <string>

#include "connectors/connector.h"
#include "engine/duckdb.h"

namespace sqlflow::run {

class StagingTable {
 public:
  // `beside_target`: in the target's catalog and schema, so that a REPLACE can rename it to the
  // target (no second copy of the rows); otherwise a temporary table.
  StagingTable(engine::Connection& connection, const std::string& run_id, const std::string& target,
               bool beside_target);
  StagingTable(const StagingTable&) = delete;
  StagingTable& operator=(const StagingTable&) = delete;
  ~StagingTable();

  connectors::IngestTarget& target() { return target_; }
  std::string Qualified() const { return target_.Qualified(); }

  // Drops the staging tables that runs killed on this database left behind; returns how many.
  static int DropStale(engine::Connection& connection);

 private:
  engine::Connection& connection_;
  connectors::IngestTarget target_;
};

}  // namespace sqlflow::run
