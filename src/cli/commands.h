#pragma once
// One function per command; each returns the exit code. Errors propagate as exceptions that
// app.cpp turns into messages and exit codes.

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "app/context.h"
#include "plan/plan.h"

namespace sqlflow::cli {

namespace fs = std::filesystem;

using app::Context;
using app::GlobalOptions;
using app::LoadContext;
using app::PythonUdfs;
using app::RunOptions;

int InitCommand(const std::string& name, const GlobalOptions& options);
int PipelineListCommand(const GlobalOptions& options);
int PipelineValidateCommand(const std::vector<std::string>& names, const GlobalOptions& options);
int PipelineCompileCommand(const std::string& name, const GlobalOptions& options);
int PipelineRunCommand(const std::string& name, const RunOptions& run, const GlobalOptions& options);
int PipelineVizCommand(const std::string& name, const std::string& format, const std::string& run_id,
                       const std::string& output_dir, const GlobalOptions& options);
int MetricsCommand(const std::string& pipeline, const std::string& format, int limit,
                   const GlobalOptions& options);
int StatusCommand(const std::string& run_id, const GlobalOptions& options);
int RunsCommand(const std::string& pipeline, int limit, const GlobalOptions& options);
int UdfListCommand(const GlobalOptions& options);
int ConnectListCommand(const GlobalOptions& options);
int ConnectTestCommand(const std::string& name, const GlobalOptions& options);
int UdfInfoCommand(const std::string& name, const GlobalOptions& options);

// `sqlflow schema show|history|compare|accept SOURCE`.
struct SchemaOptions {
  std::string source;
  std::string pipeline;  // a name or .sf file; "" = the one pipeline that knows the source
  std::string against;   // compare: a run id or a JSON schema file; "" = the accepted schema
};
int SchemaShowCommand(const SchemaOptions& schema, const GlobalOptions& options);
int SchemaHistoryCommand(const SchemaOptions& schema, const GlobalOptions& options);
int SchemaCompareCommand(const SchemaOptions& schema, const GlobalOptions& options);
int SchemaAcceptCommand(const SchemaOptions& schema, const GlobalOptions& options);

// "2026-11-26 03:10:45" (UTC), or "-" for 0.
std::string FormatTime(double epoch_seconds);

// Colour only on a terminal, and never when NO_COLOR is set.
bool UseColor(std::FILE* stream);

}  // namespace sqlflow::cli
