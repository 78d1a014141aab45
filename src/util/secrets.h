#pragma once
// Secret-looking parameters (password, secret*, token, *_key) are printed as *** in plans, logs
// and errors. The one place that decides what is secret.

#include <string_view>

#include <nlohmann/json.hpp>

namespace sqlflow::util {

bool IsSecretName(std::string_view name);
// A copy of `params` with secret values replaced by "***", recursively.
nlohmann::json MaskSecrets(const nlohmann::json& params);

}  // namespace sqlflow::util
