#pragma once
// Secret-looking parameters (password, secret*, token, *_key) are printed as *** in plans, logs
// and errors. The one place that decides what is secret.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sqlflow::util {

bool IsSecretName(std::string_view name);
// A URI with its password replaced by *** (postgresql://user:***@host/db).
std::string MaskUriPassword(const std::string& text);
// A copy of `params` with secret values replaced by "***", recursively; URI passwords too.
nlohmann::json MaskSecrets(const nlohmann::json& params);

}  // namespace sqlflow::util
