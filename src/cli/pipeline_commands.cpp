#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <fstream>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <pthread.h>
#include <unistd.h>

#include "cli/commands.h"
#include "lang/lexer.h"
#include "project/scaffold.h"
#include "run/console_reporter.h"
#include "run/executor.h"
#include "run/run_recorder.h"
#include "run/viz.h"
#include "state/store.h"
#include "udf/loader.h"
#include "util/strings.h"

namespace sqlflow::cli {

namespace fs = std::filesystem;

bool UseColor(std::FILE* stream) {
  return std::getenv("NO_COLOR") == nullptr && ::isatty(::fileno(stream));
}

namespace {

// The database a pipeline command plans against (and runs on). Validation and compilation never
// create a persistent database; they read it when it exists.
struct OpenDatabase {
  std::optional<engine::Database> database;
  std::optional<engine::Connection> connection;
};

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

// Whether a plan's SQL calls a function named like one of `names`.
bool CallsAnyOf(const plan::Plan& plan, const std::set<std::string>& names) {
  for (const auto& step : plan.steps) {
    auto file = std::make_shared<const lang::SourceFile>("", step.sql);
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
    fmt::print(stderr, "warning[SF-UDF-005]: {} failed to import: {}\n", failure.file, util::Trim(last_line));
  }
}

// Plans a pipeline. Python starts only when the pipeline needs it: it writes PYTHON_FUNC, or its
// SQL calls a function named like one in python_udfs/ (then the plan is made again with the UDFs).
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

}  // namespace

plan::Plan PlanForCommand(const Context& context, const std::string& name) {
  OpenDatabase database = OpenForPlanning(context);
  std::optional<PythonUdfs> python;
  return PlanPipeline(context, name, database.connection ? &*database.connection : nullptr, python);
}

namespace {

nlohmann::json DiagnosticsJson(const std::vector<lang::Diagnostic>& diagnostics) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : diagnostics) {
    out.push_back({{"code", d.code},
                   {"message", d.message},
                   {"file", d.location.path()},
                   {"line", d.location.line()},
                   {"column", d.location.column()},
                   {"hint", d.hint},
                   {"notes", d.notes}});
  }
  return out;
}

// Ctrl-C (and SIGTERM) interrupt the running DuckDB query instead of killing the process, so the
// run can roll back and report. The signals are blocked before DuckDB starts its threads (they
// inherit the mask) and taken by one thread of ours.
class InterruptWatcher {
 public:
  InterruptWatcher() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    std::thread([this]() {
      int signal = 0;
      if (sigwait(&set_, &signal) != 0) return;
      run::Executor* executor = executor_.load();
      if (!executor) std::_Exit(130);  // still planning: nothing to roll back
      executor->Interrupt();
    }).detach();
  }
  void Attach(run::Executor* executor) { executor_ = executor; }

 private:
  sigset_t set_;
  std::atomic<run::Executor*> executor_{nullptr};
};

}  // namespace

int InitCommand(const std::string& name, const GlobalOptions& options) {
  project::ScaffoldResult result =
      project::CreateProject(fs::absolute(name), fs::path(name).filename().string());
  if (options.json) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& file : result.files) files.push_back(file.string());
    fmt::print("{}\n", nlohmann::json{{"root", result.root.string()}, {"files", files}}.dump(2));
    return 0;
  }
  if (!options.quiet) {
    fmt::print("Created project {} ({} files)\n", result.root.string(), result.files.size());
    fmt::print("Next:\n  cd {}\n  sqlflow pipeline list\n  sqlflow pipeline run customer_summary\n", name);
  }
  return 0;
}

int PipelineListCommand(const GlobalOptions& options) {
  Context context = LoadContext(options);
  std::vector<std::string> names = ListPipelines(context);
  if (options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& name : names) {
      out.push_back({{"name", name}, {"path", (context.profile.pipelines_dir / (name + ".sf")).string()}});
    }
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  if (names.empty()) fmt::print("No pipelines in {}\n", context.profile.pipelines_dir.string());
  for (const auto& name : names) fmt::print("{}\n", name);
  return 0;
}

int PipelineValidateCommand(const std::vector<std::string>& requested, const GlobalOptions& options) {
  Context context = LoadContext(options);
  std::vector<std::string> names = requested.empty() ? ListPipelines(context) : requested;
  OpenDatabase database = OpenForPlanning(context);
  engine::Connection* connection = database.connection ? &*database.connection : nullptr;
  bool all_valid = true;
  nlohmann::json report = nlohmann::json::array();
  std::optional<PythonUdfs> python;
  for (const auto& name : names) {
    try {
      plan::Plan plan = PlanPipeline(context, name, connection, python);
      report.push_back({{"pipeline", name}, {"valid", true}, {"steps", plan.steps.size()}});
      if (!options.json && !options.quiet) fmt::print("{}: valid ({} steps)\n", name, plan.steps.size());
    } catch (const lang::SqlflowError& error) {
      all_valid = false;
      report.push_back(
          {{"pipeline", name}, {"valid", false}, {"errors", DiagnosticsJson(error.diagnostics())}});
      if (!options.json) {
        fmt::print(stderr, "{}", lang::FormatDiagnostics(error.diagnostics(), UseColor(stderr)));
        fmt::print(stderr, "{}: invalid\n", name);
      }
    } catch (const lang::UsageError& error) {
      all_valid = false;
      report.push_back(
          {{"pipeline", name},
           {"valid", false},
           {"errors", {{{"code", error.code()}, {"message", error.what()}, {"hint", error.hint()}}}}});
      if (!options.json) {
        fmt::print(stderr, "error[{}]: {}\n", error.code(), error.what());
        if (!error.hint().empty()) fmt::print(stderr, "  = hint: {}\n", error.hint());
      }
    }
  }
  if (options.json) fmt::print("{}\n", report.dump(2));
  return all_valid ? 0 : 2;
}

int PipelineCompileCommand(const std::string& name, const GlobalOptions& options) {
  Context context = LoadContext(options);
  OpenDatabase database = OpenForPlanning(context);
  std::optional<PythonUdfs> python;
  plan::Plan plan =
      PlanPipeline(context, name, database.connection ? &*database.connection : nullptr, python);
  nlohmann::json json = plan::PlanToJson(plan);
  fs::path out = context.root / "target" / "compiled" / (plan.pipeline + ".json");
  fs::create_directories(out.parent_path());
  fs::path temporary = out.string() + ".tmp";
  {
    std::ofstream file(temporary);
    file << json.dump(2) << "\n";
    if (!file) throw lang::UsageError("SF-CLI-004", "cannot write " + out.string());
  }
  fs::rename(temporary, out);
  if (options.json) {
    fmt::print("{}\n", json.dump(2));
  } else if (!options.quiet) {
    fmt::print("Compiled {} ({} steps) to {}\n", plan.pipeline, plan.steps.size(),
               fs::relative(out, context.root).string());
  }
  return 0;
}

namespace {

// The steps a partial run selects (empty: all), from --only, --from or --resume.
std::set<std::string> SelectSteps(const plan::Plan& plan, const RunOptions& run, state::Store& store,
                                  const Context& context, bool persistent) {
  std::vector<std::string> ids;
  for (const auto& step : plan.steps) ids.push_back(step.id);
  auto check = [&](const std::string& id) {
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) return;
    std::string hint = util::DidYouMean(id, ids);
    throw lang::UsageError(
        "SF-CLI-005", fmt::format("pipeline {} has no step '{}'", plan.pipeline, id),
        hint.empty() ? "see `sqlflow pipeline compile " + plan.pipeline + "` for step ids" : hint);
  };
  int given = (run.only.empty() ? 0 : 1) + (run.from.empty() ? 0 : 1) + (run.resume ? 1 : 0);
  if (given > 1) throw lang::UsageError("SF-CLI-006", "--only, --from and --resume exclude each other");
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
      throw lang::UsageError(
          "SF-CLI-007", "--resume needs a persistent database",
          "an in-memory database starts empty: run the whole pipeline, or use a profile with "
          "engines.duckdb.mode: persistent");
    }
    auto last = store.LatestRun(plan.pipeline);
    if (!last)
      throw lang::UsageError("SF-CLI-008", fmt::format("no earlier run of {} to resume", plan.pipeline));
    for (const auto& step : store.ListSteps(last->run_id)) {
      bool done = step.status == "SUCCEEDED" || (step.status == "SKIPPED" && step.error == "not selected");
      if (!done && std::find(ids.begin(), ids.end(), step.step_id) != ids.end())
        selected.insert(step.step_id);
    }
    if (selected.empty()) {
      throw lang::UsageError(
          "SF-CLI-008", fmt::format("the last run of {} ({}) has nothing to resume: it {}", plan.pipeline,
                                    last->run_id, util::ToLower(last->status)));
    }
  }
  (void)context;
  return selected;
}

nlohmann::json VariablesJson(const plan::Plan& plan) {
  return plan::PlanToJson(plan)["variables"];
}

}  // namespace

int PipelineVizCommand(const std::string& name, const std::string& format, const std::string& run_id,
                       const std::string& output_dir, const GlobalOptions& options) {
  Context context = LoadContext(options);
  OpenDatabase database = OpenForPlanning(context);
  std::optional<PythonUdfs> python;
  plan::Plan plan =
      PlanPipeline(context, name, database.connection ? &*database.connection : nullptr, python);
  run::StepStates states;
  std::string title = plan.pipeline;
  if (!run_id.empty()) {
    state::Store store(context.root);
    auto run = run_id == "latest" ? store.LatestRun(plan.pipeline) : store.FindRun(run_id);
    if (!run)
      throw lang::UsageError("SF-STATE-001", "no run " + run_id, "see `sqlflow runs " + plan.pipeline + "`");
    for (const auto& step : store.ListSteps(run->run_id)) states[step.step_id] = step;
    title = fmt::format("{} — run {} ({})", plan.pipeline, run->run_id, run->status);
  }
  fs::path folder = output_dir.empty() ? context.root / "target" / "viz" : fs::absolute(output_dir);
  fs::create_directories(folder);
  std::vector<std::pair<std::string, std::string>> outputs;  // extension, content
  auto want = [&](const char* kind) { return format == "all" || format == kind; };
  if (want("dot")) outputs.emplace_back("dot", run::DagToDot(plan, states));
  if (want("mermaid")) outputs.emplace_back("mmd", run::DagToMermaid(plan, states));
  if (want("svg")) outputs.emplace_back("svg", run::DagToSvg(plan, states));
  if (want("html")) outputs.emplace_back("html", run::DagToHtml(plan, states, title));
  nlohmann::json written = nlohmann::json::array();
  for (const auto& [extension, content] : outputs) {
    fs::path file = folder / (plan.pipeline + "." + extension);
    std::ofstream out(file);
    out << content;
    if (!out) throw lang::UsageError("SF-CLI-004", "cannot write " + file.string());
    written.push_back(file.string());
    if (!options.json && !options.quiet) fmt::print("wrote {}\n", file.string());
  }
  if (options.json) fmt::print("{}\n", written.dump(2));
  return 0;
}

int PipelineRunCommand(const std::string& name, const RunOptions& run, const GlobalOptions& options) {
  // Lives for the whole process: its thread may still wait for a signal when the run ends.
  static InterruptWatcher* watcher = new InterruptWatcher();
  Context context = LoadContext(options);
  OpenDatabase database = OpenForRun(context);
  std::optional<PythonUdfs> python;
  plan::Plan plan = PlanPipeline(context, name, &*database.connection, python);

  const project::ExecutionDefaults& defaults = context.profile.execution;
  run::ExecutorOptions executor_options;
  executor_options.project_root = context.root.string();
  executor_options.strict_schema = context.profile.load.strict;
  executor_options.add_columns = context.profile.load.add_columns;
  executor_options.on_schema_change = context.profile.schema.on_schema_change;
  if (python) {
    executor_options.python = python->runtime;
    executor_options.udfs = &python->catalog;
  }
  executor_options.workers = run.threads.value_or(defaults.threads.value_or(run::DefaultWorkers()));
  if (executor_options.workers < 1) throw lang::UsageError("SF-CLI-009", "--threads must be at least 1");
  std::string policy = !run.on_failure.empty() ? run.on_failure : defaults.on_failure;
  executor_options.policy =
      policy == "continue" ? run::FailurePolicy::kContinue : run::FailurePolicy::kFailFast;
  executor_options.retries = run.retries.value_or(defaults.retries);
  executor_options.retry_delay = run.retry_delay.value_or(defaults.retry_delay);
  if (executor_options.retries < 0) throw lang::UsageError("SF-CLI-009", "--retries must be 0 or more");
  if (!std::isfinite(executor_options.retry_delay) || executor_options.retry_delay < 0) {
    throw lang::UsageError("SF-CLI-009", "--retry-delay must be a number of seconds, 0 or more");
  }

  for (const auto& step : plan.steps) {
    if (!step.session_state || executor_options.workers == 1) continue;
    fmt::print(stderr,
               "note: {} ({}) changes its connection's session (temporary objects, settings); running on one "
               "worker so later steps see it\n",
               step.id, step.location.ToString());
    executor_options.workers = 1;
  }
  state::Store store(context.root);
  executor_options.selected = SelectSteps(plan, run, store, context, !database.database->in_memory());

  state::RunRecord record;
  record.run_id = state::NewRunId(plan.pipeline);
  record.pipeline = plan.pipeline;
  record.profile = context.profile.name;
  record.variables_json = VariablesJson(plan).dump();
  record.threads = executor_options.workers;
  record.policy = run::FailurePolicyName(executor_options.policy);
  run::RunRecorder recorder(store, plan, record, context.root / "target" / "runs");

  executor_options.store = &store;
  executor_options.pipeline = plan.pipeline;
  executor_options.run_id = recorder.run_id();
  run::Executor executor(*database.database, executor_options);
  watcher->Attach(&executor);
  std::FILE* out = options.json ? stderr : stdout;
  run::ConsoleReporter::Verbosity verbosity = options.quiet ? run::ConsoleReporter::Verbosity::kFailuresOnly
                                              : options.verbose ? run::ConsoleReporter::Verbosity::kWithSql
                                                                : run::ConsoleReporter::Verbosity::kSteps;
  run::ConsoleReporter console(out, UseColor(out), plan, verbosity, UseColor(out));
  if (!options.quiet && !options.json) {
    fmt::print(out, "Running {} (profile {}, {} DuckDB, {} worker{}), run {}\n", plan.pipeline,
               context.profile.name, database.database->in_memory() ? "in-memory" : "persistent",
               executor_options.workers, executor_options.workers == 1 ? "" : "s", recorder.run_id());
  }
  recorder.Begin();
  run::RunSummary summary = executor.Run(plan, {&console, &recorder});
  watcher->Attach(nullptr);
  recorder.End(summary);
  if (!options.quiet || !summary.success()) console.PrintSummary(summary);
  if (options.json) {
    nlohmann::json steps = nlohmann::json::array();
    for (size_t i = 0; i < summary.steps.size(); ++i) {
      const auto& outcome = summary.steps[i];
      nlohmann::json item = {{"id", outcome.id},
                             {"kind", plan::StepKindName(plan.steps[i].kind)},
                             {"status", run::StepStatusName(outcome.status)},
                             {"rows", outcome.rows},
                             {"inserted", outcome.inserted},
                             {"updated", outcome.updated},
                             {"rows_read", outcome.rows_read},
                             {"bytes", outcome.bytes},
                             {"retries", outcome.retries},
                             {"started_at", outcome.started_at},
                             {"ended_at", outcome.ended_at},
                             {"seconds", outcome.seconds}};
      if (!outcome.error.empty()) {
        item["error"] = outcome.error;
        item["code"] = outcome.code;
      }
      if (!outcome.note.empty()) item["note"] = outcome.note;
      if (!outcome.warnings.empty()) item["warnings"] = outcome.warnings;
      if (outcome.schema_check_seconds > 0) item["schema_check_seconds"] = outcome.schema_check_seconds;
      steps.push_back(std::move(item));
    }
    fmt::print("{}\n", nlohmann::json{{"run_id", recorder.run_id()},
                                      {"pipeline", plan.pipeline},
                                      {"status", summary.interrupted ? "INTERRUPTED"
                                                 : summary.success() ? "SUCCEEDED"
                                                                     : "FAILED"},
                                      {"seconds", summary.seconds},
                                      {"steps", steps}}
                           .dump(2));
  }
  if (summary.interrupted) return 130;
  return summary.success() ? 0 : 1;
}

}  // namespace sqlflow::cli
