#include "util/secrets.h"

#include "util/strings.h"

namespace sqlflow::util {

bool IsSecretName(std::string_view name) {
  std::string lower = ToLower(name);
  return lower == "password" || lower == "passwd" || lower == "token" || StartsWith(lower, "secret") ||
         EndsWith(lower, "_key") || EndsWith(lower, "_token") || EndsWith(lower, "password");
}

std::string MaskUriPassword(const std::string& text) {
  // scheme://user:password@host... -> scheme://user:***@host...
  size_t scheme = text.find("://");
  if (scheme == std::string::npos) return text;
  size_t at = text.find('@', scheme + 3);
  if (at == std::string::npos) return text;
  size_t colon = text.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return text;
  return text.substr(0, colon + 1) + "***" + text.substr(at);
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
    if (IsSecretName(key) && !value.is_null()) {
      out[key] = "***";
    } else if (value.is_string()) {
      out[key] = MaskUriPassword(value.get<std::string>());
    } else {
      out[key] = MaskSecrets(value);
    }
  }
  return out;
}

}  // namespace sqlflow::util
