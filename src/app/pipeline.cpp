#include "app/pipeline.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "app/interrupt.h"
#include "common/warnings.h"
#include "lang/lexer.h"
#include "run/commit_ledger.h"
#include "run/run_recorder.h"
#include "udf/loader.h"
#include "util/strings.h"

namespace sqlflow::app {

namespace fs = std::filesystem;

OpenDatabase OpenForPlanning(const Context& context) {
  OpenDatabase open;
  engine::DatabaseOptions options = DatabaseOptionsFor(context.profile);
  if (options.path.empty() || !fs::exists(options.path)) {
    // An in-memory database still answers for DuckDB's own catalogs (information_schema, ...).
    options = engine::DatabaseOptions{};
  } else {
    options.read_only = true;
  }
  open.database.emplace(engine::Database::Open(options));
  open.connection.emplace(*open.database);
  return open;
}

OpenDatabase OpenForRun(const Context& context) {
  OpenDatabase open;
  engine::DatabaseOptions options = DatabaseOptionsFor(context.profile);
  if (!options.path.empty()) fs::create_directories(options.path.parent_path());
  open.database.emplace(engine::Database::Open(options));
  open.connection.emplace(*open.database);
  return open;
}

namespace {

// Whether a plan's SQL calls a function named like one of `names`.
bool CallsAnyOf(const plan::Plan& plan, const std::set<std::string>& names) {
  for (const auto& step : plan.steps) {
    auto file = std::make_shared<const common::SourceFile>("", step.sql);
    std::vector<lang::Token> tokens = lang::Tokenize(file).tokens;
    for (size_t i = 0; i + 1 < tokens.size(); ++i) {
      if (tokens[i].kind == lang::Token::Kind::kWord && tokens[i + 1].IsPunct("(") &&
          names.count(util::ToLower(tokens[i].text)) > 0) {
        return true;
      }
    }
  }
  return false;
}

void WarnImportFailures(const PythonUdfs& python) {
  // A broken UDF file is reported even when this pipeline does not call into it.
  for (const auto& failure : python.catalog.failures()) {
    std::string last_line = failure.error.substr(failure.error.rfind('\n', failure.error.size() - 2) + 1);
    common::Warn("SF-UDF-005", fmt::format("{} failed to import: {}", failure.file, util::Trim(last_line)));
  }
}

nlohmann::json VariablesJson(const plan::Plan& plan) {
  return plan::PlanToJson(plan)["variables"];
}

}  // namespace

plan::Plan PlanPipeline(const Context& context, const std::string& name, engine::Connection* connection,
                        std::optional<PythonUdfs>& python) {
  fs::path file = ResolvePipeline(context, name);
  if (!python && MentionsPythonFunc(file)) {
    python = LoadPythonUdfs(context, /*required=*/true);
    WarnImportFailures(*python);
  }
  if (!python && udf::HasPythonUdfs(context.root)) {
    plan::Plan plan = plan::BuildPlan(file, MakePlanOptions(context, connection));
    if (!CallsAnyOf(plan, udf::ScanUdfNames(context.root))) return plan;
    python = LoadPythonUdfs(context, /*required=*/true);
    WarnImportFailures(*python);
  }
  return plan::BuildPlan(file, MakePlanOptions(context, connection, python ? &*python : nullptr));
}

plan::Plan PlanForCommand(const Context& context, const std::string& name) {
  OpenDatabase database = OpenForPlanning(context);
  std::optional<PythonUdfs> python;
  return PlanPipeline(context, name, database.connection ? &*database.connection : nullptr, python);
}

std::set<std::string> SelectSteps(const plan::Plan& plan, const RunOptions& run, state::Store& store,
                                  engine::Connection* persistent) {
  std::vector<std::string> ids;
  for (const auto& step : plan.steps) ids.push_back(step.id);
  auto check = [&](const std::string& id) {
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) return;
    std::string hint = util::DidYouMean(id, ids);
    throw common::UsageError(
        "SF-CLI-005", fmt::format("pipeline {} has no step '{}'", plan.pipeline, id),
        hint.empty() ? "see `sqlflow pipeline compile " + plan.pipeline + "` for step ids" : hint);
  };
  int given = (run.only.empty() ? 0 : 1) + (run.from.empty() ? 0 : 1) + (run.resume ? 1 : 0);
  if (given > 1) throw common::UsageError("SF-CLI-006", "--only, --from and --resume exclude each other");
  std::set<std::string> selected;
  if (!run.only.empty()) {
    for (const auto& id : run.only) check(id);
    selected.insert(run.only.begin(), run.only.end());
  } else if (!run.from.empty()) {
    check(run.from);
    selected.insert(run.from);
    // Plan order is topological: one pass collects every step downstream of the first.
    for (const auto& step : plan.steps) {
      for (const auto& dependency : step.depends_on) {
        if (selected.count(dependency)) selected.insert(step.id);
      }
    }
  } else if (run.resume) {
    if (!persistent) {
      throw common::UsageError(
          "SF-CLI-007", "--resume needs a persistent database",
          "an in-memory database starts empty: run the whole pipeline, or use a profile with "
          "engines.duckdb.mode: persistent");
    }
    auto last = store.LatestRun(plan.pipeline);
    if (!last)
      throw common::UsageError("SF-CLI-008", fmt::format("no earlier run of {} to resume", plan.pipeline));
    // A step whose transaction committed is done even when the run was killed before recording it.
    std::set<std::string> committed = run::CommitLedger::Committed(*persistent, last->run_id);
    for (const auto& step : store.ListSteps(last->run_id)) {
      bool done = step.status == "SUCCEEDED" || (step.status == "SKIPPED" && step.error == "not selected") ||
                  committed.count(step.step_id) > 0;
      if (!done && std::find(ids.begin(), ids.end(), step.step_id) != ids.end())
        selected.insert(step.step_id);
    }
    if (selected.empty()) {
      throw common::UsageError(
          "SF-CLI-008", fmt::format("the last run of {} ({}) has nothing to resume: it {}", plan.pipeline,
                                    last->run_id, util::ToLower(last->status)));
    }
  }
  return selected;
}

namespace {

// Tells what the pipeline's last run could not record: it was killed (ABANDONED), or the state
// store failed under it. The steps whose transaction committed are named from the commit ledger.
void ReportUnrecorded(state::Store& store, const std::string& pipeline, engine::Connection* persistent) {
  auto last = store.LatestRun(pipeline);
  if (!last) return;
  bool abandoned = state::EffectiveStatus(*last) == "ABANDONED";
  if (!abandoned && last->error_code != "SF-STATE-002") return;
  std::set<std::string> committed;
  if (persistent) committed = run::CommitLedger::Committed(*persistent, last->run_id);
  std::vector<std::string> unrecorded;
  for (const auto& step : store.ListSteps(last->run_id)) {
    if (committed.count(step.step_id) && step.status != "SUCCEEDED") unrecorded.push_back(step.step_id);
  }
  common::Warn(
      "SF-STATE-003",
      fmt::format("the last run of {} ({}) {}; see target/runs/{}/events.jsonl{}", pipeline, last->run_id,
                  abandoned ? "ended without its final record (the process was killed, or the state "
                              "store could not be written)"
                            : "stopped because the state store could not record its progress",
                  last->run_id,
                  unrecorded.empty() ? ""
                                     : fmt::format("; committed although not recorded as SUCCEEDED: {} "
                                                   "(--resume does not run them again)",
                                                   util::Join(unrecorded, ", "))));
}

}  // namespace

struct PipelineRun::Recording {
  std::unique_ptr<run::RunRecorder> recorder;
  run::RunOptions options;
};

PipelineRun::PipelineRun(const Context& context, const std::string& name, const RunOptions& run)
    : database_(OpenForRun(context)) {
  plan_ = PlanPipeline(context, name, &*database_.connection, python_);

  const project::ExecutionDefaults& defaults = context.profile.execution;
  scheduling_.workers = run.threads.value_or(defaults.threads.value_or(run::DefaultWorkers()));
  if (scheduling_.workers < 1) throw common::UsageError("SF-CLI-009", "--threads must be at least 1");
  std::string policy = !run.on_failure.empty() ? run.on_failure : defaults.on_failure;
  scheduling_.policy = policy == "continue" ? run::FailurePolicy::kContinue : run::FailurePolicy::kFailFast;
  scheduling_.retry.retries = run.retries.value_or(defaults.retries);
  scheduling_.retry.first_delay = run.retry_delay.value_or(defaults.retry_delay);
  if (scheduling_.retry.retries < 0) throw common::UsageError("SF-CLI-009", "--retries must be 0 or more");
  if (!std::isfinite(scheduling_.retry.first_delay) || scheduling_.retry.first_delay < 0) {
    throw common::UsageError("SF-CLI-009", "--retry-delay must be a number of seconds, 0 or more");
  }
  for (const auto& step : plan_.steps) {
    if (!step.session_state || scheduling_.workers == 1) continue;
    notes_.push_back(fmt::format(
        "{} ({}) changes its connection's session (temporary objects, settings); running on one worker so "
        "later steps see it",
        step.id, step.location.ToString()));
    scheduling_.workers = 1;
  }
  if (const char* limit = std::getenv("SQLFLOW_THREAD_LIMIT")) scheduling_.thread_limit = std::atoi(limit);
  store_ = std::make_unique<state::Store>(context.root);
  bool persistent = !database_.database->in_memory();
  engine::Connection* database = persistent ? &*database_.connection : nullptr;
  ReportUnrecorded(*store_, plan_.pipeline, database);
  scheduling_.selected = SelectSteps(plan_, run, *store_, database);
  if (database) {
    auto last = store_->LatestRun(plan_.pipeline);
    run::CommitLedger::Forget(*database, plan_.pipeline, last ? last->run_id : "");
  }

  state::RunRecord record;
  record.run_id = state::NewRunId(plan_.pipeline);
  record.pipeline = plan_.pipeline;
  record.profile = context.profile.name;
  record.variables_json = VariablesJson(plan_).dump();
  record.threads = scheduling_.workers;
  record.policy = run::FailurePolicyName(scheduling_.policy);
  recording_ = std::make_unique<Recording>();
  recording_->recorder =
      std::make_unique<run::RunRecorder>(*store_, plan_, record, context.root / "target" / "runs");

  run::RunOptions& options = recording_->options;
  options.project_root = context.root.string();
  options.strict_schema = context.profile.load.strict;
  options.add_columns = context.profile.load.add_columns;
  options.on_schema_change = context.profile.schema.on_schema_change;
  if (python_) {
    options.python = python_->runtime;
    options.udfs = &python_->catalog;
  }
  options.store = store_.get();
  options.pipeline = plan_.pipeline;
  options.run_id = recording_->recorder->run_id();
  options.commit_ledger = persistent;
  if (const char* faults = std::getenv("SQLFLOW_FAULT_INJECT")) {
    options.injected_faults = run::ParseFaultInjection(faults);
    options.injected_stops = run::ParseStopInjection(faults);
    options.request_stop = [] { InterruptWatcher::Get().RequestStop(); };
  }
}

PipelineRun::~PipelineRun() = default;

const std::string& PipelineRun::run_id() const {
  return recording_->recorder->run_id();
}

run::RunSummary PipelineRun::Run(const std::vector<run::Reporter*>& reporters, std::stop_token stop) {
  run::RunRecorder& recorder = *recording_->recorder;
  recorder.Begin();
  std::vector<run::Reporter*> all = reporters;
  all.push_back(&recorder);
  run::RunSummary summary;
  {
    run::StepRunners runners(*database_.database, recording_->options, scheduling_.workers, stop);
    run::Scheduler scheduler(runners, scheduling_);
    summary = scheduler.Run(plan_, all, stop);
  }
  try {
    recorder.End(summary);
  } catch (const state::StoreError& error) {
    // The run is over and DuckDB's work is committed or rolled back: a record that cannot be
    // written fails the run (exit 1); the next run tells what is missing.
    if (summary.reporter_error.empty()) summary.reporter_error = error.what();
  }
  return summary;
}

}  // namespace sqlflow::app
