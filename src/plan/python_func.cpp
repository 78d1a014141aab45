#include "plan/python_func.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lang/lexer.h"
#include "util/strings.h"

namespace sqlflow::plan {

namespace {

using lang::Token;

constexpr const char* kPlaceholderPrefix = "__sqlflow_tudf_";

class Rewriter {
 public:
  Rewriter(const std::string& sql, const udf::UdfCatalog* catalog, int& counter)
      : sql_(sql),
        catalog_(catalog),
        counter_(counter),
        file_(std::make_shared<const common::SourceFile>("", sql)) {
    tokens_ = lang::Tokenize(file_).tokens;  // the tokens' text views point into file_
  }

  PythonFuncRewrite Run() {
    for (size_t i = 0; i + 1 < tokens_.size(); ++i) {
      if (tokens_[i].IsWord("PYTHON_FUNC") && tokens_[i + 1].IsPunct("(")) i = RewriteCall(i);
    }
    std::sort(edits_.begin(), edits_.end(),
              [](const TextEdit& a, const TextEdit& b) { return a.begin < b.begin; });
    result_.sql = sql_;
    for (auto it = edits_.rbegin(); it != edits_.rend(); ++it) {
      result_.sql.replace(it->begin, it->end - it->begin, it->replacement);
    }
    result_.edits = std::move(edits_);
    return std::move(result_);
  }

 private:
  void Issue(size_t offset, std::string code, std::string message, std::string hint = "") {
    result_.issues.push_back({offset, std::move(code), std::move(message), std::move(hint)});
  }

  // Index of the ')' matching the '(' at `open`, or the last token when unbalanced.
  size_t MatchingClose(size_t open) const {
    int depth = 0;
    for (size_t i = open; i < tokens_.size(); ++i) {
      if (tokens_[i].IsPunct("(")) ++depth;
      if (tokens_[i].IsPunct(")") && --depth == 0) return i;
    }
    return tokens_.size() - 1;
  }

  // Rewrites the call starting at `start`; returns the index to continue after.
  size_t RewriteCall(size_t start) {
    size_t close = MatchingClose(start + 1);
    const Token& name_token = tokens_[start + 2];
    if (name_token.kind != Token::Kind::kString && name_token.kind != Token::Kind::kQuotedIdent) {
      Issue(name_token.offset, "SF-UDF-010", "PYTHON_FUNC needs the UDF's name as its first argument",
            "PYTHON_FUNC('module.function', arguments...)");
      return start + 1;
    }
    std::string name = name_token.Unquoted();
    const udf::UdfDefinition* udf = nullptr;
    if (catalog_) {
      std::string error, hint;
      udf = catalog_->Resolve(name, error, hint);
      if (!udf) Issue(name_token.offset, "SF-UDF-011", error, hint);
    } else {
      Issue(name_token.offset, "SF-UDF-011", fmt::format("unknown Python UDF '{}'", name),
            "the project has no python_udfs/*.py files");
    }
    if (!udf) return start + 1;
    // A table UDF stands where a table does (after FROM, JOIN or a comma); a scalar one where a value does.
    const Token& before = start > 0 ? tokens_[start - 1] : tokens_[start];
    bool table_position =
        start > 0 && (before.IsWord("FROM") || before.IsWord("JOIN") || before.IsPunct(","));
    if (udf->is_table() && !table_position) {
      Issue(
          tokens_[start].offset, "SF-UDF-019",
          fmt::format("{} is a table UDF: it returns rows, not a value", udf->name),
          fmt::format("use it in FROM: SELECT * FROM PYTHON_FUNC('{}', table_or_subquery, ...)", udf->name));
      return start + 1;
    }
    if (!udf->is_table() && start > 0 && (before.IsWord("FROM") || before.IsWord("JOIN"))) {
      Issue(tokens_[start].offset, "SF-UDF-019",
            fmt::format("{} is a scalar UDF: it returns a value, not rows", udf->name),
            fmt::format("use it where a value goes: SELECT PYTHON_FUNC('{}', column) FROM t", udf->name));
      return start + 1;
    }
    if (!udf->is_table()) {
      // Only the head changes, so calls nested in the arguments are rewritten on their own.
      const Token& after = tokens_[start + 3];
      size_t end = after.IsPunct(",") ? after.end() : name_token.end();
      edits_.push_back({tokens_[start].offset, end, udf->sql_name() + "("});
      return start + 2;
    }
    RewriteTableCall(start, close, *udf);
    return close;
  }

  // The top-level arguments of a call: token ranges [first, last) between its parentheses.
  std::vector<std::pair<size_t, size_t>> Arguments(size_t open, size_t close) const {
    std::vector<std::pair<size_t, size_t>> arguments;
    size_t begin = open + 1;
    int depth = 0;
    for (size_t i = open + 1; i < close; ++i) {
      if (tokens_[i].IsPunct("(") || tokens_[i].IsPunct("[") || tokens_[i].IsPunct("{")) ++depth;
      if (tokens_[i].IsPunct(")") || tokens_[i].IsPunct("]") || tokens_[i].IsPunct("}")) --depth;
      if (depth == 0 && tokens_[i].IsPunct(",")) {
        arguments.emplace_back(begin, i);
        begin = i + 1;
      }
    }
    arguments.emplace_back(begin, close);
    return arguments;
  }

  std::string Text(size_t first, size_t last) const {
    if (last <= first) return "";
    return sql_.substr(tokens_[first].offset, tokens_[last - 1].end() - tokens_[first].offset);
  }

  void RewriteTableCall(size_t start, size_t close, const udf::UdfDefinition& udf) {
    auto arguments = Arguments(start + 1, close);
    if (arguments.size() < 2 || arguments[1].first == arguments[1].second) {
      Issue(
          tokens_[start].offset, "SF-UDF-012",
          fmt::format("table UDF {} needs its input: PYTHON_FUNC('{}', table_or_subquery, key => value, ...)",
                      udf.name, udf.name));
      return;
    }
    auto [input_first, input_last] = arguments[1];
    std::string input;
    size_t base = tokens_[input_first].offset;  // where the input's text starts in this SQL
    size_t prefix = 0;                          // characters of `input` that are not in this SQL
    if (tokens_[input_first].IsPunct("(") && MatchingClose(input_first) == input_last - 1) {
      input = Text(input_first + 1, input_last - 1);
      base = tokens_[input_first + 1].offset;
    } else {
      static const std::string kSelectFrom = "SELECT * FROM ";
      input = kSelectFrom + Text(input_first, input_last);
      prefix = kSelectFrom.size();
    }
    // Table UDFs in the input run first.
    PythonFuncRewrite inner = Rewriter(input, catalog_, counter_).Run();
    for (auto& call : inner.table_calls) result_.table_calls.push_back(std::move(call));
    for (auto& issue : inner.issues) {
      issue.offset = base + (issue.offset > prefix ? issue.offset - prefix : 0);
      result_.issues.push_back(std::move(issue));
    }
    nlohmann::json kwargs = nlohmann::json::object();
    for (size_t a = 2; a < arguments.size(); ++a) {
      ParseKeywordArgument(arguments[a], kwargs);
      CheckKeyword(udf, tokens_[arguments[a].first]);
    }
    std::string placeholder = fmt::format("{}{}", kPlaceholderPrefix, ++counter_);
    result_.table_calls.push_back(
        {placeholder, udf.name, inner.sql, kwargs.dump(), tokens_[input_first].offset});
    edits_.push_back({tokens_[start].offset, tokens_[close].end(), placeholder});
  }

  // A keyword the function does not take is caught now, not when the step runs.
  void CheckKeyword(const udf::UdfDefinition& udf, const Token& key) {
    if (key.kind != Token::Kind::kWord || !udf.info.contains("params")) return;
    std::vector<std::string> names;
    bool first = true;
    for (const auto& param : udf.info["params"]) {
      std::string kind = param.value("kind", "");
      if (kind == "VAR_KEYWORD") return;  // **kwargs takes anything
      if (first && kind != "KEYWORD_ONLY") {
        first = false;  // the DataFrame
        continue;
      }
      first = false;
      if (kind != "VAR_POSITIONAL") names.push_back(param["name"].get<std::string>());
    }
    if (std::find(names.begin(), names.end(), std::string(key.text)) != names.end()) return;
    std::string hint = util::DidYouMean(key.text, names);
    if (hint.empty())
      hint = names.empty() ? "it takes no keyword arguments" : "it takes: " + util::Join(names, ", ");
    Issue(key.offset, "SF-UDF-015", fmt::format("table UDF {} has no parameter '{}'", udf.name, key.text),
          hint);
  }

  void ParseKeywordArgument(std::pair<size_t, size_t> range, nlohmann::json& kwargs) {
    auto [first, last] = range;
    const Token& key = tokens_[first];
    if (last - first < 3 || key.kind != Token::Kind::kWord || !tokens_[first + 1].IsPunct("=>")) {
      Issue(key.offset, "SF-UDF-013",
            fmt::format("expected a keyword argument (key => value), found '{}'", Text(first, last)),
            "table UDFs take their input first, then key => value pairs");
      return;
    }
    size_t value_first = first + 2;
    bool negative = tokens_[value_first].IsPunct("-") && last - value_first == 2;
    const Token& value = tokens_[negative ? value_first + 1 : value_first];
    if (last - value_first != (negative ? 2u : 1u)) {
      Issue(value.offset, "SF-UDF-013", fmt::format("the value of '{}' must be a literal", key.text),
            "numbers, 'text', true, false or null");
      return;
    }
    std::string name(key.text);
    if (kwargs.contains(name)) {
      Issue(key.offset, "SF-UDF-013", fmt::format("keyword argument '{}' is given twice", name));
      return;
    }
    if (value.kind == Token::Kind::kNumber) {
      nlohmann::json number = nlohmann::json::parse(value.text, nullptr, false);
      if (number.is_discarded()) number = std::stod(std::string(value.text));
      kwargs[name] = negative ? nlohmann::json(-number.get<double>()) : number;
      if (negative && number.is_number_integer()) kwargs[name] = -number.get<int64_t>();
    } else if (value.kind == Token::Kind::kString) {
      kwargs[name] = value.Unquoted();
    } else if (value.IsWord("TRUE") || value.IsWord("FALSE")) {
      kwargs[name] = value.IsWord("TRUE");
    } else if (value.IsWord("NULL")) {
      kwargs[name] = nullptr;
    } else {
      Issue(value.offset, "SF-UDF-013", fmt::format("the value of '{}' must be a literal", key.text),
            "numbers, 'text', true, false or null");
    }
  }

  const std::string& sql_;
  const udf::UdfCatalog* catalog_;
  int& counter_;
  std::shared_ptr<const common::SourceFile> file_;
  std::vector<Token> tokens_;
  std::vector<TextEdit> edits_;
  PythonFuncRewrite result_;
};

}  // namespace

PythonFuncRewrite RewritePythonFuncs(const std::string& sql, const udf::UdfCatalog* catalog, int& counter) {
  if (util::ToUpper(sql).find("PYTHON_FUNC") == std::string::npos) return PythonFuncRewrite{sql, {}, {}, {}};
  return Rewriter(sql, catalog, counter).Run();
}

std::vector<RewriteIssue> CheckDirectUdfCalls(const std::string& sql, const udf::UdfCatalog& catalog) {
  std::vector<RewriteIssue> issues;
  auto file = std::make_shared<const common::SourceFile>("", sql);
  std::vector<Token> tokens = lang::Tokenize(file).tokens;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (tokens[i].kind != Token::Kind::kWord || !tokens[i + 1].IsPunct("(")) continue;
    if (i > 0 && tokens[i - 1].IsPunct(".")) continue;  // schema.function is not a UDF
    std::string name(tokens[i].text);
    std::vector<std::string> candidates;
    for (const auto& udf : catalog.udfs()) {
      if (util::EqualsIgnoreCase(udf.short_name, name)) candidates.push_back(udf.name);
    }
    if (candidates.size() > 1) {
      issues.push_back({tokens[i].offset, "SF-UDF-016",
                        fmt::format("Python UDF name '{}' is ambiguous", name),
                        "call it by its full name: PYTHON_FUNC('" + candidates.front() +
                            "', ...); candidates: " + util::Join(candidates, ", ")});
    } else if (candidates.size() == 1) {
      const udf::UdfDefinition* udf = nullptr;
      for (const auto& candidate : catalog.udfs()) {
        if (candidate.name == candidates.front()) udf = &candidate;
      }
      std::string problem = udf && !udf->is_table() ? udf::ScalarRegistrationProblem(*udf) : "";
      if (!problem.empty()) {
        issues.push_back({tokens[i].offset, "SF-UDF-014",
                          fmt::format("Python UDF {} ({}:{}) cannot be used: {}", udf->name, udf->file,
                                      udf->line, problem),
                          "annotate the return type (-> float) or give return_type=\"DOUBLE\""});
      }
    } else if (candidates.empty()) {
      if (const udf::ImportFailure* failure = catalog.FailureDeclaring(name)) {
        issues.push_back(
            {tokens[i].offset, "SF-UDF-017",
             fmt::format("'{}' is a Python UDF of {}, which failed to import", name, failure->file),
             failure->error});
      }
    }
  }
  return issues;
}

bool IsTableUdfPlaceholder(const std::string& table_key) {
  return util::StartsWith(table_key, kPlaceholderPrefix);
}

}  // namespace sqlflow::plan
