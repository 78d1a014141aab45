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

#include "app/interrupt.h"
#include "app/pipeline.h"
#include "cli/commands.h"
#include "lang/lexer.h"
#include "project/scaffold.h"
#include "run/console_reporter.h"
#include "run/run_recorder.h"
#include "run/viz.h"
#include "state/store.h"
#include "udf/loader.h"
#include "util/secrets.h"
#include "util/strings.h"

namespace sqlflow::cli {

namespace fs = std::filesystem;

bool UseColor(std::FILE* stream) {
  return std::getenv("NO_COLOR") == nullptr && ::isatty(::fileno(stream));
}

namespace {

nlohmann::json DiagnosticsJson(const std::vector<common::Diagnostic>& diagnostics) {
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
  app::OpenDatabase database = app::OpenForPlanning(context);
  engine::Connection* connection = database.connection ? &*database.connection : nullptr;
  bool all_valid = true;
  nlohmann::json report = nlohmann::json::array();
  std::optional<PythonUdfs> python;
  for (const auto& name : names) {
    try {
      plan::Plan plan = app::PlanPipeline(context, name, connection, python);
      report.push_back({{"pipeline", name}, {"valid", true}, {"steps", plan.steps.size()}});
      if (!options.json && !options.quiet) fmt::print("{}: valid ({} steps)\n", name, plan.steps.size());
    } catch (const common::SqlflowError& error) {
      all_valid = false;
      report.push_back(
          {{"pipeline", name}, {"valid", false}, {"errors", DiagnosticsJson(error.diagnostics())}});
      if (!options.json) {
        fmt::print(stderr, "{}",
                   util::Redact(common::FormatDiagnostics(error.diagnostics(), UseColor(stderr))));
        fmt::print(stderr, "{}: invalid\n", name);
      }
    } catch (const common::UsageError& error) {
      all_valid = false;
      report.push_back(
          {{"pipeline", name},
           {"valid", false},
           {"errors", {{{"code", error.code()}, {"message", error.what()}, {"hint", error.hint()}}}}});
      if (!options.json) {
        fmt::print(stderr, "error[{}]: {}\n", error.code(), util::Redact(error.what()));
        if (!error.hint().empty()) fmt::print(stderr, "  = hint: {}\n", util::Redact(error.hint()));
      }
    }
  }
  if (options.json) fmt::print("{}\n", util::RedactJson(report).dump(2));
  return all_valid ? 0 : 2;
}

int PipelineCompileCommand(const std::string& name, const GlobalOptions& options) {
  Context context = LoadContext(options);
  plan::Plan plan = app::PlanForCommand(context, name);
  nlohmann::json json = plan::PlanToJson(plan);
  fs::path out = context.root / "target" / "compiled" / (plan.pipeline + ".json");
  fs::create_directories(out.parent_path());
  fs::path temporary = out.string() + ".tmp";
  {
    std::ofstream file(temporary);
    file << json.dump(2) << "\n";
    if (!file) throw common::UsageError("SF-CLI-004", "cannot write " + out.string());
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

int PipelineVizCommand(const std::string& name, const std::string& format, const std::string& run_id,
                       const std::string& output_dir, const GlobalOptions& options) {
  Context context = LoadContext(options);
  plan::Plan plan = app::PlanForCommand(context, name);
  run::StepStates states;
  std::string title = plan.pipeline;
  if (!run_id.empty()) {
    state::Store store(context.root);
    auto run = run_id == "latest" ? store.LatestRun(plan.pipeline) : store.FindRun(run_id);
    if (!run)
      throw common::UsageError("SF-STATE-001", "no run " + run_id,
                               "see `sqlflow runs " + plan.pipeline + "`");
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
    if (!out) throw common::UsageError("SF-CLI-004", "cannot write " + file.string());
    written.push_back(file.string());
    if (!options.json && !options.quiet) fmt::print("wrote {}\n", file.string());
  }
  if (options.json) fmt::print("{}\n", written.dump(2));
  return 0;
}

int PipelineRunCommand(const std::string& name, const RunOptions& run, const GlobalOptions& options) {
  app::InterruptWatcher& interrupts = app::InterruptWatcher::Get();
  Context context = LoadContext(options);
  app::PipelineRun pipeline(context, name, run);
  const plan::Plan& plan = pipeline.plan();
  for (const auto& note : pipeline.notes()) fmt::print(stderr, "note: {}\n", note);
  std::FILE* out = options.json ? stderr : stdout;
  run::ConsoleReporter::Verbosity verbosity = options.quiet ? run::ConsoleReporter::Verbosity::kFailuresOnly
                                              : options.verbose ? run::ConsoleReporter::Verbosity::kWithSql
                                                                : run::ConsoleReporter::Verbosity::kSteps;
  run::ConsoleReporter console(out, UseColor(out), plan, verbosity, UseColor(out));
  if (!options.quiet && !options.json) {
    fmt::print(out, "Running {} (profile {}, {} DuckDB, {} worker{}), run {}\n", plan.pipeline,
               context.profile.name, pipeline.in_memory() ? "in-memory" : "persistent", pipeline.workers(),
               pipeline.workers() == 1 ? "" : "s", pipeline.run_id());
  }
  interrupts.Running();
  run::RunSummary summary = pipeline.Run({&console}, interrupts.token());
  interrupts.Finishing();
  if (!options.quiet || !summary.success()) console.PrintSummary(summary);
  if (!summary.reporter_error.empty()) {
    fmt::print(stderr, "error[SF-STATE-002]: the run's progress could not be recorded: {}\n",
               summary.reporter_error);
  }
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
    nlohmann::json report = {{"run_id", pipeline.run_id()},
                             {"pipeline", plan.pipeline},
                             {"status", summary.interrupted ? "INTERRUPTED"
                                        : summary.success() ? "SUCCEEDED"
                                                            : "FAILED"},
                             {"seconds", summary.seconds},
                             {"steps", steps}};
    fmt::print("{}\n", util::RedactJson(report).dump(2));
  }
  if (summary.interrupted) return 130;
  return summary.success() ? 0 : 1;
}

}  // namespace sqlflow::cli
