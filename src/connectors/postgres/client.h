#pragma once
// libpq behind RAII: a connection made from SQLFlow's parameter names, results that clear
// themselves, and PostgreSQL's errors turned into clear ones. Passwords never reach a message.

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "connectors/registry.h"

struct pg_conn;
struct pg_result;

namespace sqlflow::connectors::postgres {

// A failure talking to PostgreSQL. `transient`: worth retrying (see IsTransientSqlState).
class PostgresError : public ConnectorError {
 public:
  using ConnectorError::ConnectorError;
};

class Result {
 public:
  explicit Result(pg_result* result) : result_(result) {}
  Result(Result&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result();
  pg_result* get() const { return result_; }
  std::string Value(int row, int column) const;
  int rows() const;

 private:
  pg_result* result_;
};

class Client {
 public:
  // Connects with `params` (host, port, dbname/database, user/username, password, sslmode,
  // connect_timeout, or a `connection` URI); libpq fills the rest from PG* variables.
  explicit Client(const nlohmann::json& params);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client();

  // Runs SQL that returns rows or nothing; throws PostgresError.
  Result Execute(const std::string& sql);
  pg_conn* get() const { return connection_; }
  std::string ServerVersion() const;
  // Throws what failed: `result`'s error when given (its SQLSTATE decides whether it is transient,
  // IsTransientSqlState), else the connection's last error; a connection that is no longer open
  // is always transient.
  [[noreturn]] void Fail(const std::string& what, const pg_result* result = nullptr);

 private:
  pg_conn* connection_ = nullptr;
  std::string where_;  // host:port/dbname, for messages
};

// `schema.table` quoted part by part (engine::QuoteIdentifier, case kept); a name the user already
// quoted is taken as written.
std::string QuoteQualified(const std::string& qualified);

// A clear message for a libpq error: PostgreSQL's words and, when recognized, the likely cause in
// brackets; never the password. The words only explain: they never decide a retry.
std::string ExplainError(const std::string& raw, const std::string& where);

// Whether a failure with this SQLSTATE may succeed on a second try: a connection exception (class
// 08), a serialization failure (40001), a deadlock (40P01), the server shutting down, crashed or
// starting up (57P01, 57P02, 57P03), too many connections (53300).
bool IsTransientSqlState(std::string_view sqlstate);

}  // namespace sqlflow::connectors::postgres
