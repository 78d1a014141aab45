// Feeds arbitrary patterns and keys to the S3 glob matcher (the pattern comes from a pipeline,
// the keys from a bucket listing). The input is the pattern, a NUL byte, then the key. It must
// answer in time whatever the pattern, and a pattern without glob characters matches only itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "connectors/s3/s3.h"

using sqlflow::connectors::s3::GlobMatch;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  std::string_view pattern = input.substr(0, split);
  std::string_view key = split == std::string_view::npos ? std::string_view() : input.substr(split + 1);
  bool matched = GlobMatch(pattern, key);
  if (pattern.find_first_of("*?[") == std::string_view::npos && matched != (pattern == key)) __builtin_trap();
  // Every key matches `**`, and a key matches itself with its glob characters put in classes.
  if (!GlobMatch("**", key)) __builtin_trap();
  std::string escaped;
  for (char c : key)
    escaped += c == '*' || c == '?' || c == '[' ? std::string{'[', c, ']'} : std::string(1, c);
  if (!GlobMatch(escaped, key)) __builtin_trap();
  return 0;
}
