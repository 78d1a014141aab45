#include "connectors/postgres/client.h"

#include <libpq-fe.h>

#include <vector>

#include <fmt/format.h>

#include "engine/sql.h"
#include "util/strings.h"

namespace sqlflow::connectors::postgres {

Result::~Result() {
  if (result_) PQclear(result_);
}

std::string Result::Value(int row, int column) const {
  return PQgetisnull(result_, row, column) ? std::string() : std::string(PQgetvalue(result_, row, column));
}

int Result::rows() const {
  return PQntuples(result_);
}

std::string QuoteQualified(const std::string& qualified) {
  // Already quoted by the user: keep it.
  if (qualified.find('"') != std::string::npos) return qualified;
  std::vector<std::string> parts = util::Split(qualified, '.');
  for (auto& part : parts) part = engine::QuoteIdentifier(part);
  return util::Join(parts, ".");
}

std::string ExplainError(const std::string& raw, const std::string& where) {
  std::string message(util::Trim(raw));
  for (const char* prefix : {"ERROR:  ", "FATAL:  "}) {
    if (util::StartsWith(message, prefix)) message = message.substr(std::string(prefix).size());
  }
  std::string lower = util::ToLower(message);
  std::string cause;
  if (lower.find("password authentication failed") != std::string::npos ||
      lower.find("no password supplied") != std::string::npos) {
    cause = "authentication failed: check user and password (password, PGPASSWORD or the profile connector)";
  } else if (lower.find("connection refused") != std::string::npos) {
    cause = "connection refused: is PostgreSQL running on that host and port?";
  } else if (lower.find("could not translate host name") != std::string::npos) {
    cause = "unknown host: check host (or PGHOST)";
  } else if (lower.find("timeout expired") != std::string::npos) {
    cause = "connection timed out: check host, port and firewalls, or raise connect_timeout";
  } else if (lower.find("database") != std::string::npos &&
             lower.find("does not exist") != std::string::npos) {
    cause = "unknown database: check dbname (or PGDATABASE)";
  } else if (lower.find("ssl") != std::string::npos) {
    cause = "SSL problem: check sslmode and the server's SSL settings";
  } else if (lower.find("server closed the connection") != std::string::npos ||
             lower.find("terminating connection") != std::string::npos ||
             lower.find("no connection to the server") != std::string::npos) {
    cause = "the server closed the connection";
  }
  // The first line is PostgreSQL's own words; the rest (LINE/HINT) is kept.
  std::string text = fmt::format("PostgreSQL ({}): {}", where, message);
  if (!cause.empty()) text += fmt::format(" [{}]", cause);
  return text;
}

bool IsTransientSqlState(std::string_view sqlstate) {
  if (sqlstate.size() != 5) return false;
  if (sqlstate.substr(0, 2) == "08") return true;  // connection_exception and its subclasses
  for (std::string_view transient : {"40001", "40P01", "57P01", "57P02", "57P03", "53300"}) {
    if (sqlstate == transient) return true;
  }
  return false;
}

namespace {

// libpq keywords for SQLFlow's parameter names; unknown keys were rejected by the schema.
std::vector<std::pair<std::string, std::string>> Keywords(const nlohmann::json& params) {
  std::vector<std::pair<std::string, std::string>> keywords;
  auto text = [](const nlohmann::json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
  };
  const std::vector<std::pair<std::string, std::string>> names = {
      {"connection", "dbname"},  // a postgresql:// URI is expanded by libpq from dbname
      {"host", "host"},
      {"port", "port"},
      {"dbname", "dbname"},
      {"user", "user"},
      {"password", "password"},
      {"sslmode", "sslmode"},
      {"connect_timeout", "connect_timeout"}};
  for (const auto& [name, keyword] : names) {
    if (params.contains(name) && !params[name].is_null()) keywords.emplace_back(keyword, text(params[name]));
  }
  if (!params.contains("connect_timeout")) keywords.emplace_back("connect_timeout", "10");
  keywords.emplace_back("application_name", "sqlflow");
  keywords.emplace_back("options", "-c client_min_messages=warning");  // no NOTICE chatter on stderr
  return keywords;
}

}  // namespace

Client::Client(const nlohmann::json& params) {
  auto keywords = Keywords(params);
  std::vector<const char*> keys, values;
  for (const auto& [key, value] : keywords) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  connection_ = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  std::string host = PQhost(connection_) ? PQhost(connection_) : "?";
  std::string port = PQport(connection_) ? PQport(connection_) : "?";
  std::string db = PQdb(connection_) ? PQdb(connection_) : "?";
  where_ = fmt::format("{}:{}/{}", host, port, db);
  if (PQstatus(connection_) != CONNECTION_OK) {
    // libpq keeps no SQLSTATE for a failed connection attempt, so the attempt counts as transient
    // (the server may be starting, restarting or full) unless it failed for want of a password.
    bool transient = !PQconnectionNeedsPassword(connection_);
    std::string explained = ExplainError(PQerrorMessage(connection_), where_);
    // The destructor does not run for a constructor that throws: close the handle here.
    PQfinish(connection_);
    connection_ = nullptr;
    throw PostgresError("cannot connect: " + explained, transient);
  }
}

Client::~Client() {
  if (connection_) PQfinish(connection_);
}

void Client::Fail(const std::string& what, const pg_result* result) {
  const char* sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  bool transient = PQstatus(connection_) != CONNECTION_OK || (sqlstate && IsTransientSqlState(sqlstate));
  std::string raw =
      result && *PQresultErrorMessage(result) ? PQresultErrorMessage(result) : PQerrorMessage(connection_);
  std::string explained = ExplainError(raw, where_);
  throw PostgresError(what.empty() ? explained : fmt::format("{}: {}", what, explained), transient);
}

Result Client::Execute(const std::string& sql) {
  Result result(PQexec(connection_, sql.c_str()));
  ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Fail("", result.get());
  return result;
}

std::string Client::ServerVersion() const {
  int version = PQserverVersion(connection_);
  return fmt::format("{}.{}", version / 10000, version % 10000);
}

}  // namespace sqlflow::connectors::postgres
