// LOAD: a QuerySource's query is written to the target by the load mode in one transaction, its
// schema checked on the load's own read. An IngestSource first fills a staging table (whatever
// happens on the wire, the target is untouched until then); REPLACE then renames the staging table
// over the target, APPEND and MERGE read it. Incremental sources read past the run's watermark,
// which moves only once the load committed; so does an accepted schema.

#include <chrono>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "engine/load.h"
#include "engine/sql.h"
#include "run/staging_table.h"
#include "run/steps/steps.h"

namespace sqlflow::run::steps {

namespace {

uint64_t SizeOfFile(const std::string& path) {
  std::error_code error;
  uint64_t size = std::filesystem::file_size(path, error);
  return error ? 0 : size;
}

class LoadRunner : public StepRunner {
 public:
  explicit LoadRunner(StepEnv& env) : env_(env) {}

  void Run(StepContext& context, const plan::Step& step, StepOutcome& outcome) override {
    engine::Connection& connection = env_.connection(context.worker);
    SourceDefinition source = env_.sources().Find(step.load_source);
    SchemaGuard::Verdict verdict;
    auto check = [&](const std::vector<engine::Column>& columns) {
      auto start = std::chrono::steady_clock::now();
      verdict = env_.schema_guard().Check(step, source.schema_policy, columns, outcome);
      outcome.schema_check_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return verdict.evolve;
    };
    bool checks = env_.schema_guard().Checks(source.schema_policy);
    if (source.connector->query_source()) {
      if (!source.file.empty()) outcome.bytes = SizeOfFile(source.file);
      // The rows' shape comes from the load's own read (a CSV is sniffed once), before commit.
      WriteTable(connection, step, env_.options(), source.query, outcome,
                 checks ? std::function<bool(const std::vector<engine::Column>&)>(check) : nullptr);
      outcome.rows_read = outcome.rows;
    } else {
      Ingest(context, connection, step, source,
             checks ? check : std::function<bool(const std::vector<engine::Column>&)>(), outcome);
    }
    AfterCommit(outcome, "the accepted schema", [&] { env_.schema_guard().Accept(verdict.accept_snapshot); });
  }

 private:
  void Ingest(StepContext& context, engine::Connection& connection, const plan::Step& step,
              const SourceDefinition& source,
              const std::function<bool(const std::vector<engine::Column>&)>& check, StepOutcome& outcome) {
    const connectors::IngestSource& ingest = *source.connector->ingest_source();
    bool replace = step.mode.kind == lang::LoadMode::Kind::kReplace;
    // REPLACE stages beside the target so the staging table can take its name; otherwise a
    // temporary table that the load mode reads.
    StagingTable staging(connection, env_.options().run_id, step.target, replace && ingest.stages_anywhere());
    nlohmann::json params = source.params;
    bool incremental = !source.cursor_field.empty() && env_.options().store;
    if (incremental) {
      if (auto mark = env_.sources().Watermark(source.name)) params["watermark"] = *mark;
    }
    // Checked before any row moves when the connector reports the columns first (PostgreSQL, on
    // its own connection), else on the staging table: either way before the target changes.
    std::optional<bool> evolve;
    if (check)
      staging.target().columns_known = [&](const std::vector<engine::Column>& columns) {
        evolve = check(columns);
      };
    outcome.rows_read = ingest.ReadInto(connection, params, staging.target(), context.stop);
    if (check && !evolve)
      evolve = check(engine::DescribeQuery(connection, "SELECT * FROM " + staging.Qualified()));
    std::optional<std::string> next_mark;
    if (incremental) {
      next_mark = connection.QueryScalar("SELECT max(" + engine::QuoteIdentifier(source.cursor_field) +
                                         ")::VARCHAR FROM " + staging.Qualified());
    }
    if (replace && !staging.target().temporary) {
      engine::ReplaceWithTable(connection, step.target, staging.target().name,
                               RecordCommit(connection, step, env_.options()));
      outcome.rows = outcome.inserted = outcome.rows_read;
    } else {
      bool add_columns = evolve.value_or(false);
      WriteTable(connection, step, env_.options(), "SELECT * FROM " + staging.Qualified(), outcome,
                 [add_columns](const std::vector<engine::Column>&) { return add_columns; });
    }
    if (next_mark) {
      AfterCommit(outcome, "the watermark", [&] {
        env_.sources().SaveWatermark(source.name, source.cursor_field, *next_mark, env_.options().run_id);
      });
    }
  }

  // State written once the rows committed: the step has succeeded whatever happens to it, so a
  // state store that fails here is a warning on the step, not its failure (the run's own record
  // then fails the run, decision 204).
  static void AfterCommit(StepOutcome& outcome, const char* what, const std::function<void()>& write) {
    try {
      write();
    } catch (const state::StoreError& error) {
      outcome.warnings.push_back(fmt::format(
          "SF-STATE-002: the rows committed, but {} could not be recorded: {}", what, error.what()));
    }
  }

  StepEnv& env_;
};

}  // namespace

std::unique_ptr<StepRunner> MakeLoadRunner(StepEnv& env) {
  return std::make_unique<LoadRunner>(env);
}

}  // namespace sqlflow::run::steps
