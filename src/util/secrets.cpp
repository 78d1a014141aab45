#include "util/secrets.h"

#include <algorithm>
#include <mutex>

#include "util/strings.h"

namespace sqlflow::util {

namespace {

// The password of scheme://user:password@host..., as a range of `text`; npos when there is none.
std::pair<size_t, size_t> UriPasswordRange(std::string_view text) {
  size_t scheme = text.find("://");
  if (scheme == std::string_view::npos) return {std::string_view::npos, 0};
  size_t at = text.find('@', scheme + 3);
  size_t colon = text.find(':', scheme + 3);
  if (at == std::string_view::npos || colon == std::string_view::npos || colon > at)
    return {std::string_view::npos, 0};
  return {colon + 1, at - colon - 1};
}

std::string Doubled(std::string_view text, char quote) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == quote) out += c;
  }
  return out;
}

}  // namespace

bool IsSecretName(std::string_view name) {
  std::string lower = ToLower(name);
  return lower == "password" || lower == "passwd" || lower == "token" || StartsWith(lower, "secret") ||
         EndsWith(lower, "_key") || EndsWith(lower, "_token") || EndsWith(lower, "password");
}

std::string MaskUriPassword(const std::string& text) {
  auto [start, length] = UriPasswordRange(text);
  if (start == std::string::npos) return text;
  return text.substr(0, start) + "***" + text.substr(start + length);
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

void Redactor::Add(std::string_view value) {
  if (value.size() < kMinSecretLength) return;
  std::string json = nlohmann::json(std::string(value)).dump();
  for (std::string form :
       {std::string(value), Doubled(value, '\''), Doubled(value, '"'), json.substr(1, json.size() - 2)}) {
    if (std::find(forms_.begin(), forms_.end(), form) == forms_.end()) forms_.push_back(std::move(form));
  }
  // Longest first: a secret that contains another is masked whole.
  std::stable_sort(forms_.begin(), forms_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Redactor::AddSecretsOf(const nlohmann::json& params) {
  if (params.is_array()) {
    for (const auto& item : params) AddSecretsOf(item);
    return;
  }
  if (!params.is_object()) return;
  for (const auto& [key, value] : params.items()) {
    if (value.is_string()) {
      const std::string& text = value.get_ref<const std::string&>();
      if (IsSecretName(key)) Add(text);
      auto [start, length] = UriPasswordRange(text);
      if (start != std::string::npos) Add(std::string_view(text).substr(start, length));
    } else if (IsSecretName(key) && value.is_primitive() && !value.is_null()) {
      Add(value.dump());
    } else {
      AddSecretsOf(value);
    }
  }
}

std::string Redactor::Redact(std::string_view text) const {
  std::string out(text);
  for (const std::string& form : forms_) {
    for (size_t pos = 0; (pos = out.find(form, pos)) != std::string::npos; pos += 3)
      out.replace(pos, form.size(), "***");
  }
  return out;
}

nlohmann::json Redactor::RedactJson(const nlohmann::json& value) const {
  if (forms_.empty()) return value;
  if (value.is_string()) return Redact(value.get_ref<const std::string&>());
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(RedactJson(item));
    return out;
  }
  if (!value.is_object()) return value;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, item] : value.items()) out[Redact(key)] = RedactJson(item);
  return out;
}

namespace {

struct ProcessRedactor {
  std::mutex mutex;
  Redactor redactor;
};

ProcessRedactor& TheRedactor() {
  static ProcessRedactor process;
  return process;
}

}  // namespace

void AddSecretValue(std::string_view value) {
  ProcessRedactor& process = TheRedactor();
  std::lock_guard lock(process.mutex);
  process.redactor.Add(value);
}

void AddSecretsOf(const nlohmann::json& params) {
  ProcessRedactor& process = TheRedactor();
  std::lock_guard lock(process.mutex);
  process.redactor.AddSecretsOf(params);
}

std::string Redact(std::string_view text) {
  ProcessRedactor& process = TheRedactor();
  std::lock_guard lock(process.mutex);
  return process.redactor.Redact(text);
}

nlohmann::json RedactJson(const nlohmann::json& value) {
  ProcessRedactor& process = TheRedactor();
  std::lock_guard lock(process.mutex);
  return process.redactor.RedactJson(value);
}

void ClearSecretValues() {
  ProcessRedactor& process = TheRedactor();
  std::lock_guard lock(process.mutex);
  process.redactor = Redactor{};
}

}  // namespace sqlflow::util
