#include "lang/condition.h"

#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace sqlflow::lang {
namespace {

class ConditionTest : public ::testing::Test {
 protected:
  // Evaluates `text` as a whole file, so a token at offset i is at column i + 1.
  bool Eval(const std::string& text) {
    auto file = std::make_shared<const common::SourceFile>("p.sf", text);
    return EvaluateCondition(text, common::Location{file, 0}, Lookup());
  }

  // The single diagnostic `text` must raise.
  common::Diagnostic Error(const std::string& text) {
    try {
      Eval(text);
    } catch (const common::SqlflowError& error) {
      EXPECT_EQ(error.diagnostics().size(), 1u);
      return error.diagnostics().front();
    }
    ADD_FAILURE() << "no error for condition: " << text;
    return {};
  }

  VariableLookup Lookup() {
    return [this](const std::string& name) -> std::optional<Value> {
      auto it = vars_.find(name);
      if (it == vars_.end()) return std::nullopt;
      return it->second;
    };
  }

  std::map<std::string, Value> vars_;
};

// --- limits ------------------------------------------------------------------------------------

std::string Repeated(const std::string& part, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += part;
  return out;
}

// Parsing, evaluating and freeing recurse: 100,000 parentheses overflowed the stack.
TEST_F(ConditionTest, ParenthesesAndNotsNestSixtyFourDeep) {
  EXPECT_TRUE(Eval(Repeated("(", 64) + "true" + Repeated(")", 64)));
  EXPECT_TRUE(Eval(Repeated("NOT ", 64) + "true"));
  auto error = Error(Repeated("(", 100000) + "true" + Repeated(")", 100000));
  EXPECT_EQ(error.code, "SF-COND-001");
  EXPECT_EQ(error.message, "condition nested more than 64 levels deep");
  EXPECT_EQ(error.location.column(), 65);
  EXPECT_EQ(Error(Repeated("NOT ", 100000) + "true").location.column(), 64 * 4 + 1);
}

TEST_F(ConditionTest, AConditionHasAtMostAThousandOperatorsAndValues) {
  EXPECT_TRUE(Eval("true" + Repeated(" AND true", 499)));
  auto error = Error("true" + Repeated(" AND true", 100000));
  EXPECT_EQ(error.code, "SF-COND-001");
  EXPECT_EQ(error.message, "condition has more than 1000 operators and values");
}

// --- comparisons -------------------------------------------------------------------------------

TEST_F(ConditionTest, EqualsAcceptsSingleAndDoubleEquals) {
  vars_["env"] = Value::Text("prod");
  EXPECT_TRUE(Eval("${env} == 'prod'"));
  EXPECT_TRUE(Eval("${env} = 'prod'"));
  EXPECT_TRUE(Eval("${env}=='prod'"));
  EXPECT_FALSE(Eval("${env} = 'dev'"));
}

TEST_F(ConditionTest, NotEqualsAcceptsBothSpellings) {
  vars_["env"] = Value::Text("prod");
  EXPECT_TRUE(Eval("${env} != 'dev'"));
  EXPECT_TRUE(Eval("${env} <> 'dev'"));
  EXPECT_FALSE(Eval("${env} != 'prod'"));
  EXPECT_FALSE(Eval("${env} <> \"prod\""));
}

TEST_F(ConditionTest, OrderingOperatorsOnNumbers) {
  vars_["n"] = Value::Number("5");
  EXPECT_TRUE(Eval("${n} < 6"));
  EXPECT_FALSE(Eval("${n} < 5"));
  EXPECT_TRUE(Eval("${n} <= 5"));
  EXPECT_FALSE(Eval("${n} <= 4"));
  EXPECT_TRUE(Eval("${n} > 4"));
  EXPECT_FALSE(Eval("${n} > 5"));
  EXPECT_TRUE(Eval("${n} >= 5"));
  EXPECT_FALSE(Eval("${n} >= 6"));
}

TEST_F(ConditionTest, NumericTextComparesNumerically) {
  EXPECT_TRUE(Eval("'10' > '9'"));
  EXPECT_TRUE(Eval("10 > '9'"));
  vars_["limit"] = Value::Text("10");  // from the environment: text
  EXPECT_TRUE(Eval("${limit} > 9"));
  EXPECT_TRUE(Eval("${limit} == 10.0"));
}

TEST_F(ConditionTest, NumbersEqualByValueNotSpelling) {
  vars_["n"] = Value::Number("5.0");
  EXPECT_TRUE(Eval("${n} == 5"));
  EXPECT_TRUE(Eval("${n} == '5'"));
  EXPECT_TRUE(Eval("1e3 == 1000"));
  EXPECT_TRUE(Eval("-4.5 < 0"));
  EXPECT_TRUE(Eval("${n} > -1e-3"));
}

TEST_F(ConditionTest, NonNumericTextComparesAsText) {
  EXPECT_TRUE(Eval("'apple' < 'banana'"));
  EXPECT_TRUE(Eval("'b' >= 'a'"));
  EXPECT_FALSE(Eval("'Prod' == 'prod'"));  // text equality is case-sensitive
  EXPECT_TRUE(Eval("'abc' != 10"));
}

TEST_F(ConditionTest, HyphenatedBarewordsAreText) {
  vars_["region"] = Value::Text("us-east-1");
  EXPECT_TRUE(Eval("${region} == us-east-1"));
  EXPECT_FALSE(Eval("${region} == us-west-2"));
  EXPECT_TRUE(Eval("my-value == 'my-value'"));
}

TEST_F(ConditionTest, DottedAndDateLikeBarewordsAreText) {
  vars_["version"] = Value::Text("v1.2");
  EXPECT_TRUE(Eval("${version} == v1.2"));
  EXPECT_TRUE(Eval("2024-01-01 == '2024-01-01'"));
  EXPECT_TRUE(Eval("prod == 'prod'"));
}

TEST_F(ConditionTest, BooleansMatchTrueFalseTextCaseInsensitively) {
  vars_["flag"] = Value::Bool(true);
  EXPECT_TRUE(Eval("${flag} == 'TRUE'"));
  EXPECT_TRUE(Eval("${flag} == true"));
  EXPECT_TRUE(Eval("${flag} != 'false'"));
  vars_["flag"] = Value::Text("true");  // from the environment: text
  EXPECT_TRUE(Eval("${flag} == 'TRUE'"));
  EXPECT_TRUE(Eval("${flag} == TRUE"));
  EXPECT_FALSE(Eval("${flag} == false"));
}

TEST_F(ConditionTest, BooleanDoesNotEqualNumberOrOtherText) {
  vars_["flag"] = Value::Bool(true);
  EXPECT_FALSE(Eval("${flag} == 1"));
  EXPECT_FALSE(Eval("${flag} == 'yes'"));
}

TEST_F(ConditionTest, LoneOperandMustBeBooleanLike) {
  vars_["flag"] = Value::Bool(true);
  vars_["off"] = Value::Text("False");
  EXPECT_TRUE(Eval("${flag}"));
  EXPECT_FALSE(Eval("${off}"));
  EXPECT_TRUE(Eval("true"));
  EXPECT_FALSE(Eval("FALSE"));
  EXPECT_TRUE(Eval("'True'"));
}

TEST_F(ConditionTest, NullEqualsOnlyNull) {
  vars_["x"] = Value::Null();
  EXPECT_TRUE(Eval("${x} == null"));
  EXPECT_TRUE(Eval("NULL = null"));
  EXPECT_FALSE(Eval("${x} == ''"));
  EXPECT_FALSE(Eval("${x} == 'null'"));
  EXPECT_TRUE(Eval("${x} != 0"));
  vars_["y"] = Value::Text("a");
  EXPECT_TRUE(Eval("${y} != null"));
}

// --- logic ---------------------------------------------------------------------------------------

TEST_F(ConditionTest, LogicalKeywordsInAnyCase) {
  EXPECT_TRUE(Eval("true and true"));
  EXPECT_TRUE(Eval("false Or true"));
  EXPECT_TRUE(Eval("nOt false"));
  EXPECT_FALSE(Eval("TRUE AND NOT TRUE"));
}

TEST_F(ConditionTest, PrecedenceNotThenAndThenOr) {
  EXPECT_TRUE(Eval("true OR false AND false"));
  EXPECT_FALSE(Eval("NOT true OR false"));
  EXPECT_FALSE(Eval("NOT false AND false"));
  vars_["env"] = Value::Text("prod");
  EXPECT_FALSE(Eval("NOT ${env} == 'prod'"));  // comparison binds tighter than NOT
}

TEST_F(ConditionTest, ParenthesesOverridePrecedence) {
  EXPECT_FALSE(Eval("(true OR false) AND false"));
  EXPECT_TRUE(Eval("NOT (false AND true)"));
  EXPECT_TRUE(Eval("((true))"));
  vars_["env"] = Value::Text("dev");
  vars_["force"] = Value::Bool(true);
  EXPECT_TRUE(Eval("(${env} == 'prod' OR ${force}) AND NOT (${env} == 'test')"));
}

// --- variables -----------------------------------------------------------------------------------

TEST_F(ConditionTest, DefaultsAreUsedWhenUnset) {
  EXPECT_TRUE(Eval("${env|prod} == 'prod'"));
  EXPECT_TRUE(Eval("${region|'us-east'} == us-east"));
  EXPECT_TRUE(Eval("${limit|10} > 9"));  // numeric default compares as a number
  EXPECT_TRUE(Eval("${enabled|true}"));  // true/false defaults are booleans
  EXPECT_FALSE(Eval("${enabled|FALSE}"));
}

TEST_F(ConditionTest, ValueWinsOverDefault) {
  vars_["env"] = Value::Text("dev");
  EXPECT_TRUE(Eval("${env|prod} == 'dev'"));
}

TEST_F(ConditionTest, VariableValueIsNeverReparsed) {
  vars_["x"] = Value::Text("a' OR 'a' == 'a");
  EXPECT_FALSE(Eval("${x} == 'a'"));
  EXPECT_TRUE(Eval("${x} == \"a' OR 'a' == 'a\""));
}

TEST_F(ConditionTest, QuotedStringsInterpolateAsText) {
  vars_["env"] = Value::Text("prod");
  EXPECT_TRUE(Eval("'${env}' == 'prod'"));
  EXPECT_TRUE(Eval("\"db_${env}\" == 'db_prod'"));
  EXPECT_TRUE(Eval("'it''s' == \"it's\""));
}

TEST_F(ConditionTest, UndefinedVariableReportsCodeAndColumn) {
  vars_["env"] = Value::Text("prod");
  common::Diagnostic d = Error("${env} == 'prod' AND ${missing} == 1");
  EXPECT_EQ(d.code, "SF-VAR-001");
  EXPECT_EQ(d.message, "undefined variable 'missing'");
  EXPECT_EQ(d.location.column(), 22);
  EXPECT_EQ(d.location.path(), "p.sf");
  EXPECT_NE(d.hint.find("--vars"), std::string::npos);
  EXPECT_NE(d.hint.find("SET"), std::string::npos);
}

TEST_F(ConditionTest, UndefinedVariableReportedEvenWhenShortCircuitWouldSkipIt) {
  common::Diagnostic d = Error("true OR ${typo}");
  EXPECT_EQ(d.code, "SF-VAR-001");
  EXPECT_EQ(d.location.column(), 9);
}

TEST_F(ConditionTest, UndefinedVariableInsideStringPointsAtDollar) {
  common::Diagnostic d = Error("'db_${env}' == 'x'");
  EXPECT_EQ(d.code, "SF-VAR-001");
  EXPECT_EQ(d.location.column(), 5);
}

TEST_F(ConditionTest, LocationsAreRelativeToStart) {
  // The condition sits on line 2 of a file, after "IF ".
  std::string source = "SET a = 1;\nIF ${x} == 1 THEN";
  auto file = std::make_shared<const common::SourceFile>("p.sf", source);
  std::string_view condition = std::string_view(source).substr(14, 9);
  ASSERT_EQ(condition, "${x} == 1");
  try {
    EvaluateCondition(condition, common::Location{file, 14}, Lookup());
    FAIL() << "expected an error";
  } catch (const common::SqlflowError& error) {
    const common::Diagnostic& d = error.diagnostics().front();
    EXPECT_EQ(d.code, "SF-VAR-001");
    EXPECT_EQ(d.location.line(), 2);
    EXPECT_EQ(d.location.column(), 4);
  }
}

// --- errors --------------------------------------------------------------------------------------

TEST_F(ConditionTest, NonBooleanLoneOperandIsAnError) {
  vars_["count"] = Value::Number("3");
  common::Diagnostic d = Error("true AND ${count}");
  EXPECT_EQ(d.code, "SF-COND-003");
  EXPECT_EQ(d.message, "condition value '3' is not a boolean");
  EXPECT_EQ(d.location.column(), 10);
  EXPECT_EQ(d.hint, "compare it: ${count} == 'value'");
}

TEST_F(ConditionTest, NonBooleanBarewordAndNullAreErrors) {
  EXPECT_EQ(Error("prod").code, "SF-COND-003");
  EXPECT_EQ(Error("'yes'").message, "condition value 'yes' is not a boolean");
  EXPECT_EQ(Error("null").code, "SF-COND-003");
  EXPECT_EQ(Error("NOT 1").location.column(), 5);
}

TEST_F(ConditionTest, FunctionCallIsAnError) {
  common::Diagnostic d = Error("foo(1)");
  EXPECT_EQ(d.code, "SF-COND-002");
  EXPECT_EQ(d.message, "unexpected '(' in condition: function calls are not allowed");
  EXPECT_EQ(d.location.column(), 4);
  EXPECT_EQ(Error("${x|1} == len('abc')").location.column(), 14);
}

TEST_F(ConditionTest, MethodCallAndAttributeAccessAreErrors) {
  common::Diagnostic call = Error("a.b(1) == 2");
  EXPECT_EQ(call.code, "SF-COND-002");
  EXPECT_EQ(call.message, "unexpected '(' in condition: method calls are not allowed");
  EXPECT_EQ(call.location.column(), 4);
  vars_["x"] = Value::Text("v");
  common::Diagnostic attribute = Error("${x}.upper == 'V'");
  EXPECT_EQ(attribute.code, "SF-COND-002");
  EXPECT_EQ(attribute.message, "unexpected '.' in condition: attribute access is not allowed");
  EXPECT_EQ(attribute.location.column(), 5);
}

TEST_F(ConditionTest, ArithmeticIsAnError) {
  vars_["x"] = Value::Number("1");
  common::Diagnostic plus = Error("${x} + 1 == 2");
  EXPECT_EQ(plus.code, "SF-COND-002");
  EXPECT_EQ(plus.message, "unexpected '+' in condition: arithmetic is not allowed");
  EXPECT_EQ(plus.location.column(), 6);
  EXPECT_EQ(Error("${x} == 3 - 1").location.column(), 11);
  EXPECT_EQ(Error("${x}-1 == 0").location.column(), 5);
  EXPECT_EQ(Error("${x} == 2 * 3").code, "SF-COND-002");
  EXPECT_EQ(Error("${x} == 6 / 3").code, "SF-COND-002");
  EXPECT_EQ(Error("- ${x} == 1").location.column(), 1);
}

TEST_F(ConditionTest, EmptyConditionIsAnError) {
  common::Diagnostic d = Error("");
  EXPECT_EQ(d.code, "SF-COND-001");
  EXPECT_EQ(d.message, "empty condition");
  EXPECT_EQ(d.location.column(), 1);
  EXPECT_EQ(Error("   ").code, "SF-COND-001");
}

TEST_F(ConditionTest, UnbalancedParenthesesAreErrors) {
  common::Diagnostic unclosed = Error("true AND (false OR true");
  EXPECT_EQ(unclosed.code, "SF-COND-001");
  EXPECT_EQ(unclosed.message, "unclosed '(' in condition");
  EXPECT_EQ(unclosed.location.column(), 10);
  common::Diagnostic extra = Error("(true)) OR false");
  EXPECT_EQ(extra.code, "SF-COND-001");
  EXPECT_EQ(extra.message, "unexpected ')' in condition: no matching '('");
  EXPECT_EQ(extra.location.column(), 7);
  EXPECT_EQ(Error("()").location.column(), 2);
}

TEST_F(ConditionTest, TrailingTokensAreErrors) {
  common::Diagnostic d = Error("${a|x} == us east");
  EXPECT_EQ(d.code, "SF-COND-001");
  EXPECT_EQ(d.message, "unexpected 'east' in condition");
  EXPECT_EQ(d.location.column(), 14);
  common::Diagnostic typo = Error("true ANDD false");
  EXPECT_EQ(typo.location.column(), 6);
  EXPECT_EQ(typo.hint, "did you mean 'AND'?");
}

TEST_F(ConditionTest, CStyleOperatorsAreErrorsWithHints) {
  common::Diagnostic d = Error("true && false");
  EXPECT_EQ(d.code, "SF-COND-001");
  EXPECT_EQ(d.location.column(), 6);
  EXPECT_EQ(d.hint, "write AND");
  EXPECT_EQ(Error("!true").hint, "write NOT, or != for inequality");
}

TEST_F(ConditionTest, UnterminatedStringAndReferenceAreErrors) {
  common::Diagnostic string = Error("${a|x} == 'prod");
  EXPECT_EQ(string.code, "SF-COND-001");
  EXPECT_EQ(string.location.column(), 11);
  EXPECT_NE(string.message.find("unterminated string"), std::string::npos);
  common::Diagnostic reference = Error("true AND ${flag == 1");
  EXPECT_EQ(reference.code, "SF-COND-001");
  EXPECT_EQ(reference.location.column(), 10);
  EXPECT_EQ(Error("${} == 1").code, "SF-COND-001");
}

TEST_F(ConditionTest, ChainedComparisonIsAnError) {
  common::Diagnostic d = Error("1 < 2 < 3");
  EXPECT_EQ(d.code, "SF-COND-001");
  EXPECT_EQ(d.location.column(), 7);
  EXPECT_NE(d.message.find("chained comparisons"), std::string::npos);
  EXPECT_EQ(Error("(1 < 2) == true").location.column(), 9);
}

TEST_F(ConditionTest, MissingOperandIsAnError) {
  common::Diagnostic d = Error("${a|x} ==");
  EXPECT_EQ(d.code, "SF-COND-001");
  EXPECT_EQ(d.message, "expected a value after '==', found end of condition");
  EXPECT_EQ(d.location.column(), 10);
  common::Diagnostic after_and = Error("true AND OR false");
  EXPECT_EQ(after_and.message, "expected a value after 'AND', found 'OR'");
  EXPECT_EQ(after_and.location.column(), 10);
  EXPECT_EQ(Error("== 1").location.column(), 1);
}

TEST_F(ConditionTest, OrderingBooleansOrNullIsAnError) {
  vars_["flag"] = Value::Bool(true);
  common::Diagnostic d = Error("${flag} > false");
  EXPECT_EQ(d.code, "SF-COND-004");
  EXPECT_EQ(d.location.column(), 9);
  EXPECT_EQ(Error("null < 1").code, "SF-COND-004");
}

TEST_F(ConditionTest, MessageIsTheExceptionText) {
  try {
    Eval("foo(1)");
    FAIL() << "expected an error";
  } catch (const common::SqlflowError& error) {
    EXPECT_STREQ(error.what(), "unexpected '(' in condition: function calls are not allowed");
  }
}

}  // namespace
}  // namespace sqlflow::lang
