#include "connectors/registry.h"

#include <fmt/format.h>

#include "connectors/files.h"
#include "connectors/postgres/postgres.h"
#include "connectors/s3/s3.h"
#include "engine/sql.h"
#include "schema/schema.h"
#include "util/secrets.h"
#include "util/strings.h"

namespace sqlflow::connectors {

namespace {

std::vector<std::unique_ptr<Connector>>& Registry() {
  static std::vector<std::unique_ptr<Connector>> registry = [] {
    std::vector<std::unique_ptr<Connector>> connectors;
    connectors.push_back(MakeCsvConnector());
    connectors.push_back(MakeParquetConnector());
    connectors.push_back(MakeJsonConnector());
    connectors.push_back(MakePostgresConnector());
    connectors.push_back(MakeS3Connector());
    return connectors;
  }();
  return registry;
}

const char* TypeName(ParamType type) {
  switch (type) {
    case ParamType::kString:
      return "a string";
    case ParamType::kBool:
      return "true or false";
    case ParamType::kInteger:
      return "an integer";
    case ParamType::kStringOrList:
      return "a string or a list of strings";
    case ParamType::kStringList:
      return "a list of strings";
    case ParamType::kObject:
      return "an object";
    case ParamType::kAny:
      return "a value";
  }
  return "a value";
}

bool IsStringList(const nlohmann::json& value) {
  if (!value.is_array()) return false;
  for (const auto& item : value) {
    if (!item.is_string()) return false;
  }
  return true;
}

bool Matches(ParamType type, const nlohmann::json& value) {
  switch (type) {
    case ParamType::kString:
      return value.is_string();
    case ParamType::kBool:
      return value.is_boolean();
    case ParamType::kInteger:
      return value.is_number_integer();
    case ParamType::kStringOrList:
      return value.is_string() || IsStringList(value);
    case ParamType::kStringList:
      return IsStringList(value);
    case ParamType::kObject:
      return value.is_object();
    case ParamType::kAny:
      return true;
  }
  return false;
}

}  // namespace

std::string Connector::StagingTable::Qualified() const {
  std::string prefix = temporary ? "temp.main." : schema.empty() ? "" : engine::QuoteIdentifier(schema) + ".";
  return prefix + engine::QuoteIdentifier(name);
}

uint64_t Connector::ReadInto(engine::Connection&, const nlohmann::json&, const StagingTable&) const {
  throw std::logic_error(type() + " does not stream rows");
}

Connector::WriteResult Connector::Write(engine::Connection&, const std::string&, const std::string&,
                                        const nlohmann::json&) const {
  throw std::logic_error(type() + " does not write by itself");
}

void RegisterConnector(std::unique_ptr<Connector> connector) {
  Registry().push_back(std::move(connector));
}

const Connector* FindConnector(std::string_view type) {
  for (const auto& connector : Registry()) {
    if (util::EqualsIgnoreCase(connector->type(), type)) return connector.get();
  }
  return nullptr;
}

std::vector<ParamSpec> SourceParams(const Connector& connector) {
  std::vector<ParamSpec> specs = connector.source_params();
  specs.push_back({kSchemaPolicyParam, ParamType::kString, false, {}, schema::PolicyNames()});
  return specs;
}

std::vector<std::string> ConnectorTypes() {
  std::vector<std::string> types;
  for (const auto& connector : Registry()) types.push_back(connector->type());
  return types;
}

const ParamSpec* SpecFor(const std::vector<ParamSpec>& specs, std::string_view key) {
  for (const auto& spec : specs) {
    if (util::EqualsIgnoreCase(spec.name, key)) return &spec;
    for (const auto& alias : spec.aliases) {
      if (util::EqualsIgnoreCase(alias, key)) return &spec;
    }
  }
  return nullptr;
}

nlohmann::json NormalizeParams(const std::vector<ParamSpec>& specs, const nlohmann::json& params,
                               std::vector<ParamIssue>& issues) {
  nlohmann::json normalized = nlohmann::json::object();
  std::vector<std::string> valid;
  for (const auto& spec : specs) valid.push_back(spec.name);
  for (const auto& [key, value] : params.items()) {
    const ParamSpec* match = SpecFor(specs, key);
    if (!match) {
      std::string hint = util::DidYouMean(key, valid);
      if (hint.empty()) hint = "valid keys: " + util::Join(valid, ", ");
      issues.push_back({key, fmt::format("unknown parameter '{}'", key), hint});
      continue;
    }
    if (normalized.contains(match->name)) {
      issues.push_back(
          {key, fmt::format("parameter '{}' is given twice (also as '{}')", key, match->name), ""});
      continue;
    }
    // Secret values never appear in messages.
    std::string shown = util::IsSecretName(key) ? "***" : value.dump();
    if (!Matches(match->type, value)) {
      issues.push_back(
          {key, fmt::format("parameter '{}' must be {}, got {}", key, TypeName(match->type), shown), ""});
      continue;
    }
    if (!match->choices.empty() && value.is_string()) {
      bool allowed = false;
      for (const auto& choice : match->choices)
        allowed = allowed || util::EqualsIgnoreCase(choice, value.get<std::string>());
      if (!allowed) {
        issues.push_back(
            {key,
             fmt::format("parameter '{}' must be one of {}, got {}", key, util::Join(match->choices, ", "),
                         shown),
             util::IsSecretName(key) ? "" : util::DidYouMean(value.get<std::string>(), match->choices)});
        continue;
      }
    }
    normalized[match->name] = value;
  }
  for (const auto& spec : specs) {
    if (spec.required && !normalized.contains(spec.name)) {
      issues.push_back({"", fmt::format("missing required parameter '{}'", spec.name),
                        fmt::format("add \"{}\": ... to the parameters", spec.name)});
    }
  }
  return normalized;
}

}  // namespace sqlflow::connectors
