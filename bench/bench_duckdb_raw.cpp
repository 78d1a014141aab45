// The baseline twin: runs SQL files through the DuckDB C API directly (via the thin RAII wrapper,
// which adds nothing per row) on one fresh in-memory database, and prints the wall time of the
// last file in seconds (the earlier ones are set-up).
//   bench_duckdb_raw FILE.sql [FILE.sql ...] [NAME=VALUE ...]   (each NAME is replaced by VALUE)
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "engine/duckdb.h"

namespace {

std::string ReadSql(const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& replacements) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string sql = buffer.str();
  for (const auto& [name, value] : replacements) {
    for (size_t pos = 0; (pos = sql.find(name, pos)) != std::string::npos; pos += value.size()) {
      sql.replace(pos, name.size(), value);
    }
  }
  return sql;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  std::vector<std::pair<std::string, std::string>> replacements;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    size_t equals = arg.find('=');
    if (equals == std::string::npos) {
      files.push_back(arg);
    } else {
      replacements.emplace_back(arg.substr(0, equals), arg.substr(equals + 1));
    }
  }
  if (files.empty()) {
    std::cerr << "usage: bench_duckdb_raw FILE.sql [FILE.sql ...] [NAME=VALUE ...]\n";
    return 2;
  }
  try {
    sqlflow::engine::Database database = sqlflow::engine::Database::Open({});
    sqlflow::engine::Connection connection(database);
    double seconds = 0;
    for (const auto& file : files) {
      std::string sql = ReadSql(file, replacements);
      auto start = std::chrono::steady_clock::now();
      connection.Query(sql);
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    std::cout << seconds << "\n";
  } catch (const std::exception& error) {
    std::cerr << "bench_duckdb_raw: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
