// EXPORT: a CustomSink (PostgreSQL) writes the rows itself; otherwise DuckDB's COPY writes the
// connector's file format to the file the destination that claims the URI opened (a temporary
// file renamed into place, or a spool uploaded to S3), which is put in place only once complete,
// and, for a local file, only over what this pipeline's exports wrote (the export ledger).

#include "connectors/local_destination.h"
#include "connectors/registry.h"
#include "engine/sql.h"
#include "run/steps/steps.h"

namespace sqlflow::run::steps {

namespace {

class ExportRunner : public StepRunner {
 public:
  explicit ExportRunner(StepEnv& env) : env_(env) {}
  void Run(StepContext& context, const plan::Step& step, StepOutcome& outcome) override {
    engine::Connection& connection = env_.connection(context.worker);
    outcome.rows_read = RowsOfTables(connection, step.reads);
    const connectors::Connector* connector = connectors::FindConnector(step.export_type);
    if (!connector) throw StepError("SF-RUN-003", "unknown export type " + step.export_type);
    if (const auto* sink = connector->custom_sink()) {
      connectors::SinkResult written =
          sink->Write(connection, step.sql, step.target, step.params, context.stop);
      outcome.rows = written.rows;
      outcome.inserted = written.inserted;
      outcome.updated = written.updated;
      return;
    }
    const connectors::FileSink* format = connector->file_sink();
    const connectors::FileDestination* destination = connectors::FindDestination(step.target);
    if (!format || !destination) {
      throw StepError("SF-RUN-006", "export destination '" + step.target +
                                        "' is not supported (export to a file path or an s3:// URI)");
    }
    std::unique_ptr<connectors::FileWrite> file =
        destination->Open(step.target, step.params, env_.options().project_root, context.stop);
    outcome.rows = connection
                       .Query("COPY (" + step.sql + ") TO " + engine::QuoteLiteral(file->path().string()) +
                              " (" + format->CopyOptions(step.params) + ")")
                       .AffectedRows();
    outcome.bytes = file->Finish([&](std::string_view point) {
      if (point == "ready") ClaimDestination(*destination, step, file->path());
      KillAtInjectedPoint(env_.options(), step.id, point);
    });
  }

 private:
  // Just before a local output replaces what is at its destination: refuses what the planner
  // would (something appeared since), else records the output in the export ledger first, so a
  // kill right after the rename still leaves it known as this pipeline's.
  void ClaimDestination(const connectors::FileDestination& destination, const plan::Step& step,
                        const std::filesystem::path& output) {
    const RunOptions& options = env_.options();
    std::optional<std::filesystem::path> path = destination.LocalPath(step.target, options.project_root);
    if (!path) return;
    auto earlier = [&]() -> std::optional<state::ExportOutput> {
      return options.store ? options.store->FindExportOutput(path->string()) : std::nullopt;
    };
    if (auto refusal = connectors::RefuseReplace(*path, options.pipeline,
                                                 connectors::OverwriteRequested(step.params), earlier)) {
      throw StepError("SF-RUN-012", refusal->message + " (" + refusal->hint + ")");
    }
    if (options.store) {
      options.store->SaveExportOutput(
          {path->string(), options.pipeline, step.id, connectors::OutputKind(output), options.run_id, 0});
    }
  }

  StepEnv& env_;
};

}  // namespace

std::unique_ptr<StepRunner> MakeExportRunner(StepEnv& env) {
  return std::make_unique<ExportRunner>(env);
}

}  // namespace sqlflow::run::steps
