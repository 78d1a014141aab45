#include "udf/catalog.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "util/strings.h"

namespace sqlflow::udf {

std::string UdfDefinition::sql_name() const {
  // Only letters, digits and underscores: file names like my-udfs.py must not leak into SQL.
  std::string out = "sqlflow_udf_";
  for (char c : name) {
    if (c == '.') {
      out += "__";
    } else {
      out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    }
  }
  return out;
}

UdfCatalog UdfCatalog::FromDiscovery(const std::string& json) {
  UdfCatalog catalog;
  nlohmann::json parsed = nlohmann::json::parse(json);
  for (const auto& info : parsed["udfs"]) {
    UdfDefinition definition;
    definition.name = info["name"];
    definition.short_name = info["short_name"];
    definition.kind = info["kind"];
    definition.file = info["file"];
    definition.line = info["line"];
    definition.info = info;
    catalog.udfs_.push_back(std::move(definition));
  }
  for (const auto& failure : parsed["errors"])
    catalog.failures_.push_back({failure["file"], failure["error"]});
  return catalog;
}

std::string UnsupportedTypeReason(const std::string& sql_type) {
  std::string type = util::ToUpper(util::Trim(sql_type));
  while (util::EndsWith(type, "[]")) type = type.substr(0, type.size() - 2);
  static const std::vector<std::string> kSupported = {
      "BOOLEAN",     "BOOL",         "TINYINT",      "SMALLINT",    "INTEGER",
      "INT",         "BIGINT",       "HUGEINT",      "UTINYINT",    "USMALLINT",
      "UINTEGER",    "UBIGINT",      "FLOAT",        "REAL",        "DOUBLE",
      "VARCHAR",     "TEXT",         "STRING",       "JSON",        "BLOB",
      "DATE",        "TIMESTAMP",    "DATETIME",     "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE",
      "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "INT1",        "INT2",
      "INT4",        "INT8"};
  if (std::find(kSupported.begin(), kSupported.end(), type) != kSupported.end()) return "";
  if (util::StartsWith(type, "DECIMAL") || util::StartsWith(type, "NUMERIC")) {
    size_t open = type.find('(');
    int width = open == std::string::npos ? 18 : std::atoi(type.c_str() + open + 1);
    return width <= 18 ? ""
                       : fmt::format("{} is wider than 18 digits; use DECIMAL(18,s) or DOUBLE", sql_type);
  }
  if (util::StartsWith(type, "VARCHAR(")) return "";
  return fmt::format("the type {} is not supported by Python UDFs", sql_type);
}

std::string ScalarRegistrationProblem(const UdfDefinition& udf) {
  const auto& type = udf.info.value("return_type", nlohmann::json());
  if (!type.is_string()) return "it has no return type";
  return UnsupportedTypeReason(type.get<std::string>());
}

const ImportFailure* UdfCatalog::FailureDeclaring(const std::string& name) const {
  for (const auto& failure : failures_) {
    std::ifstream in(failure.file);
    std::stringstream text;
    text << in.rdbuf();
    std::string source = text.str();
    if (source.find("def " + name + "(") != std::string::npos ||
        source.find("name=\"" + name + "\"") != std::string::npos ||
        source.find("name='" + name + "'") != std::string::npos) {
      return &failure;
    }
  }
  return nullptr;
}

bool UdfCatalog::IsUnambiguous(const std::string& short_name) const {
  int count = 0;
  for (const auto& udf : udfs_) count += udf.short_name == short_name ? 1 : 0;
  return count == 1;
}

const UdfDefinition* UdfCatalog::Resolve(const std::string& requested, std::string& error,
                                         std::string& hint) const {
  std::string name = util::StartsWith(requested, "python_udfs.") ? requested.substr(12) : requested;
  std::vector<const UdfDefinition*> by_short;
  for (const auto& udf : udfs_) {
    if (udf.name == name) return &udf;
    if (udf.short_name == name) by_short.push_back(&udf);
  }
  if (by_short.size() == 1) return by_short.front();
  if (by_short.size() > 1) {
    std::vector<std::string> candidates;
    for (const auto* udf : by_short) candidates.push_back(udf->name);
    error = fmt::format("Python UDF name '{}' is ambiguous", requested);
    hint = "use the full name: " + util::Join(candidates, ", ");
    return nullptr;
  }
  // A UDF of a file that failed to import: say so, with Python's error.
  std::string module = name.substr(0, name.rfind('.'));
  std::string module_path = "/" + module;
  for (char& c : module_path) c = c == '.' ? '/' : c;
  for (const auto& failure : failures_) {
    if (util::EndsWith(failure.file, "python_udfs" + module_path + ".py")) {
      error = fmt::format("Python UDF '{}' comes from {}, which failed to import", requested, failure.file);
      hint = failure.error;
      return nullptr;
    }
  }
  std::vector<std::string> names;
  for (const auto& udf : udfs_) {
    names.push_back(udf.name);
    names.push_back(udf.short_name);
  }
  error = fmt::format("unknown Python UDF '{}'", requested);
  hint = util::DidYouMean(name, names);
  if (hint.empty()) {
    hint = udfs_.empty() ? "no UDFs found in python_udfs/ (decorate functions with @python_scalar_udf or "
                           "@python_table_udf)"
                         : "see `sqlflow udf list`";
  }
  if (!failures_.empty()) hint += fmt::format(" ({} UDF file(s) failed to import)", failures_.size());
  return nullptr;
}

}  // namespace sqlflow::udf
