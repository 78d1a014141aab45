// EXPORT: a CustomSink (PostgreSQL) writes the rows itself; otherwise DuckDB's COPY writes the
// connector's file format to the file the destination that claims the URI opened (a temporary
// file renamed into place, or a spool uploaded to S3), which is put in place only once complete.

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
    outcome.bytes = file->Finish();
  }

 private:
  StepEnv& env_;
};

}  // namespace

std::unique_ptr<StepRunner> MakeExportRunner(StepEnv& env) {
  return std::make_unique<ExportRunner>(env);
}

}  // namespace sqlflow::run::steps
