#pragma once
// Which steps' transactions committed, written by each LOAD and CREATE TABLE inside its own
// transaction (table __sqlflow.commits of a persistent database), so that this record and the rows
// can never disagree: a run killed right after a commit has the step RUNNING in the state store,
// and `--resume` asks the ledger before it writes the rows a second time.

#include <set>
#include <string>

#include "engine/duckdb.h"

namespace sqlflow::run {

class CommitLedger {
 public:
  // Creates the ledger when missing (outside any transaction: once per run, before the steps).
  static void Prepare(engine::Connection& connection);
  // Inside the step's open transaction, after its write: the step of `run_id` commits with it.
  // Nothing is written when `target` is in another attached database (a DuckDB transaction writes
  // one database); such a step is not in the ledger.
  static void Record(engine::Connection& connection, const std::string& target, const std::string& pipeline,
                     const std::string& run_id, const std::string& step_id);
  // The steps of run `run_id` that committed; empty without a ledger.
  static std::set<std::string> Committed(engine::Connection& connection, const std::string& run_id);
  // Forgets the pipeline's entries of every run but `keep_run_id` (the one `--resume` may still ask
  // about).
  static void Forget(engine::Connection& connection, const std::string& pipeline,
                     const std::string& keep_run_id);
};

}  // namespace sqlflow::run
