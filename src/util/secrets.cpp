#include "util/secrets.h"

#include "util/strings.h"

namespace sqlflow::util {

bool IsSecretName(std::string_view name) {
  std::string lower = ToLower(name);
  return lower == "password" || lower == "passwd" || lower == "token" || StartsWith(lower, "secret") ||
         EndsWith(lower, "_key") || EndsWith(lower, "_token") || EndsWith(lower, "password");
}

nlohmann::json MaskSecrets(const nlohmann::json& params) {
  if (params.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : params) out.push_back(MaskSecrets(item));
    return out;
  }
  if (!params.is_object()) return params;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : params.items()) {
    out[key] = IsSecretName(key) && !value.is_null() ? nlohmann::json("***") : MaskSecrets(value);
  }
  return out;
}

}  // namespace sqlflow::util
