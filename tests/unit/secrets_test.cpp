#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "util/secrets.h"

namespace sqlflow::util {
namespace {

TEST(RedactorTest, MasksEveryOccurrenceOfAValue) {
  Redactor redactor;
  redactor.Add("hunter2-secret");
  EXPECT_EQ(redactor.Redact("a hunter2-secret b hunter2-secret"), "a *** b ***");
  EXPECT_EQ(redactor.Redact("nothing here"), "nothing here");
}

TEST(RedactorTest, MasksTheQuotedAndJsonEscapedForms) {
  Redactor redactor;
  redactor.Add("it's \"x\"\\y");
  EXPECT_EQ(redactor.Redact("SELECT 'it''s \"x\"\\y'"), "SELECT '***'");  // SQL string: ' doubled
  EXPECT_EQ(redactor.Redact("Could not convert string 'it's \"x\"\\y'"), "Could not convert string '***'");
  EXPECT_EQ(redactor.Redact("\"it's \"\"x\"\"\\y\""), "\"***\"");              // SQL identifier: " doubled
  EXPECT_EQ(redactor.Redact(R"({"v": "it's \"x\"\\y"})"), R"({"v": "***"})");  // JSON text
}

TEST(RedactorTest, IgnoresValuesShorterThanTheMinimum) {
  Redactor redactor;
  redactor.Add("abc");
  redactor.Add("");
  EXPECT_TRUE(redactor.empty());
  EXPECT_EQ(redactor.Redact("abc abc"), "abc abc");
  redactor.Add("abcd");
  EXPECT_EQ(redactor.Redact("abc abcd"), "abc ***");
}

TEST(RedactorTest, LongerSecretsAreMaskedWhole) {
  Redactor redactor;
  redactor.Add("pass");
  redactor.Add("password-of-admin");
  EXPECT_EQ(redactor.Redact("password-of-admin pass"), "*** ***");
}

TEST(RedactorTest, RedactJsonMasksStringsAndKeysOnly) {
  Redactor redactor;
  redactor.Add("Tok-12345");
  nlohmann::json value = {
      {"sql", "SELECT 'Tok-12345'"}, {"n", 12345}, {"Tok-12345", true}, {"list", {"a", "x Tok-12345 y"}}};
  nlohmann::json redacted = redactor.RedactJson(value);
  EXPECT_EQ(redacted["sql"], "SELECT '***'");
  EXPECT_EQ(redacted["n"], 12345);
  EXPECT_EQ(redacted["***"], true);
  EXPECT_EQ(redacted["list"][1], "x *** y");
}

TEST(RedactorTest, AddSecretsOfTakesSecretKeysAndUriPasswords) {
  Redactor redactor;
  redactor.AddSecretsOf({{"user", "etl-user"},
                         {"password", "Pw-998877"},
                         {"nested", {{"api_key", "Key-55443"}, {"port", 5432}}},
                         {"uri", "postgresql://etl:Uri-pw-123@db/x"},
                         {"secret_number", 123456789}});
  EXPECT_EQ(redactor.Redact("etl-user Pw-998877 Key-55443 Uri-pw-123 123456789 5432"),
            "etl-user *** *** *** *** 5432");
}

TEST(RedactorTest, TheProcessRedactorIsSharedUntilCleared) {
  ClearSecretValues();
  AddSecretValue("Shared-4711");
  AddSecretsOf({{"token", "Shared-0815"}});
  EXPECT_EQ(Redact("Shared-4711 Shared-0815"), "*** ***");
  EXPECT_EQ(RedactJson(nlohmann::json("Shared-4711")), "***");
  ClearSecretValues();
  EXPECT_EQ(Redact("Shared-4711"), "Shared-4711");
}

}  // namespace
}  // namespace sqlflow::util
