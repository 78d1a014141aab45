// The baseline twin: runs SQL statements through the DuckDB C API directly (via the thin RAII
// wrapper, which adds nothing per row) on a fresh in-memory database, and prints the wall time.
//   bench_duckdb_raw FILE.sql [NAME=VALUE ...]   (each NAME in the file is replaced by VALUE)
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "engine/duckdb.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bench_duckdb_raw FILE.sql [NAME=VALUE ...]\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string sql = buffer.str();
  for (int i = 2; i < argc; ++i) {
    std::string pair = argv[i];
    size_t equals = pair.find('=');
    std::string name = pair.substr(0, equals), value = pair.substr(equals + 1);
    for (size_t pos = 0; (pos = sql.find(name, pos)) != std::string::npos; pos += value.size()) {
      sql.replace(pos, name.size(), value);
    }
  }
  auto start = std::chrono::steady_clock::now();
  try {
    sqlflow::engine::Database database = sqlflow::engine::Database::Open({});
    sqlflow::engine::Connection connection(database);
    connection.Query(sql);
  } catch (const std::exception& error) {
    std::cerr << "bench_duckdb_raw: " << error.what() << "\n";
    return 1;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << seconds << "\n";
  return 0;
}
