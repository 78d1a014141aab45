#pragma once
// A variable's value. Variables arrive typed (CLI JSON, profile YAML, SET literals) or as text
// (environment, k=v flags); conditions compare them as typed values, SQL bodies splice their text.

#include <string>

namespace sqlflow::lang {

struct Value {
  enum class Kind { kNull, kBool, kNumber, kText };
  Kind kind = Kind::kNull;
  std::string text;  // the spelling used when spliced into SQL or a path: "42", "true", "us-east"

  static Value Null() { return Value{Kind::kNull, ""}; }
  static Value Bool(bool b) { return Value{Kind::kBool, b ? "true" : "false"}; }
  static Value Number(std::string spelling) { return Value{Kind::kNumber, std::move(spelling)}; }
  static Value Text(std::string text) { return Value{Kind::kText, std::move(text)}; }

  bool operator==(const Value& other) const { return kind == other.kind && text == other.text; }
};

// Types text written without a type (a k=v flag, a default): numbers and true/false keep theirs.
Value ValueFromText(const std::string& text);

}  // namespace sqlflow::lang
