#include "run/schema_guard.h"

#include <fmt/format.h>

#include "run/step_runner.h"
#include "schema/history.h"

namespace sqlflow::run {

SchemaGuard::SchemaGuard(state::Store* store, std::string pipeline, std::string run_id,
                         std::string default_policy)
    : store_(store),
      pipeline_(std::move(pipeline)),
      run_id_(std::move(run_id)),
      default_policy_(std::move(default_policy)) {}

schema::Policy SchemaGuard::PolicyOf(const std::string& source_policy) const {
  return schema::ParsePolicy(source_policy.empty() ? default_policy_ : source_policy)
      .value_or(schema::Policy::kFail);
}

bool SchemaGuard::Checks(const std::string& source_policy) const {
  return store_ && PolicyOf(source_policy) != schema::Policy::kIgnore;
}

SchemaGuard::Verdict SchemaGuard::Check(const plan::Step& step, const std::string& source_policy,
                                        const std::vector<engine::Column>& columns, StepOutcome& outcome) {
  Verdict verdict;
  if (!Checks(source_policy)) return verdict;
  schema::Policy policy = PolicyOf(source_policy);
  schema::Schema current{columns};
  std::lock_guard lock(mutex_);
  const std::string& name = step.load_source;
  int64_t snapshot = schema::RecordSnapshot(*store_, pipeline_, name, current, run_id_, "run");
  auto accepted = store_->AcceptedSchema(pipeline_, name);
  if (!accepted) {
    verdict.accept_snapshot = snapshot;  // the first run records the baseline
    return verdict;
  }
  if (accepted->fingerprint == current.Fingerprint()) return verdict;
  schema::Diff diff = schema::Compare(schema::SnapshotSchema(*accepted), current);
  if (diff.verdict == schema::Verdict::kIdentical) return verdict;
  std::string changes;
  for (const auto& change : diff.changes) changes += "\n  - " + change.Describe();
  std::string shown_policy = schema::PolicyName(policy);
  if (diff.verdict == schema::Verdict::kBreaking &&
      (policy == schema::Policy::kFail || policy == schema::Policy::kEvolve)) {
    throw StepError(
        "SF-RUN-009",
        fmt::format("source '{}' changed its schema in a breaking way (on_schema_change: {}); table "
                    "{} was not touched:{}\n  = hint: see it with `sqlflow schema compare {} "
                    "--pipeline {}`; make it the accepted schema with `sqlflow schema accept {} "
                    "--pipeline {}`, or set PARAMS {{\"on_schema_change\": \"warn\"}}",
                    name, shown_policy, step.target, changes, name, pipeline_, name, pipeline_));
  }
  verdict.evolve = policy == schema::Policy::kEvolve;
  if (verdict.evolve) verdict.accept_snapshot = snapshot;
  outcome.warnings.push_back(
      fmt::format("SF-SCHEMA-001: source '{}' changed its schema ({}, on_schema_change: {}{}):{}", name,
                  schema::VerdictName(diff.verdict), shown_policy,
                  verdict.evolve ? "; now the accepted schema" : "", changes));
  return verdict;
}

void SchemaGuard::Accept(int64_t snapshot) {
  if (snapshot == 0 || !store_) return;
  std::lock_guard lock(mutex_);
  store_->AcceptSchemaSnapshot(snapshot);
}

}  // namespace sqlflow::run
