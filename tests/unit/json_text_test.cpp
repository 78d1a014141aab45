#include "lang/json_text.h"

#include <string>

#include <gtest/gtest.h>

namespace sqlflow::lang {
namespace {

std::string Nested(int depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(JsonTextTest, ObjectsAndArraysNestSixtyFourLevels) {
  EXPECT_FALSE(FindJsonProblem(R"({"a": )" + Nested(63) + "}"));
}

TEST(JsonTextTest, TheSixtyFifthLevelIsTooDeepAtItsBracket) {
  auto problem = FindJsonProblem(R"({"a": )" + Nested(70000) + "}");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->kind, JsonProblem::Kind::kTooDeep);
  EXPECT_EQ(problem->offset, 6u + 63u);
  EXPECT_EQ(problem->Message(), "JSON nested more than 64 levels deep");
}

TEST(JsonTextTest, BracketsInsideStringsDoNotCount) {
  EXPECT_FALSE(FindJsonProblem(R"({"a": ")" + Nested(100) + R"(", "b": "\"[{"})"));
}

TEST(JsonTextTest, AKeyGivenTwiceInOneObjectIsFoundAtTheSecond) {
  std::string text = R"({"path": "a.csv", "x": {"path": 1}, "path": "b.csv"})";
  auto problem = FindJsonProblem(text);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->kind, JsonProblem::Kind::kDuplicateKey);
  EXPECT_EQ(problem->key, "path");
  EXPECT_EQ(problem->offset, text.rfind(R"("path")"));
}

TEST(JsonTextTest, EqualKeysInDifferentObjectsAndEqualValuesAreFine) {
  EXPECT_FALSE(FindJsonProblem(R"({"a": {"k": 1}, "b": {"k": 1}, "c": ["k", "k"], "d": "k"})"));
  EXPECT_FALSE(FindJsonProblem(R"([{"k": 1}, {"k": 2}])"));
}

}  // namespace
}  // namespace sqlflow::lang
