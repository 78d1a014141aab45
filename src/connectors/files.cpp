#include "connectors/files.h"

#include <filesystem>

#include <fmt/format.h>

#include "engine/sql.h"
#include "util/strings.h"

namespace sqlflow::connectors {

using engine::QuoteIdentifier;
using engine::QuoteLiteral;

std::string ResolvePath(const std::string& path, const std::string& root) {
  if (path.find("://") != std::string::npos || root.empty()) return path;
  std::filesystem::path p(path);
  return p.is_absolute() ? path : (std::filesystem::path(root) / p).lexically_normal().string();
}

namespace {

// path may be one file, a glob, or a list of them.
std::string PathArgument(const nlohmann::json& path, const std::string& root) {
  if (path.is_string()) return QuoteLiteral(ResolvePath(path.get<std::string>(), root));
  std::vector<std::string> items;
  for (const auto& item : path) items.push_back(QuoteLiteral(ResolvePath(item.get<std::string>(), root)));
  return "[" + util::Join(items, ", ") + "]";
}

std::string StringList(const nlohmann::json& value) {
  std::vector<std::string> items;
  if (value.is_string()) {
    items.push_back(QuoteLiteral(value.get<std::string>()));
  } else {
    for (const auto& item : value) items.push_back(QuoteLiteral(item.get<std::string>()));
  }
  return "[" + util::Join(items, ", ") + "]";
}

std::string IdentifierList(const nlohmann::json& value) {
  std::vector<std::string> items;
  if (value.is_string()) {
    items.push_back(QuoteIdentifier(value.get<std::string>()));
  } else {
    for (const auto& item : value) items.push_back(QuoteIdentifier(item.get<std::string>()));
  }
  return util::Join(items, ", ");
}

// columns = {'name': 'TYPE', ...} for DuckDB's readers, which take them in the file's order. The
// planner hands a pipeline's object on as a list of one-entry objects in written order (a
// profile's object comes sorted by name).
std::string ColumnTypesArgument(const nlohmann::json& columns) {
  std::vector<std::string> items;
  auto add = [&](const nlohmann::json& object) {
    for (const auto& [name, type] : object.items()) {
      items.push_back(QuoteLiteral(name) + ": " +
                      QuoteLiteral(type.is_string() ? type.get<std::string>() : type.dump()));
    }
  };
  if (columns.is_array()) {
    for (const auto& entry : columns) add(entry);
  } else {
    add(columns);
  }
  return "columns = {" + util::Join(items, ", ") + "}";
}

void AddCompression(const nlohmann::json& options, std::vector<std::string>& parts) {
  if (!options.contains("compression")) return;
  parts.push_back("COMPRESSION " + QuoteLiteral(util::ToLower(options["compression"].get<std::string>())));
}

// compression = '...' for DuckDB's CSV and JSON readers (by default they go by the extension).
void AddReaderCompression(const nlohmann::json& params, std::vector<std::string>& args) {
  std::string compression = util::ToLower(params.value("compression", std::string("auto")));
  if (compression != "auto") args.push_back("compression = " + QuoteLiteral(compression));
}

void AddPartitionBy(const nlohmann::json& options, std::vector<std::string>& parts) {
  if (options.contains("partition_by"))
    parts.push_back("PARTITION_BY (" + IdentifierList(options["partition_by"]) + ")");
}

// The files a path parameter names (globs expanded by DuckDB's own glob()).
std::string TestFiles(const nlohmann::json& params, const std::string& root) {
  if (!params.contains("path")) throw ConnectorError("no path", false);
  std::vector<std::string> patterns;
  if (params["path"].is_string()) {
    patterns.push_back(params["path"].get<std::string>());
  } else {
    for (const auto& item : params["path"]) patterns.push_back(item.get<std::string>());
  }
  size_t files = 0;
  engine::Database database = engine::Database::Open({});
  engine::Connection connection(database);
  for (const auto& pattern : patterns) {
    std::string resolved = ResolvePath(pattern, root);
    auto count = connection.QueryScalar("SELECT count(*) FROM glob(" + QuoteLiteral(resolved) + ")");
    size_t found = count ? std::stoul(*count) : 0;
    if (found == 0) throw ConnectorError(fmt::format("no file matches {}", resolved), false);
    files += found;
  }
  return fmt::format("{} file{} found", files, files == 1 ? "" : "s");
}

std::string Bool(const nlohmann::json& value) {
  return value.get<bool>() ? "true" : "false";
}

class CsvConnector : public Connector, public QuerySource, public FileSink {
 public:
  const QuerySource* query_source() const override { return this; }
  const FileSink* file_sink() const override { return this; }
  std::string type() const override { return "CSV"; }
  std::string Test(const nlohmann::json& params, const std::string& root) const override {
    return TestFiles(params, root);
  }

  const std::vector<ParamSpec>& source_params() const override {
    static const std::vector<ParamSpec> specs = {
        {"path", ParamType::kStringOrList, true, {"file", "file_path"}, {}},
        {"has_header", ParamType::kBool, false, {"header"}, {}},
        {"delimiter", ParamType::kString, false, {"delim", "sep", "separator"}, {}},
        {"quote", ParamType::kString, false, {}, {}},
        {"escape", ParamType::kString, false, {}, {}},
        {"encoding", ParamType::kString, false, {}, {}},
        {"columns", ParamType::kObject, false, {"types", "dtypes"}, {}},
        {"null_values", ParamType::kStringOrList, false, {"nullstr", "null_value"}, {}},
        {"skip_rows", ParamType::kInteger, false, {"skip"}, {}},
        {"dateformat", ParamType::kString, false, {"date_format"}, {}},
        {"timestampformat", ParamType::kString, false, {"timestamp_format"}, {}},
        {"auto_detect", ParamType::kBool, false, {}, {}},
        {"union_by_name", ParamType::kBool, false, {}, {}},
        {"compression", ParamType::kString, false, {}, {"none", "gzip", "zstd", "auto"}},
    };
    return specs;
  }

  const std::vector<ParamSpec>& export_options() const override {
    static const std::vector<ParamSpec> specs = {
        {"header", ParamType::kBool, false, {"has_header"}, {}},
        {"delimiter", ParamType::kString, false, {"delim", "sep", "separator"}, {}},
        {"quote", ParamType::kString, false, {}, {}},
        {"escape", ParamType::kString, false, {}, {}},
        {"compression", ParamType::kString, false, {}, {"none", "gzip", "zstd", "auto"}},
        {"null_value", ParamType::kString, false, {"nullstr"}, {}},
        {"dateformat", ParamType::kString, false, {"date_format"}, {}},
        {"timestampformat", ParamType::kString, false, {"timestamp_format"}, {}},
        {"partition_by", ParamType::kStringOrList, false, {}, {}},
    };
    return specs;
  }

  std::string SourceQuery(const nlohmann::json& params, const std::string& root) const override {
    std::vector<std::string> args = {PathArgument(params["path"], root)};
    if (params.contains("has_header")) args.push_back("header = " + Bool(params["has_header"]));
    if (params.contains("delimiter"))
      args.push_back("delim = " + QuoteLiteral(params["delimiter"].get<std::string>()));
    if (params.contains("quote"))
      args.push_back("quote = " + QuoteLiteral(params["quote"].get<std::string>()));
    if (params.contains("escape"))
      args.push_back("escape = " + QuoteLiteral(params["escape"].get<std::string>()));
    if (params.contains("encoding"))
      args.push_back("encoding = " + QuoteLiteral(params["encoding"].get<std::string>()));
    if (params.contains("columns")) args.push_back(ColumnTypesArgument(params["columns"]));
    if (params.contains("null_values")) args.push_back("nullstr = " + StringList(params["null_values"]));
    if (params.contains("skip_rows"))
      args.push_back(fmt::format("skip = {}", params["skip_rows"].get<int64_t>()));
    if (params.contains("dateformat"))
      args.push_back("dateformat = " + QuoteLiteral(params["dateformat"].get<std::string>()));
    if (params.contains("timestampformat")) {
      args.push_back("timestampformat = " + QuoteLiteral(params["timestampformat"].get<std::string>()));
    }
    if (params.contains("auto_detect")) args.push_back("auto_detect = " + Bool(params["auto_detect"]));
    if (params.contains("union_by_name")) args.push_back("union_by_name = " + Bool(params["union_by_name"]));
    AddReaderCompression(params, args);
    return "SELECT * FROM read_csv(" + util::Join(args, ", ") + ")";
  }

  std::string CopyOptions(const nlohmann::json& options) const override {
    std::vector<std::string> parts = {"FORMAT csv"};
    parts.push_back("HEADER " + (options.contains("header") ? Bool(options["header"]) : std::string("true")));
    if (options.contains("delimiter"))
      parts.push_back("DELIMITER " + QuoteLiteral(options["delimiter"].get<std::string>()));
    if (options.contains("quote"))
      parts.push_back("QUOTE " + QuoteLiteral(options["quote"].get<std::string>()));
    if (options.contains("escape"))
      parts.push_back("ESCAPE " + QuoteLiteral(options["escape"].get<std::string>()));
    AddCompression(options, parts);
    if (options.contains("null_value"))
      parts.push_back("NULLSTR " + QuoteLiteral(options["null_value"].get<std::string>()));
    if (options.contains("dateformat"))
      parts.push_back("DATEFORMAT " + QuoteLiteral(options["dateformat"].get<std::string>()));
    if (options.contains("timestampformat")) {
      parts.push_back("TIMESTAMPFORMAT " + QuoteLiteral(options["timestampformat"].get<std::string>()));
    }
    AddPartitionBy(options, parts);
    return util::Join(parts, ", ");
  }
};

class ParquetConnector : public Connector, public QuerySource, public FileSink {
 public:
  const QuerySource* query_source() const override { return this; }
  const FileSink* file_sink() const override { return this; }
  std::string type() const override { return "PARQUET"; }
  std::string Test(const nlohmann::json& params, const std::string& root) const override {
    return TestFiles(params, root);
  }

  const std::vector<ParamSpec>& source_params() const override {
    static const std::vector<ParamSpec> specs = {
        {"path", ParamType::kStringOrList, true, {"file", "file_path"}, {}},
        {"columns", ParamType::kStringList, false, {}, {}},
        {"union_by_name", ParamType::kBool, false, {}, {}},
        {"hive_partitioning", ParamType::kBool, false, {}, {}},
    };
    return specs;
  }

  const std::vector<ParamSpec>& export_options() const override {
    static const std::vector<ParamSpec> specs = {
        {"compression",
         ParamType::kString,
         false,
         {"codec"},
         {"uncompressed", "snappy", "gzip", "zstd", "lz4", "brotli"}},
        {"row_group_size", ParamType::kInteger, false, {}, {}},
        {"partition_by", ParamType::kStringOrList, false, {}, {}},
    };
    return specs;
  }

  std::string SourceQuery(const nlohmann::json& params, const std::string& root) const override {
    std::vector<std::string> args = {PathArgument(params["path"], root)};
    if (params.contains("union_by_name")) args.push_back("union_by_name = " + Bool(params["union_by_name"]));
    if (params.contains("hive_partitioning"))
      args.push_back("hive_partitioning = " + Bool(params["hive_partitioning"]));
    std::string columns = params.contains("columns") ? IdentifierList(params["columns"]) : "*";
    return "SELECT " + columns + " FROM read_parquet(" + util::Join(args, ", ") + ")";
  }

  std::string CopyOptions(const nlohmann::json& options) const override {
    std::vector<std::string> parts = {"FORMAT parquet"};
    AddCompression(options, parts);
    if (options.contains("row_group_size")) {
      parts.push_back(fmt::format("ROW_GROUP_SIZE {}", options["row_group_size"].get<int64_t>()));
    }
    AddPartitionBy(options, parts);
    return util::Join(parts, ", ");
  }
};

class JsonConnector : public Connector, public QuerySource, public FileSink {
 public:
  const QuerySource* query_source() const override { return this; }
  const FileSink* file_sink() const override { return this; }
  std::string type() const override { return "JSON"; }
  std::string Test(const nlohmann::json& params, const std::string& root) const override {
    return TestFiles(params, root);
  }

  const std::vector<ParamSpec>& source_params() const override {
    static const std::vector<ParamSpec> specs = {
        {"path", ParamType::kStringOrList, true, {"file", "file_path"}, {}},
        {"format", ParamType::kString, false, {}, {"auto", "array", "newline_delimited", "ndjson"}},
        {"columns", ParamType::kObject, false, {}, {}},
        {"compression", ParamType::kString, false, {}, {"none", "gzip", "zstd", "auto"}},
    };
    return specs;
  }

  const std::vector<ParamSpec>& export_options() const override {
    static const std::vector<ParamSpec> specs = {
        {"format", ParamType::kString, false, {}, {"array", "newline_delimited", "ndjson"}},
        {"compression", ParamType::kString, false, {}, {"none", "gzip", "zstd", "auto"}},
    };
    return specs;
  }

  static std::string Format(const nlohmann::json& params) {
    std::string format =
        params.contains("format") ? util::ToLower(params["format"].get<std::string>()) : "auto";
    return format == "ndjson" ? "newline_delimited" : format;
  }

  std::string SourceQuery(const nlohmann::json& params, const std::string& root) const override {
    std::vector<std::string> args = {PathArgument(params["path"], root),
                                     "format = " + QuoteLiteral(Format(params))};
    if (params.contains("columns")) args.push_back(ColumnTypesArgument(params["columns"]));
    AddReaderCompression(params, args);
    return "SELECT * FROM read_json(" + util::Join(args, ", ") + ")";
  }

  std::string CopyOptions(const nlohmann::json& options) const override {
    std::vector<std::string> parts = {"FORMAT json"};
    parts.push_back(std::string("ARRAY ") + (Format(options) == "array" ? "true" : "false"));
    AddCompression(options, parts);
    return util::Join(parts, ", ");
  }
};

}  // namespace

std::unique_ptr<Connector> MakeCsvConnector() {
  return std::make_unique<CsvConnector>();
}
std::unique_ptr<Connector> MakeParquetConnector() {
  return std::make_unique<ParquetConnector>();
}
std::unique_ptr<Connector> MakeJsonConnector() {
  return std::make_unique<JsonConnector>();
}

}  // namespace sqlflow::connectors
