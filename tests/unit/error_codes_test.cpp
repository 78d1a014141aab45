// The error-code declaration against the sources and the docs: every SF-… code the sources write
// is declared, every declared code is used (or marked reserved), and docs/error_codes.md is what
// the declaration generates.

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/error_codes.h"

namespace sqlflow::common {
namespace {

namespace fs = std::filesystem;

const fs::path kRepository = fs::path(SQLFLOW_TEST_DATA).parent_path();

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every SF-XXX-NNN literal under src/ (three digits exactly, so a family like "SF-PROFILE-0xx" in a
// comment is not a code), with the first file that writes it. The declaration itself is left out.
std::map<std::string, std::string> CodesInSources() {
  static const std::regex code(R"(SF-[A-Z]+-[0-9]{3}(?![0-9A-Za-z]))");
  std::map<std::string, std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(kRepository / "src")) {
    if (!entry.is_regular_file()) continue;
    if (entry.path().filename() == "error_codes.cpp") continue;
    std::string text = ReadFile(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), code), end; it != end; ++it) {
      found.emplace(it->str(), fs::relative(entry.path(), kRepository).string());
    }
  }
  return found;
}

TEST(ErrorCodes, EveryCodeInTheSourcesIsDeclared) {
  auto used = CodesInSources();
  ASSERT_GT(used.size(), 50u) << "the scan of src/ found almost nothing: wrong folder?";
  for (const auto& [code, file] : used) {
    EXPECT_NE(FindErrorCode(code), nullptr)
        << code << " (in " << file << ") is not declared: add it to src/common/error_codes.cpp";
  }
}

TEST(ErrorCodes, EveryDeclaredCodeIsUsedUnlessReserved) {
  auto used = CodesInSources();
  for (const ErrorCode& declared : AllErrorCodes()) {
    std::string code(declared.code);
    if (declared.reserved) {
      EXPECT_EQ(used.count(code), 0u)
          << code << " is marked reserved but " << used[code] << " uses it: drop `reserved`";
    } else {
      EXPECT_EQ(used.count(code), 1u) << code
                                      << " is declared but no file under src/ uses it: remove it or mark "
                                         "it reserved in src/common/error_codes.cpp";
    }
  }
}

TEST(ErrorCodes, DeclarationsAreWellFormed) {
  static const std::regex shape(R"(SF-[A-Z]+-[0-9]{3})");
  std::set<std::string_view> seen;
  for (const ErrorCode& declared : AllErrorCodes()) {
    std::string code(declared.code);
    EXPECT_TRUE(std::regex_match(code, shape)) << code;
    EXPECT_TRUE(seen.insert(declared.code).second) << code << " is declared twice";
    EXPECT_TRUE(declared.exit_code == 0 || declared.exit_code == 1 || declared.exit_code == 2 ||
                declared.exit_code == 130)
        << code << ": exit code " << declared.exit_code;
    EXPECT_FALSE(declared.meaning.empty()) << code;
    EXPECT_EQ(declared.meaning.find('\n'), std::string_view::npos) << code << ": one line only";
    EXPECT_EQ(declared.meaning.find('|'), std::string_view::npos) << code << ": '|' breaks the table";
  }
}

TEST(ErrorCodes, LookUp) {
  const ErrorCode* parse = FindErrorCode("SF-PARSE-001");
  ASSERT_NE(parse, nullptr);
  EXPECT_EQ(parse->exit_code, 2);
  EXPECT_EQ(ExitCodeOf("SF-RUN-001"), 1);
  EXPECT_EQ(ExitCodeOf("SF-UDF-002"), 0);
  EXPECT_EQ(FindErrorCode("SF-NOPE-001"), nullptr);
  EXPECT_EQ(ExitCodeOf("SF-NOPE-001"), 2);
  Error error("SF-STATE-002", "state store: disk I/O error", "check the disk");
  EXPECT_EQ(error.code(), "SF-STATE-002");
  EXPECT_EQ(error.hint(), "check the disk");
  EXPECT_EQ(error.exit_code(), 2);
}

TEST(ErrorCodes, DocsTableIsGenerated) {
  std::string expected = ErrorCodesMarkdown();
  std::string actual = ReadFile(kRepository / "docs" / "error_codes.md");
  EXPECT_TRUE(actual == expected)
      << "docs/error_codes.md differs from src/common/error_codes.cpp; regenerate it with\n"
         "  build/sqlflow errors --markdown > docs/error_codes.md";
}

TEST(ErrorCodes, TextListsEveryCodeOnItsOwnLine) {
  std::istringstream lines(ErrorCodesText());
  std::string line;
  size_t count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_NE(FindErrorCode(line.substr(0, line.find('\t'))), nullptr) << line;
  }
  EXPECT_EQ(count, AllErrorCodes().size());
}

}  // namespace
}  // namespace sqlflow::common
