#include "connectors/postgres/postgres.h"

#include <fmt/format.h>

#include "connectors/postgres/client.h"
#include "connectors/postgres/reader.h"
#include "connectors/postgres/writer.h"
#include "util/strings.h"

namespace sqlflow::connectors {

namespace {

// The connection keys both directions take; older spellings are aliases.
std::vector<ParamSpec> ConnectionParams() {
  return {
      {"connection", ParamType::kString, false, {"uri", "dsn"}, {}},
      {"host", ParamType::kString, false, {}, {}},
      {"port", ParamType::kAny, false, {}, {}},
      {"dbname", ParamType::kString, false, {"database"}, {}},
      {"user", ParamType::kString, false, {"username"}, {}},
      {"password", ParamType::kString, false, {}, {}},
      {"sslmode",
       ParamType::kString,
       false,
       {},
       {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}},
      {"connect_timeout", ParamType::kAny, false, {}, {}},
  };
}

class PostgresConnector : public Connector, public IngestSource, public CustomSink {
 public:
  const IngestSource* ingest_source() const override { return this; }
  const CustomSink* custom_sink() const override { return this; }

  std::string type() const override { return "POSTGRES"; }

  const std::vector<ParamSpec>& source_params() const override {
    static const std::vector<ParamSpec> specs = [] {
      std::vector<ParamSpec> all = ConnectionParams();
      all.push_back({"schema", ParamType::kString, false, {}, {}});
      all.push_back({"table", ParamType::kString, false, {}, {}});
      all.push_back({"query", ParamType::kString, false, {"sql"}, {}});
      all.push_back({"sync_mode", ParamType::kString, false, {}, {"full_refresh", "incremental"}});
      all.push_back({"cursor_field", ParamType::kString, false, {}, {}});
      return all;
    }();
    return specs;
  }

  const std::vector<ParamSpec>& export_options() const override {
    static const std::vector<ParamSpec> specs = [] {
      std::vector<ParamSpec> all = ConnectionParams();
      all.push_back({"mode",
                     ParamType::kString,
                     false,
                     {"write_mode"},
                     {"replace", "append", "merge", "overwrite", "upsert"}});
      all.push_back(
          {"keys", ParamType::kStringList, false, {"upsert_keys", "merge_keys", "key_columns"}, {}});
      return all;
    }();
    return specs;
  }

  std::vector<ParamIssue> Validate(const nlohmann::json& params, bool as_source) const override {
    std::vector<ParamIssue> issues;
    if (as_source) {
      bool table = params.contains("table"), query = params.contains("query");
      if (table == query) {
        issues.push_back({table ? "query" : "",
                          table ? "give either \"table\" or \"query\", not both"
                                : "a PostgreSQL source needs \"table\" or \"query\"",
                          "\"table\": \"public.orders\" or \"query\": \"SELECT ... FROM orders\""});
      }
      if (util::ToLower(params.value("sync_mode", std::string())) == "incremental" &&
          !params.contains("cursor_field")) {
        issues.push_back({"sync_mode", "incremental sync needs a \"cursor_field\"",
                          "name a column that only grows, e.g. \"cursor_field\": \"updated_at\""});
      }
      return issues;
    }
    std::string mode = util::ToLower(params.value("mode", std::string("replace")));
    if ((mode == "merge" || mode == "upsert") && (!params.contains("keys") || params["keys"].empty())) {
      issues.push_back({"mode", "a merge into PostgreSQL needs \"keys\"", "\"keys\": [\"id\"]"});
    }
    return issues;
  }

  uint64_t ReadInto(engine::Connection& connection, const nlohmann::json& params, const IngestTarget& target,
                    std::stop_token stop) const override {
    return postgres::ReadInto(connection, params, target, std::move(stop));
  }
  std::optional<std::vector<engine::Column>> DescribeSource(const nlohmann::json& params) const override {
    return postgres::DescribeColumns(params);
  }

  // The rows come from DuckDB's COPY, which the run's interruption stops; `stop` is not needed.
  SinkResult Write(engine::Connection& connection, const std::string& query, const std::string& target,
                   const nlohmann::json& options, std::stop_token) const override {
    postgres::WriteSummary summary = postgres::Write(connection, query, target, options);
    return SinkResult{summary.rows, summary.inserted, summary.updated};
  }

  std::string Test(const nlohmann::json& params, const std::string&) const override {
    postgres::Client client(params);
    postgres::Result result = client.Execute("SELECT current_user, current_database()");
    std::string found = fmt::format("connected to PostgreSQL {} as {} to database {}", client.ServerVersion(),
                                    result.Value(0, 0), result.Value(0, 1));
    if (params.contains("table") || params.contains("query")) {
      client.Execute("SELECT * FROM (" + postgres::SourceQueryFor(params) + ") AS q LIMIT 0");
      found += ", source readable";
    }
    return found;
  }
};

}  // namespace

std::unique_ptr<Connector> MakePostgresConnector() {
  return std::make_unique<PostgresConnector>();
}

}  // namespace sqlflow::connectors
