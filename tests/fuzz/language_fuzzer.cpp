// Feeds arbitrary bytes to the lexer, the parser, the condition language and the JSON text checks.
// Errors must come back as diagnostics with valid locations; nothing may crash, hang or read out
// of bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "diagnostics_check.h"
#include "lang/condition.h"
#include "lang/json_text.h"
#include "lang/parser.h"

using namespace sqlflow::lang;
using namespace sqlflow::common;
using sqlflow::fuzz::CheckDiagnostics;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto file = std::make_shared<const SourceFile>("fuzz.sf", text);
  ParseResult result = Parse(file);
  CheckDiagnostics(result.diagnostics, file->text().size());
  if (auto problem = FindJsonProblem(text); problem && problem->offset >= text.size()) __builtin_trap();

  auto lookup = [](const std::string& name) -> std::optional<Value> {
    if (name == "env") return Value::Text("prod");
    if (name == "n") return Value::Number("42");
    if (name == "flag") return Value::Bool(true);
    return std::nullopt;
  };
  try {
    (void)EvaluateCondition(text, Location{file, 0}, lookup);
  } catch (const SqlflowError& error) {
    CheckDiagnostics(error.diagnostics(), file->text().size());
  }
  return 0;
}
