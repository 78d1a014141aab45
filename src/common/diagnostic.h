#pragma once
// Source files, locations and diagnostics. An error is a value with a location and a hint until
// the CLI prints it; a pipeline-aborting failure is one typed exception carrying them.

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace sqlflow::common {

// A pipeline file's text, shared by every location that points into it.
class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }

  // 1-based line and column of a byte offset.
  int LineOf(size_t offset) const;
  int ColumnOf(size_t offset) const;
  // The text of a 1-based line, without its newline.
  std::string_view Line(int line) const;

 private:
  std::string path_;
  std::string text_;
  std::vector<size_t> line_starts_;
};

struct Location {
  std::shared_ptr<const SourceFile> file;
  size_t offset = 0;

  bool valid() const { return file != nullptr; }
  int line() const { return file ? file->LineOf(offset) : 0; }
  int column() const { return file ? file->ColumnOf(offset) : 0; }
  std::string path() const { return file ? file->path() : std::string(); }
  // "file:line:col"
  std::string ToString() const;
  Location Advanced(size_t bytes) const { return Location{file, offset + bytes}; }
};

struct Diagnostic {
  std::string code;  // stable, searchable: SF-PARSE-001
  std::string message;
  Location location;
  std::string hint;
  std::vector<std::string> notes;  // further lines, e.g. every other use of a variable
};

// "file:line:col: error[CODE]: message", the source line with a caret, the hint and notes.
std::string FormatDiagnostic(const Diagnostic& diagnostic, bool color = false);
std::string FormatDiagnostics(const std::vector<Diagnostic>& diagnostics, bool color = false);

// Aborts parsing, planning or validation; carries every diagnostic found. Exit code 2.
class SqlflowError : public std::runtime_error {
 public:
  explicit SqlflowError(std::vector<Diagnostic> diagnostics);
  explicit SqlflowError(Diagnostic diagnostic);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// A usage or configuration error without a source location (bad flag, missing profile). Exit 2.
class UsageError : public common::Error {
 public:
  using common::Error::Error;
};

}  // namespace sqlflow::common
