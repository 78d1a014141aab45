#include "plan/sql_analyzer.h"

#include <set>

#include <nlohmann/json.hpp>

#include "engine/sql.h"
#include "util/strings.h"

namespace sqlflow::plan {

namespace {

void CollectCteNames(const nlohmann::json& node, std::set<std::string>& names) {
  if (node.is_object()) {
    auto cte_map = node.find("cte_map");
    if (cte_map != node.end() && cte_map->is_object() && cte_map->contains("map")) {
      for (const auto& entry : (*cte_map)["map"]) {
        if (entry.contains("key") && entry["key"].is_string())
          names.insert(util::ToLower(entry["key"].get<std::string>()));
      }
    }
    for (const auto& [key, child] : node.items()) CollectCteNames(child, names);
  } else if (node.is_array()) {
    for (const auto& child : node) CollectCteNames(child, names);
  }
}

void CollectTables(const nlohmann::json& node, const std::set<std::string>& ctes,
                   std::vector<TableReference>& out) {
  if (node.is_object()) {
    auto type = node.find("type");
    if (type != node.end() && type->is_string() && *type == "BASE_TABLE") {
      std::string schema = node.value("schema_name", "");
      std::string table = node.value("table_name", "");
      std::string catalog = node.value("catalog_name", "");
      bool is_cte = schema.empty() && catalog.empty() && ctes.count(util::ToLower(table)) > 0;
      if (!is_cte && !table.empty()) {
        std::string name = schema.empty() ? table : schema + "." + table;
        if (!catalog.empty()) name = catalog + "." + name;
        size_t position = node.value("query_location", static_cast<size_t>(0));
        std::string key = util::ToLower(name);
        if (util::StartsWith(key, "main.")) key = key.substr(5);
        out.push_back(TableReference{name, key, position});
      }
      return;
    }
    for (const auto& [key, child] : node.items()) CollectTables(child, ctes, out);
  } else if (node.is_array()) {
    for (const auto& child : node) CollectTables(child, ctes, out);
  }
}

}  // namespace

std::string TableKey(std::string_view name) {
  std::string key;
  bool quoted = false;
  for (char c : name) {
    if (c == '"') {
      quoted = !quoted;
      continue;
    }
    key += c;
  }
  key = util::ToLower(key);
  if (util::StartsWith(key, "main.")) key = key.substr(5);
  return key;
}

SqlAnalyzer::SqlAnalyzer() : database_(engine::Database::Open({})), connection_(database_) {}

SqlAnalysis SqlAnalyzer::Analyze(const std::string& sql) {
  SqlAnalysis analysis;
  // DuckDB takes SQL as a C string: a NUL byte would end it early, and the error would be about a
  // shortened text the user never wrote.
  if (size_t nul = sql.find('\0'); nul != std::string::npos) {
    analysis.kind = SqlAnalysis::Kind::kSyntaxError;
    analysis.error = "a NUL byte (\\0) in the SQL text";
    analysis.error_position = nul;
    return analysis;
  }
  analysis.statements = connection_.CountStatements(sql);
  std::string json_text =
      connection_.QueryScalar("SELECT json_serialize_sql(" + engine::QuoteLiteral(sql) + ")").value_or("{}");
  nlohmann::json parsed = nlohmann::json::parse(json_text, nullptr, false);
  if (parsed.is_discarded()) {
    analysis.kind = SqlAnalysis::Kind::kOtherStatement;
    return analysis;
  }
  if (parsed.value("error", false)) {
    std::string error_type = parsed.value("error_type", "");
    if (error_type == "parser") {
      analysis.kind = SqlAnalysis::Kind::kSyntaxError;
      analysis.error = parsed.value("error_message", "syntax error");
      if (parsed.contains("position") && parsed["position"].is_string()) {
        analysis.error_position = std::stoul(parsed["position"].get<std::string>());
      }
    } else {
      analysis.kind = SqlAnalysis::Kind::kOtherStatement;
    }
    return analysis;
  }
  std::set<std::string> ctes;
  CollectCteNames(parsed["statements"], ctes);
  CollectTables(parsed["statements"], ctes, analysis.tables);
  return analysis;
}

}  // namespace sqlflow::plan
