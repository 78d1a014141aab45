#include <fmt/format.h>

#include "cli/commands.h"
#include "connectors/registry.h"
#include "util/secrets.h"
#include "util/strings.h"

namespace sqlflow::cli {

int ConnectListCommand(const GlobalOptions& options) {
  Context context = LoadContext(options);
  const auto& connectors = context.profile.connectors;
  if (options.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [name, connector] : connectors) {
      list.push_back(
          {{"name", name}, {"type", connector.type}, {"params", util::MaskSecrets(connector.params)}});
    }
    fmt::print("{}\n", list.dump(2));
    return 0;
  }
  if (connectors.empty()) {
    fmt::print("No connectors in profile {} (add them under 'connectors:')\n", context.profile.name);
    return 0;
  }
  for (const auto& [name, connector] : connectors) {
    fmt::print("{:<20} {:<10} {}\n", name, connector.type, util::MaskSecrets(connector.params).dump());
  }
  return 0;
}

int ConnectTestCommand(const std::string& name, const GlobalOptions& options) {
  Context context = LoadContext(options);
  auto it = context.profile.connectors.find(name);
  if (it == context.profile.connectors.end()) {
    std::vector<std::string> names;
    for (const auto& [known, connector] : context.profile.connectors) names.push_back(known);
    std::string hint = util::DidYouMean(name, names);
    throw common::UsageError("SF-CONN-003",
                             fmt::format("profile {} has no connector '{}'", context.profile.name, name),
                             hint.empty() ? "see `sqlflow connect list`" : hint);
  }
  const connectors::Connector* connector = connectors::FindConnector(it->second.type);
  if (!connector) {
    throw common::UsageError("SF-CONN-003",
                             fmt::format("connector '{}' has an unknown type {}", name, it->second.type),
                             "available types: " + util::Join(connectors::ConnectorTypes(), ", "));
  }
  std::vector<connectors::ParamIssue> issues;
  nlohmann::json params =
      connectors::NormalizeParams(connectors::SourceParams(*connector), it->second.params, issues);
  for (const auto& issue : issues) {
    throw common::UsageError("SF-CONN-004", fmt::format("connector '{}': {}", name, issue.message),
                             issue.hint);
  }
  try {
    std::string found = connector->Test(params, context.root.string());
    if (options.json) {
      fmt::print(
          "{}\n",
          nlohmann::json{{"name", name}, {"type", connector->type()}, {"ok", true}, {"message", found}}.dump(
              2));
    } else {
      fmt::print("ok: {} ({}): {}\n", name, connector->type(), found);
    }
    return 0;
  } catch (const std::runtime_error& error) {
    if (options.json) {
      fmt::print("{}\n", nlohmann::json{{"name", name},
                                        {"type", connector->type()},
                                        {"ok", false},
                                        {"error", util::Redact(error.what())}}
                             .dump(2));
    } else {
      fmt::print(stderr, "error[SF-CONN-002]: {} ({}): {}\n", name, connector->type(),
                 util::Redact(error.what()));
    }
    return 2;
  }
}

}  // namespace sqlflow::cli
