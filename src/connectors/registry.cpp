#include "connectors/registry.h"

#include <fmt/format.h>

#include "connectors/builtin.h"
#include "engine/sql.h"
#include "schema/schema.h"
#include "util/secrets.h"
#include "util/strings.h"

namespace sqlflow::connectors {

namespace {

struct Registries {
  std::vector<std::unique_ptr<Connector>> connectors;
  std::vector<std::unique_ptr<FileDestination>> destinations;
};

Registries& Registry() {
  static Registries registry = [] {
    Registries built_in;
    RegisterBuiltins(built_in.connectors, built_in.destinations);
    return built_in;
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

std::string IngestTarget::Qualified() const {
  std::string prefix;
  if (temporary) {
    prefix = "temp.main.";
  } else {
    if (!catalog.empty()) prefix += engine::QuoteIdentifier(catalog) + ".";
    if (!schema.empty()) prefix += engine::QuoteIdentifier(schema) + ".";
  }
  return prefix + engine::QuoteIdentifier(name);
}

std::string IngestTarget::CreatePrefix() const {
  return std::string("CREATE OR REPLACE ") + (temporary ? "TEMP " : "") + "TABLE " + Qualified();
}

const std::vector<ParamSpec>& Connector::source_params() const {
  static const std::vector<ParamSpec> none;
  return none;
}

const std::vector<ParamSpec>& Connector::export_options() const {
  static const std::vector<ParamSpec> none;
  return none;
}

void RegisterConnector(std::unique_ptr<Connector> connector) {
  Registry().connectors.push_back(std::move(connector));
}

const Connector* FindConnector(std::string_view type) {
  for (const auto& connector : Registry().connectors) {
    if (util::EqualsIgnoreCase(connector->type(), type)) return connector.get();
  }
  return nullptr;
}

void RegisterDestination(std::unique_ptr<FileDestination> destination) {
  Registry().destinations.push_back(std::move(destination));
}

const FileDestination* FindDestination(std::string_view uri) {
  for (const auto& destination : Registry().destinations) {
    if (destination->Claims(uri)) return destination.get();
  }
  return nullptr;
}

void AdoptSource(std::string& type, nlohmann::json& params) {
  for (const auto& connector : Registry().connectors) {
    if (connector->AdoptSource(type, params)) return;
  }
}

std::vector<ParamSpec> SourceParams(const Connector& connector) {
  std::vector<ParamSpec> specs = connector.source_params();
  specs.push_back({kSchemaPolicyParam, ParamType::kString, false, {}, schema::PolicyNames()});
  return specs;
}

std::vector<std::string> ConnectorTypes() {
  std::vector<std::string> types;
  for (const auto& connector : Registry().connectors) types.push_back(connector->type());
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
  valid.reserve(specs.size());
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
