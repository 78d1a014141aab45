#include <fmt/format.h>

#include "cli/commands.h"
#include "util/strings.h"

namespace sqlflow::cli {

namespace {

std::string ParamsText(const nlohmann::json& params) {
  std::vector<std::string> parts;
  for (const auto& param : params) {
    std::string part = param["name"].get<std::string>();
    if (param["type"].is_string()) part += " " + param["type"].get<std::string>();
    if (param["default"].is_string()) part += " = " + param["default"].get<std::string>();
    parts.push_back(part);
  }
  return util::Join(parts, ", ");
}

std::string ReturnsText(const udf::UdfDefinition& udf) {
  if (!udf.is_table()) {
    const auto& type = udf.info["return_type"];
    return type.is_string() ? type.get<std::string>() : "(no return type)";
  }
  if (!udf.info["output_schema"].is_object()) return "TABLE (inferred)";
  std::vector<std::string> columns;
  for (const auto& [name, type] : udf.info["output_schema"].items())
    columns.push_back(name + " " + type.get<std::string>());
  return "TABLE (" + util::Join(columns, ", ") + ")";
}

std::string Location(const udf::UdfDefinition& udf, const fs::path& root) {
  return fmt::format("{}:{}", fs::relative(udf.file, root).string(), udf.line);
}

void PrintFailures(const udf::UdfCatalog& catalog) {
  for (const auto& failure : catalog.failures()) {
    fmt::print(stderr, "error[SF-UDF-005]: {} failed to import:\n{}\n", failure.file, failure.error);
  }
}

}  // namespace

int UdfListCommand(const GlobalOptions& options) {
  Context context = LoadContext(options);
  std::optional<PythonUdfs> python = LoadPythonUdfs(context, /*required=*/true);
  const udf::UdfCatalog& catalog = python->catalog;
  if (options.json) {
    nlohmann::json udfs = nlohmann::json::array();
    for (const auto& udf : catalog.udfs()) {
      udfs.push_back({{"name", udf.name},
                      {"short_name", udf.short_name},
                      {"type", udf.kind},
                      {"signature", udf.info["signature"]},
                      {"returns", ReturnsText(udf)},
                      {"summary", udf.info["summary"]},
                      {"file", udf.file},
                      {"line", udf.line}});
    }
    nlohmann::json failures = nlohmann::json::array();
    for (const auto& failure : catalog.failures())
      failures.push_back({{"file", failure.file}, {"error", failure.error}});
    fmt::print("{}\n", nlohmann::json{{"udfs", udfs}, {"errors", failures}}.dump(2));
    return catalog.failures().empty() ? 0 : 2;
  }
  if (catalog.udfs().empty()) fmt::print("No Python UDFs in {}\n", (context.root / "python_udfs").string());
  for (const auto& udf : catalog.udfs()) {
    fmt::print("{:<32} {:<7} {}({}) -> {}\n", udf.name, udf.kind, udf.short_name,
               ParamsText(udf.info["params"]), ReturnsText(udf));
    std::string summary = udf.info.value("summary", "");
    fmt::print("{:<32} {:<7} {}{}\n", "", "", Location(udf, context.root),
               summary.empty() ? "" : "  " + summary);
  }
  PrintFailures(catalog);
  return catalog.failures().empty() ? 0 : 2;
}

int UdfInfoCommand(const std::string& name, const GlobalOptions& options) {
  Context context = LoadContext(options);
  std::optional<PythonUdfs> python = LoadPythonUdfs(context, /*required=*/true);
  std::string error, hint;
  const udf::UdfDefinition* udf = python->catalog.Resolve(name, error, hint);
  if (!udf) throw common::UsageError("SF-UDF-011", error, hint);
  if (options.json) {
    fmt::print("{}\n", udf->info.dump(2));
    return 0;
  }
  fmt::print("{} ({} UDF)\n", udf->name, udf->kind);
  fmt::print("  signature: {}({}) -> {}\n", udf->short_name, ParamsText(udf->info["params"]),
             ReturnsText(*udf));
  fmt::print("  python:    {}\n", udf->info["signature"].get<std::string>());
  fmt::print("  file:      {}\n", Location(*udf, context.root));
  if (!udf->is_table()) {
    fmt::print("  vectorized: {}\n", udf->info.value("vectorized", false) ? "yes" : "no");
    if (python->catalog.IsUnambiguous(udf->short_name)) {
      fmt::print("  call:      PYTHON_FUNC('{}', ...) or {}(...)\n", udf->name, udf->short_name);
    } else {
      fmt::print("  call:      PYTHON_FUNC('{}', ...) (the short name {} is shared by several UDFs)\n",
                 udf->name, udf->short_name);
    }
  } else {
    const auto& required = udf->info["required_columns"];
    if (!required.empty())
      fmt::print("  required columns: {}\n", util::Join(required.get<std::vector<std::string>>(), ", "));
    fmt::print("  call:      SELECT * FROM PYTHON_FUNC('{}', table_or_subquery, key => value, ...)\n",
               udf->name);
  }
  std::string doc = udf->info.value("doc", "");
  if (!doc.empty()) {
    fmt::print("\n");
    for (const auto& line : util::Split(doc, '\n')) fmt::print("  {}\n", line);
  }
  return 0;
}

}  // namespace sqlflow::cli
