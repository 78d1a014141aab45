#include "cli/app.h"

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "common/diagnostic.h"
#include "common/error.h"
#include "common/error_codes.h"
#include "common/warnings.h"
#include "connectors/registry.h"
#include "engine/duckdb.h"
#include "util/secrets.h"

namespace sqlflow::cli {

namespace {

void AddGlobalOptions(CLI::App& app, GlobalOptions& options) {
  app.add_option("-p,--profile", options.profile, "Profile from profiles/<name>.yml")->capture_default_str();
  app.add_option("--vars", options.vars, "Variables: a JSON object or k=v,k2=v2 (highest precedence)");
  app.add_option("--project-dir", options.project_dir,
                 "Project root (default: search upwards for profiles/)");
  app.add_flag("--json", options.json, "Machine-readable output on stdout");
  app.add_flag("-v,--verbose", options.verbose, "More output");
  app.add_flag("-q,--quiet", options.quiet, "Only errors");
}

// "error[CODE]: message" and the hint on stderr; returns the code's declared exit code.
int PrintError(std::string_view code, std::string_view message, std::string_view hint = "") {
  fmt::print(stderr, "error[{}]: {}\n", code, util::Redact(message));
  if (!hint.empty()) fmt::print(stderr, "  = hint: {}\n", util::Redact(hint));
  return common::ExitCodeOf(code);
}

// "<operation> 'path': <reason>" from libstdc++'s "filesystem error: <operation>: <reason> [path]".
std::string DescribeFileSystemError(const std::filesystem::filesystem_error& error) {
  std::string what = error.what();
  std::string_view prefix = "filesystem error: ";
  if (what.starts_with(prefix)) what.erase(0, prefix.size());
  std::string reason = error.code().message();
  std::string operation = what.substr(0, what.find(": " + reason));
  std::string paths;
  if (!error.path1().empty()) paths += fmt::format(" '{}'", error.path1().string());
  if (!error.path2().empty()) paths += fmt::format(" and '{}'", error.path2().string());
  return fmt::format("{}{}: {}", operation, paths, reason);
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"SQLFlow: SQL-native data pipelines on embedded DuckDB", "sqlflow"};
  app.require_subcommand(0, 1);
  GlobalOptions options;
  AddGlobalOptions(app, options);
  bool version = false;
  app.add_flag("--version", version, "Print the version and exit");

  auto* init = app.add_subcommand("init", "Create a runnable sample project in a new folder");
  std::string init_name;
  init->add_option("NAME", init_name, "Folder (and project name) to create")->required();

  auto* pipeline = app.add_subcommand("pipeline", "List, validate, compile and run pipelines");
  pipeline->require_subcommand(1);
  auto* list = pipeline->add_subcommand("list", "List the project's pipelines");
  auto* validate = pipeline->add_subcommand("validate", "Parse and plan pipelines without running them");
  std::vector<std::string> validate_names;
  validate->add_option("NAME", validate_names, "Pipelines to validate (default: all)");
  auto* compile = pipeline->add_subcommand("compile", "Write the plan to target/compiled/<name>.json");
  std::string compile_name;
  compile->add_option("NAME", compile_name, "Pipeline to compile")->required();
  auto* run = pipeline->add_subcommand("run", "Run a pipeline");
  std::string run_name;
  RunOptions run_options;
  run->add_option("NAME", run_name, "Pipeline to run")->required();
  run->add_option("--threads", run_options.threads,
                  "Steps running at once (default: profile execution.threads)");
  run->add_option("--on-failure", run_options.on_failure, "fail_fast (default) or continue")
      ->check(CLI::IsMember({"fail_fast", "continue"}));
  run->add_option("--retries", run_options.retries, "Further attempts after a transient failure");
  run->add_option("--retry-delay", run_options.retry_delay,
                  "Seconds before the first retry (doubles each time)");
  run->add_option("--only", run_options.only, "Run only these steps (their inputs must exist)");
  run->add_option("--from", run_options.from, "Run this step and everything downstream of it");
  run->add_flag("--resume", run_options.resume, "Rerun the failed and skipped steps of the last run");

  auto* viz = pipeline->add_subcommand("viz", "Draw the DAG: DOT, Mermaid, SVG and HTML in target/viz/");
  std::string viz_name, viz_format = "all", viz_run, viz_output;
  viz->add_option("NAME", viz_name, "Pipeline to draw")->required();
  viz->add_option("--format", viz_format, "dot, mermaid, svg, html or all")
      ->check(CLI::IsMember({"dot", "mermaid", "svg", "html", "all"}))
      ->capture_default_str();
  viz->add_option("--run", viz_run, "Colour the nodes by a run's status (a run id, or 'latest')");
  viz->add_option("--output", viz_output, "Folder for the files (default target/viz)");

  auto* metrics =
      app.add_subcommand("metrics", "Metrics of the latest runs, with the change against the run before");
  std::string metrics_pipeline, metrics_format = "table";
  int metrics_limit = 10;
  metrics->add_option("PIPELINE", metrics_pipeline, "Only this pipeline");
  metrics->add_option("--format", metrics_format, "table, json, csv, prometheus or openmetrics")
      ->check(CLI::IsMember({"table", "json", "csv", "prometheus", "openmetrics"}))
      ->capture_default_str();
  metrics->add_option("--limit", metrics_limit, "How many runs")->capture_default_str();

  auto* status = app.add_subcommand("status", "Show a run's steps and their status (latest run by default)");
  std::string status_run;
  status->add_option("RUN_ID", status_run, "A run id from `sqlflow runs`");
  auto* runs = app.add_subcommand("runs", "Show run history, newest first");
  std::string runs_pipeline;
  int runs_limit = 20;
  runs->add_option("PIPELINE", runs_pipeline, "Only this pipeline's runs");
  runs->add_option("--limit", runs_limit, "How many runs")->capture_default_str();
  auto* connect = app.add_subcommand("connect", "List the profile's connectors and test that they connect");
  connect->require_subcommand(1);
  auto* connect_list = connect->add_subcommand("list", "List the profile's connectors (secrets masked)");
  auto* connect_test =
      connect->add_subcommand("test", "Connect (or find the files) and report success or the cause");
  std::string connect_name;
  connect_test->add_option("NAME", connect_name, "A connector of the profile")->required();

  auto* udf = app.add_subcommand("udf", "List and describe the project's Python UDFs");
  udf->require_subcommand(1);
  auto* udf_list = udf->add_subcommand("list", "List the UDFs in python_udfs/ (name, type, signature, file)");
  auto* udf_info = udf->add_subcommand("info", "Describe one UDF: signature, types, defaults, docstring");
  std::string udf_name;
  udf_info->add_option("NAME", udf_name, "UDF name: module.function or an unambiguous short name")
      ->required();
  auto* schema =
      app.add_subcommand("schema", "Inspect, compare and accept the schemas of a pipeline's sources");
  schema->require_subcommand(1);
  SchemaOptions schema_options;
  auto* schema_show = schema->add_subcommand("show", "Show a source's accepted schema");
  auto* schema_history =
      schema->add_subcommand("history", "List a source's recorded schemas, newest first, with what changed");
  auto* schema_compare = schema->add_subcommand(
      "compare", "Compare a source's current schema with the accepted one (exit 1 when breaking)");
  schema_compare->add_option("--against", schema_options.against,
                             "A run id (the schema then) or a JSON schema file (`schema show --json`)");
  auto* schema_accept = schema->add_subcommand("accept", "Make the source's current schema the accepted one");
  for (CLI::App* sub : {schema_show, schema_history, schema_compare, schema_accept}) {
    sub->add_option("SOURCE", schema_options.source, "A SOURCE of the pipeline")->required();
    sub->add_option("--pipeline", schema_options.pipeline,
                    "The pipeline (name or .sf file); default: the one that recorded SOURCE");
    sub->fallthrough();
  }
  for (CLI::App* sub : {init, pipeline, list, validate, compile, run, viz, udf, udf_list, udf_info, status,
                        runs, metrics, connect, connect_list, connect_test, schema}) {
    sub->fallthrough();
  }

  // Hidden: the declared error codes, for docs/error_codes.md and scripts/check_docs.
  auto* errors = app.add_subcommand("errors", "List the declared error codes");
  errors->group("");
  bool errors_markdown = false;
  errors->add_flag("--markdown", errors_markdown, "Print docs/error_codes.md");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  try {
    if (version) {
      fmt::print("sqlflow {} (DuckDB {})\n", SQLFLOW_VERSION, engine::LibraryVersion());
      return 0;
    }
    if (errors->parsed()) {
      fmt::print("{}", errors_markdown ? common::ErrorCodesMarkdown() : common::ErrorCodesText());
      return 0;
    }
    common::ConfigureWarnings({.quiet = options.quiet, .json = options.json});
    if (init->parsed()) return InitCommand(init_name, options);
    if (list->parsed()) return PipelineListCommand(options);
    if (validate->parsed()) return PipelineValidateCommand(validate_names, options);
    if (compile->parsed()) return PipelineCompileCommand(compile_name, options);
    if (run->parsed()) return PipelineRunCommand(run_name, run_options, options);
    if (status->parsed()) return StatusCommand(status_run, options);
    if (viz->parsed()) return PipelineVizCommand(viz_name, viz_format, viz_run, viz_output, options);
    if (metrics->parsed()) return MetricsCommand(metrics_pipeline, metrics_format, metrics_limit, options);
    if (runs->parsed()) return RunsCommand(runs_pipeline, runs_limit, options);
    if (udf_list->parsed()) return UdfListCommand(options);
    if (connect_list->parsed()) return ConnectListCommand(options);
    if (connect_test->parsed()) return ConnectTestCommand(connect_name, options);
    if (udf_info->parsed()) return UdfInfoCommand(udf_name, options);
    if (schema_show->parsed()) return SchemaShowCommand(schema_options, options);
    if (schema_history->parsed()) return SchemaHistoryCommand(schema_options, options);
    if (schema_compare->parsed()) return SchemaCompareCommand(schema_options, options);
    if (schema_accept->parsed()) return SchemaAcceptCommand(schema_options, options);
    fmt::print("{}", app.help());
    return 2;
  } catch (const common::SqlflowError& error) {
    fmt::print(stderr, "{}", util::Redact(common::FormatDiagnostics(error.diagnostics(), UseColor(stderr))));
    return 2;
  } catch (const common::Error& error) {  // common::UsageError, state::StoreError, …
    return PrintError(error.code(), error.what(), error.hint());
  } catch (const engine::EngineError& error) {
    return PrintError("SF-ENGINE-001", error.what());
  } catch (const connectors::ConnectorError& error) {
    return PrintError("SF-CONN-006", error.what());
  } catch (const std::filesystem::filesystem_error& error) {
    return PrintError("SF-IO-001", DescribeFileSystemError(error));
  } catch (const std::exception& error) {
    // Every expected failure has a typed error above: this is a bug.
    return PrintError("SF-INTERNAL-001", error.what(),
                      "this is a bug in SQLFlow; please report it with the command");
  }
}

}  // namespace sqlflow::cli
