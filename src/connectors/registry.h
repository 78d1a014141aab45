#pragma once
// The connector registry: TYPE names mapped to their connectors, and the file destinations by the
// URIs they claim. The built-in ones are registered in one place (builtin.cpp); plugins add theirs.
// Parameters are checked against the schemas before anything runs.

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/connector.h"

namespace sqlflow::connectors {

const Connector* FindConnector(std::string_view type);
// Adds a connector (a plugin's) to the registry.
void RegisterConnector(std::unique_ptr<Connector> connector);
std::vector<std::string> ConnectorTypes();

void RegisterDestination(std::unique_ptr<FileDestination> destination);
// The destination that claims `uri`; nullptr when none does.
const FileDestination* FindDestination(std::string_view uri);

// Lets the connector that serves the location a SOURCE's params name adopt it (a CSV `path` that is
// an s3:// URI is read by S3); `type` and `params` change when one does.
void AdoptSource(std::string& type, nlohmann::json& params);

// The spec named `key` or having it as an alias (case-insensitive); nullptr when none.
const ParamSpec* SpecFor(const std::vector<ParamSpec>& specs, std::string_view key);

// The parameter every SOURCE takes whatever its TYPE: how a change of its schema is handled.
inline constexpr const char* kSchemaPolicyParam = "on_schema_change";
// A connector's own SOURCE parameters followed by the ones every SOURCE takes.
std::vector<ParamSpec> SourceParams(const Connector& connector);

// Checks `params` against `specs`: unknown keys (with the closest valid key), aliases mapped to
// their canonical names, required keys, types and choices. Returns the normalized object.
nlohmann::json NormalizeParams(const std::vector<ParamSpec>& specs, const nlohmann::json& params,
                               std::vector<ParamIssue>& issues);

}  // namespace sqlflow::connectors
