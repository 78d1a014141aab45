#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/warnings.h"

namespace sqlflow::common {
namespace {

// What the sink printed to a temporary file standing in for stderr.
class Console {
 public:
  Console() : file_(std::tmpfile()) {}
  ~Console() {
    ConfigureWarnings({});
    ClearWarnings();
    std::fclose(file_);
  }
  std::FILE* get() const { return file_; }
  std::string Text() const {
    std::fflush(file_);
    std::rewind(file_);
    std::string text;
    char buffer[256];
    size_t read = 0;
    while ((read = std::fread(buffer, 1, sizeof buffer, file_)) > 0) text.append(buffer, read);
    return text;
  }

 private:
  std::FILE* file_;
};

TEST(Warnings, PrintsAndCollects) {
  Console console;
  ClearWarnings();
  ConfigureWarnings({.console = console.get()});
  Warn("SF-CONN-005", "cannot load plugin x.so");
  EXPECT_EQ(console.Text(), "warning[SF-CONN-005]: cannot load plugin x.so\n");
  auto collected = CollectedWarnings();
  ASSERT_EQ(collected.size(), 1u);
  EXPECT_EQ(collected[0].code, "SF-CONN-005");
  EXPECT_EQ(collected[0].message, "cannot load plugin x.so");
}

TEST(Warnings, QuietCollectsWithoutPrinting) {
  Console console;
  ClearWarnings();
  ConfigureWarnings({.quiet = true, .console = console.get()});
  Warn("SF-UDF-002", "cannot register Python UDF a.b");
  EXPECT_EQ(console.Text(), "");
  EXPECT_EQ(CollectedWarnings().size(), 1u);
}

TEST(Warnings, JsonPrintsOneObjectALine) {
  Console console;
  ClearWarnings();
  ConfigureWarnings({.json = true, .console = console.get()});
  Warn("SF-CONN-005", "plugin \"p\" speaks ABI 2");
  EXPECT_EQ(console.Text(),
            "{\"warning\":{\"code\":\"SF-CONN-005\",\"message\":\"plugin \\\"p\\\" speaks ABI 2\"}}\n");
}

TEST(Warnings, ManyThreadsLoseNothing) {
  Console console;
  ClearWarnings();
  ConfigureWarnings({.console = console.get()});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < 100; ++i) Warn("SF-UDF-002", "x");
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(CollectedWarnings().size(), 800u);
  std::string text = console.Text();
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 800u);
  EXPECT_EQ(text.size(), 800 * std::string("warning[SF-UDF-002]: x\n").size());
}

}  // namespace
}  // namespace sqlflow::common
