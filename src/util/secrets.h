#pragma once
// What is secret, and masking it. Names: secret-looking parameters and variables (password,
// secret*, token, *_key) are printed as *** in plans, logs and errors; IsSecretName is the one place
// that decides. Values: the process's Redactor holds every secret value of the command (secret-named
// variables, declared secrets, profile connector secrets, secret-named environment values) and
// every sink that writes or prints applies it (docs/reliability.md#secrets).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sqlflow::util {

bool IsSecretName(std::string_view name);
// A URI with its password replaced by *** (postgresql://user:***@host/db).
std::string MaskUriPassword(const std::string& text);
// A copy of `params` with secret values replaced by "***", recursively; URI passwords too.
nlohmann::json MaskSecrets(const nlohmann::json& params);

// Replaces known secret values by *** wherever they appear whole in a text, also as SQL quotes them
// ('' and "" doubled) and as JSON escapes them. Values shorter than kMinSecretLength are not
// searched for: masking "1" or "ab" everywhere would garble every message (such a value is still
// masked by its name, as MaskSecrets does).
class Redactor {
 public:
  static constexpr size_t kMinSecretLength = 4;
  void Add(std::string_view value);
  // The secret values of `params` (by key name, recursively) and the passwords of URIs in them.
  void AddSecretsOf(const nlohmann::json& params);
  std::string Redact(std::string_view text) const;
  // A copy with every string value (and key) redacted.
  nlohmann::json RedactJson(const nlohmann::json& value) const;
  bool empty() const { return forms_.empty(); }

 private:
  std::vector<std::string> forms_;  // every spelling of every value, longest first
};

// The process's redactor, filled while the command loads its context and plans; safe to use from
// any thread.
void AddSecretValue(std::string_view value);
void AddSecretsOf(const nlohmann::json& params);
std::string Redact(std::string_view text);
nlohmann::json RedactJson(const nlohmann::json& value);
// Forgets every value (for tests).
void ClearSecretValues();

}  // namespace sqlflow::util
