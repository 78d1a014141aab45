#include "common/diagnostic.h"

#include <algorithm>

#include <fmt/format.h>

namespace sqlflow::common {

SourceFile::SourceFile(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

int SourceFile::LineOf(size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<int>(it - line_starts_.begin());
}

int SourceFile::ColumnOf(size_t offset) const {
  size_t start = line_starts_[static_cast<size_t>(LineOf(offset) - 1)];
  return static_cast<int>(offset - start) + 1;
}

std::string_view SourceFile::Line(int line) const {
  if (line < 1 || static_cast<size_t>(line) > line_starts_.size()) return {};
  size_t start = line_starts_[static_cast<size_t>(line - 1)];
  size_t end = static_cast<size_t>(line) < line_starts_.size() ? line_starts_[static_cast<size_t>(line)] - 1
                                                               : text_.size();
  std::string_view view(text_);
  std::string_view result = view.substr(start, end - start);
  if (!result.empty() && result.back() == '\r') result.remove_suffix(1);
  return result;
}

std::string Location::ToString() const {
  if (!file) return "<unknown>";
  return fmt::format("{}:{}:{}", file->path(), line(), column());
}

std::string FormatDiagnostic(const Diagnostic& diagnostic, bool color) {
  const char* red = color ? "\033[1;31m" : "";
  const char* cyan = color ? "\033[36m" : "";
  const char* bold = color ? "\033[1m" : "";
  const char* reset = color ? "\033[0m" : "";
  std::string out;
  if (diagnostic.location.valid())
    out += fmt::format("{}{}: {}", bold, diagnostic.location.ToString(), reset);
  out += fmt::format("{}error[{}]{}: {}\n", red, diagnostic.code, reset, diagnostic.message);
  if (diagnostic.location.valid()) {
    int line = diagnostic.location.line();
    std::string_view text = diagnostic.location.file->Line(line);
    std::string gutter = std::to_string(line);
    out += fmt::format("{} |\n", std::string(gutter.size(), ' '));
    out += fmt::format("{} | {}\n", gutter, text);
    // The caret keeps tabs so it lines up under the column in a terminal.
    std::string pad;
    for (int i = 0; i + 1 < diagnostic.location.column() && static_cast<size_t>(i) < text.size(); ++i) {
      pad += text[static_cast<size_t>(i)] == '\t' ? '\t' : ' ';
    }
    out += fmt::format("{} | {}{}^{}\n", std::string(gutter.size(), ' '), pad, red, reset);
  }
  for (const auto& note : diagnostic.notes) out += fmt::format("  = note: {}\n", note);
  if (!diagnostic.hint.empty()) out += fmt::format("  = {}hint{}: {}\n", cyan, reset, diagnostic.hint);
  return out;
}

std::string FormatDiagnostics(const std::vector<Diagnostic>& diagnostics, bool color) {
  std::string out;
  for (const auto& diagnostic : diagnostics) out += FormatDiagnostic(diagnostic, color);
  if (diagnostics.size() > 1) out += fmt::format("{} errors\n", diagnostics.size());
  return out;
}

static std::string Summarize(const std::vector<Diagnostic>& diagnostics) {
  return diagnostics.empty() ? std::string("error") : diagnostics.front().message;
}

SqlflowError::SqlflowError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(Summarize(diagnostics)), diagnostics_(std::move(diagnostics)) {}

SqlflowError::SqlflowError(Diagnostic diagnostic)
    : SqlflowError(std::vector<Diagnostic>{std::move(diagnostic)}) {}

}  // namespace sqlflow::common
