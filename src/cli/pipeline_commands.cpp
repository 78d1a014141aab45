#include <atomic>
#include <csignal>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <pthread.h>
#include <unistd.h>

#include "cli/commands.h"
#include "project/scaffold.h"
#include "run/console_reporter.h"
#include "run/executor.h"

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

// Plans a pipeline; starts Python first when the project or the pipeline needs it.
plan::Plan PlanPipeline(const Context& context, const std::string& name, engine::Connection* connection,
                        std::optional<PythonUdfs>& python) {
  fs::path file = ResolvePipeline(context, name);
  if (!python) python = LoadPythonUdfs(context, MentionsPythonFunc(file));
  return plan::BuildPlan(file, MakePlanOptions(context, connection, python ? &*python : nullptr));
}

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

int PipelineRunCommand(const std::string& name, const GlobalOptions& options) {
  // Lives for the whole process: its thread may still wait for a signal when the run ends.
  static InterruptWatcher* watcher = new InterruptWatcher();
  Context context = LoadContext(options);
  OpenDatabase database = OpenForRun(context);
  engine::Connection& connection = *database.connection;
  std::optional<PythonUdfs> python;
  plan::Plan plan = PlanPipeline(context, name, &connection, python);
  run::ExecutorOptions executor_options{context.root.string(), context.profile.load.strict,
                                        context.profile.load.add_columns};
  if (python) {
    executor_options.python = python->runtime;
    executor_options.udfs = &python->catalog;
  }
  run::Executor executor(connection, executor_options);
  watcher->Attach(&executor);
  std::FILE* out = options.json ? stderr : stdout;
  run::ConsoleReporter::Verbosity verbosity = options.quiet ? run::ConsoleReporter::Verbosity::kFailuresOnly
                                              : options.verbose ? run::ConsoleReporter::Verbosity::kWithSql
                                                                : run::ConsoleReporter::Verbosity::kSteps;
  run::ConsoleReporter reporter(out, UseColor(out), plan.steps.size(), verbosity);
  if (!options.quiet && !options.json) {
    fmt::print(out, "Running {} (profile {}, {} DuckDB)\n", plan.pipeline, context.profile.name,
               database.database->in_memory() ? "in-memory" : "persistent");
  }
  run::RunSummary summary = executor.Run(plan, &reporter);
  watcher->Attach(nullptr);
  if (!options.quiet || !summary.success()) reporter.PrintSummary(plan, summary);
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
                             {"seconds", outcome.seconds}};
      if (!outcome.error.empty()) {
        item["error"] = outcome.error;
        item["code"] = outcome.code;
      }
      steps.push_back(std::move(item));
    }
    fmt::print("{}\n", nlohmann::json{{"pipeline", plan.pipeline},
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
