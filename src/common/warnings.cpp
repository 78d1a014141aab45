#include "common/warnings.h"

#include <cassert>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/error_codes.h"
#include "util/secrets.h"

namespace sqlflow::common {

namespace {

struct Sink {
  std::mutex mutex;
  WarningOptions options;
  std::vector<Warning> collected;
};

Sink& TheSink() {
  static Sink sink;
  return sink;
}

}  // namespace

void ConfigureWarnings(const WarningOptions& options) {
  Sink& sink = TheSink();
  std::lock_guard lock(sink.mutex);
  sink.options = options;
}

void Warn(std::string_view code, std::string message) {
  assert(FindErrorCode(code) != nullptr && "undeclared warning code: add it to src/common/error_codes.cpp");
  Sink& sink = TheSink();
  std::lock_guard lock(sink.mutex);
  Warning& warning = sink.collected.emplace_back(Warning{std::string(code), util::Redact(message)});
  if (sink.options.quiet || sink.options.console == nullptr) return;
  if (sink.options.json) {
    nlohmann::json line = {{"warning", {{"code", warning.code}, {"message", warning.message}}}};
    fmt::print(sink.options.console, "{}\n", line.dump());
  } else {
    fmt::print(sink.options.console, "warning[{}]: {}\n", warning.code, warning.message);
  }
  std::fflush(sink.options.console);
}

std::vector<Warning> CollectedWarnings() {
  Sink& sink = TheSink();
  std::lock_guard lock(sink.mutex);
  return sink.collected;
}

void ClearWarnings() {
  Sink& sink = TheSink();
  std::lock_guard lock(sink.mutex);
  sink.collected.clear();
}

}  // namespace sqlflow::common
