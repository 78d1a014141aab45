#include "project/project.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

namespace sqlflow::project {
namespace {

namespace fs = std::filesystem;
using common::SqlflowError;
using common::UsageError;
using lang::Value;

fs::path UniqueTempDir() {
  static std::atomic<int> counter{0};
  std::random_device random;
  auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  fs::path dir = fs::temp_directory_path() / ("sqlflow_project_test_" + std::to_string(stamp) + "_" +
                                              std::to_string(random()) + "_" + std::to_string(counter++));
  fs::create_directories(dir);
  return dir;
}

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

class ProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = UniqueTempDir();
    fs::create_directories(root_ / "profiles");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  Profile Load(const std::string& yaml, const std::string& name = "dev") {
    WriteFile(root_ / "profiles" / (name + ".yml"), yaml);
    return LoadProfile(root_, name, env_);
  }

  // The diagnostics of a profile that must fail.
  std::vector<common::Diagnostic> Errors(const std::string& yaml) {
    try {
      Load(yaml);
    } catch (const SqlflowError& e) {
      return e.diagnostics();
    }
    ADD_FAILURE() << "expected a SqlflowError for:\n" << yaml;
    return {};
  }

  // The diagnostic of a profile that must fail with exactly one.
  common::Diagnostic OnlyError(const std::string& yaml) {
    auto errors = Errors(yaml);
    EXPECT_EQ(errors.size(), 1u) << yaml.substr(0, 200);
    return errors.empty() ? common::Diagnostic{} : errors[0];
  }

  fs::path root_;
  Environment env_;
};

// ---------------------------------------------------------------------------------------------
// Profiles

TEST_F(ProjectTest, EmptyProfileHasDefaults) {
  Profile profile = Load("");
  EXPECT_EQ(profile.name, "dev");
  EXPECT_EQ(profile.file, root_ / "profiles" / "dev.yml");
  EXPECT_EQ(profile.engine.mode, EngineConfig::Mode::kMemory);
  EXPECT_TRUE(profile.engine.path.empty());
  EXPECT_EQ(profile.engine.memory_limit, "");
  EXPECT_FALSE(profile.engine.threads.has_value());
  EXPECT_TRUE(profile.engine.temp_directory.empty());
  EXPECT_TRUE(profile.variables.empty());
  EXPECT_TRUE(profile.connectors.empty());
  EXPECT_EQ(profile.pipelines_dir, root_ / "pipelines");
}

TEST_F(ProjectTest, CommentOnlyAndEmptySectionsAreDefaults) {
  Profile profile = Load("# nothing yet\nengines:\nvariables:\nconnectors:\npaths:\n");
  EXPECT_EQ(profile.engine.mode, EngineConfig::Mode::kMemory);
  EXPECT_TRUE(profile.variables.empty());
  EXPECT_EQ(profile.pipelines_dir, root_ / "pipelines");
}

TEST_F(ProjectTest, MemoryModeWithSettings) {
  Profile profile = Load(
      "engines:\n"
      "  duckdb:\n"
      "    mode: memory\n"
      "    memory_limit: 4GB\n"
      "    threads: 4\n"
      "    temp_directory: tmp/spill\n");
  EXPECT_EQ(profile.engine.mode, EngineConfig::Mode::kMemory);
  EXPECT_EQ(profile.engine.memory_limit, "4GB");
  ASSERT_TRUE(profile.engine.threads.has_value());
  EXPECT_EQ(*profile.engine.threads, 4);
  EXPECT_EQ(profile.engine.temp_directory, root_ / "tmp" / "spill");
}

TEST_F(ProjectTest, PersistentRelativePathResolvedAgainstRoot) {
  Profile profile =
      Load("engines:\n  duckdb:\n    mode: persistent\n    path: target/../target/prod.duckdb\n", "prod");
  EXPECT_EQ(profile.engine.mode, EngineConfig::Mode::kPersistent);
  EXPECT_TRUE(profile.engine.path.is_absolute());
  EXPECT_EQ(profile.engine.path, root_ / "target" / "prod.duckdb");
}

TEST_F(ProjectTest, PersistentAbsolutePathKept) {
  fs::path db = root_ / "elsewhere" / "x.duckdb";
  Profile profile = Load("engines:\n  duckdb:\n    mode: persistent\n    path: " + db.string() + "\n");
  EXPECT_EQ(profile.engine.path, db);
}

TEST_F(ProjectTest, PathWithoutModeMeansPersistent) {
  Profile profile = Load("engines:\n  duckdb:\n    path: target/db.duckdb\n");
  EXPECT_EQ(profile.engine.mode, EngineConfig::Mode::kPersistent);
  EXPECT_EQ(profile.engine.path, root_ / "target" / "db.duckdb");
}

// DuckDB would open a CSV or Parquet file as an in-memory database with a view over it.
TEST_F(ProjectTest, PersistentPathToAFileThatIsNoDatabaseIsAnErrorAtThePath) {
  WriteFile(root_ / "data" / "orders.csv", "id,amount\n1,10\n");
  auto error = OnlyError("engines:\n  duckdb:\n    mode: persistent\n    path: data/orders.csv\n");
  EXPECT_EQ(error.code, "SF-PROFILE-018");
  EXPECT_EQ(error.location.line(), 4);
  EXPECT_EQ(error.location.column(), 11);
}

TEST_F(ProjectTest, PersistentPathThatDoesNotExistYetIsFine) {
  Profile profile = Load("engines:\n  duckdb:\n    path: target/new.duckdb\n");
  EXPECT_EQ(profile.engine.path, root_ / "target" / "new.duckdb");
}

TEST_F(ProjectTest, MemoryLimitDuckdbRejectsIsAnErrorAtTheValue) {
  auto error = OnlyError("engines:\n  duckdb:\n    memory_limit: 12\n");
  EXPECT_EQ(error.code, "SF-PROFILE-017");
  EXPECT_EQ(error.location.line(), 3);
  EXPECT_EQ(error.location.column(), 19);
}

TEST_F(ProjectTest, PersistentWithoutPathIsAnError) {
  auto errors = Errors("engines:\n  duckdb:\n    mode: persistent\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, "SF-PROFILE-006");
  EXPECT_EQ(errors[0].location.line(), 3);
  EXPECT_EQ(errors[0].location.column(), 11);
}

TEST_F(ProjectTest, InvalidModeSuggestsTheClosest) {
  auto errors = Errors("engines:\n  duckdb:\n    mode: persistant\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, "SF-PROFILE-005");
  EXPECT_NE(errors[0].message.find("persistant"), std::string::npos);
  EXPECT_EQ(errors[0].hint, "did you mean 'persistent'?");
}

TEST_F(ProjectTest, ThreadsMustBeAPositiveInteger) {
  for (const std::string bad : {"0", "-2", "four", "2.5"}) {
    auto errors = Errors("engines:\n  duckdb:\n    threads: " + bad + "\n");
    ASSERT_EQ(errors.size(), 1u) << bad;
    EXPECT_EQ(errors[0].code, "SF-PROFILE-007") << bad;
    EXPECT_EQ(errors[0].location.line(), 3);
  }
}

TEST_F(ProjectTest, ExecutionIntegersOutOfRangeNameTheKeyAndItsRange) {
  struct Case {
    std::string key, value, range;
  };
  const std::vector<Case> cases = {
      {"retries", "1e20", "from 0 to 100"},    {"retries", "-1e20", "from 0 to 100"},
      {"retries", "2.5", "from 0 to 100"},     {"threads", "1e20", "from 1 to 1024"},
      {"threads", "-1e300", "from 1 to 1024"}, {"threads", "2.5", "from 1 to 1024"},
  };
  for (const auto& [key, value, range] : cases) {
    auto errors = Errors("execution:\n  " + key + ": " + value + "\n");
    ASSERT_EQ(errors.size(), 1u) << key << ": " << value;
    EXPECT_EQ(errors[0].code, "SF-PROFILE-014");
    EXPECT_EQ(errors[0].message,
              "execution." + key + " must be an integer " + range + ", not '" + value + "'");
    EXPECT_EQ(errors[0].location.line(), 2);
  }
  Profile edges = Load("execution:\n  threads: 1024\n  retries: 100\n");
  EXPECT_EQ(edges.execution.threads, 1024);
  EXPECT_EQ(edges.execution.retries, 100);
}

TEST_F(ProjectTest, UnknownKeySuggestsTheClosestOnTheRightLine) {
  auto errors = Errors(
      "engines:\n"
      "  duckdb:\n"
      "    mode: memory\n"
      "    memory_limt: 2GB\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, "SF-PROFILE-003");
  EXPECT_NE(errors[0].message.find("'memory_limt'"), std::string::npos);
  EXPECT_EQ(errors[0].hint, "did you mean 'memory_limit'?");
  EXPECT_EQ(errors[0].location.line(), 4);
  EXPECT_EQ(errors[0].location.column(), 5);
  EXPECT_EQ(errors[0].location.path(), (root_ / "profiles" / "dev.yml").string());
}

TEST_F(ProjectTest, UnknownTopLevelKeyWithoutCloseMatchListsValidKeys) {
  auto errors = Errors("engine:\n  duckdb: {}\nzzzzzzzzzz: 1\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].hint, "did you mean 'engines'?");
  EXPECT_EQ(errors[0].location.line(), 1);
  EXPECT_NE(errors[1].hint.find("valid keys: engines, variables, connectors, paths"), std::string::npos);
  EXPECT_EQ(errors[1].location.line(), 3);
}

TEST_F(ProjectTest, SeveralErrorsReportedTogetherInFileOrder) {
  auto errors = Errors(
      "engines:\n"
      "  duckdb:\n"
      "    mode: persistent\n"
      "    thread: 4\n"
      "connectors:\n"
      "  pg:\n"
      "    typ: POSTGRES\n"
      "pathz:\n"
      "  pipelines: x\n");
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].code, "SF-PROFILE-006");  // persistent without path, at the mode
  EXPECT_EQ(errors[0].location.line(), 3);
  EXPECT_EQ(errors[1].code, "SF-PROFILE-003");
  EXPECT_EQ(errors[1].hint, "did you mean 'threads'?");
  EXPECT_EQ(errors[1].location.line(), 4);
  EXPECT_EQ(errors[2].code, "SF-PROFILE-003");
  EXPECT_EQ(errors[2].hint, "did you mean 'type'?");
  EXPECT_EQ(errors[2].location.line(), 7);
  EXPECT_EQ(errors[3].code, "SF-PROFILE-003");
  EXPECT_EQ(errors[3].hint, "did you mean 'paths'?");
  EXPECT_EQ(errors[3].location.line(), 8);
  // The formatted report carries every diagnostic.
  std::string report = common::FormatDiagnostics(errors);
  EXPECT_NE(report.find("4 errors"), std::string::npos);
}

TEST_F(ProjectTest, YamlSyntaxErrorHasALocation) {
  auto errors = Errors("engines:\n  duckdb:\n    mode: [memory\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, "SF-PROFILE-002");
  EXPECT_TRUE(errors[0].location.valid());
  EXPECT_GE(errors[0].location.line(), 3);
}

TEST_F(ProjectTest, ProfileMustBeAMapping) {
  auto errors = Errors("- engines\n- variables\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, "SF-PROFILE-004");
}

TEST_F(ProjectTest, DuplicateKeyIsReported) {
  auto errors = Errors("variables:\n  a: 1\n  a: 2\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, "SF-PROFILE-011");
  EXPECT_EQ(errors[0].location.line(), 3);
}

TEST_F(ProjectTest, EnvironmentExpansionWithDefaults) {
  env_.Set("SF_TEST_DB", "warehouse.duckdb");
  env_.Set("SF_TEST_THREADS", "8");
  Profile profile = Load(
      "engines:\n"
      "  duckdb:\n"
      "    mode: ${SF_TEST_MODE|persistent}\n"
      "    path: target/${SF_TEST_DB}\n"
      "    threads: ${SF_TEST_THREADS}\n"
      "variables:\n"
      "  region: ${SF_TEST_REGION|'us-east'}\n"
      "  limit: ${SF_TEST_LIMIT|100}\n"
      "  quoted_limit: \"${SF_TEST_LIMIT|100}\"\n");
  EXPECT_EQ(profile.engine.mode, EngineConfig::Mode::kPersistent);
  EXPECT_EQ(profile.engine.path, root_ / "target" / "warehouse.duckdb");
  EXPECT_EQ(profile.engine.threads, 8);
  EXPECT_EQ(profile.variables.at("region"), Value::Text("us-east"));
  EXPECT_EQ(profile.variables.at("limit"), Value::Number("100"));
  EXPECT_EQ(profile.variables.at("quoted_limit"), Value::Text("100"));
}

TEST_F(ProjectTest, UnsetEnvironmentVariablesAreErrorsAtTheirPlace) {
  auto errors = Errors(
      "connectors:\n"
      "  pg:\n"
      "    type: postgres\n"
      "    params: {host: localhost, password: \"${SF_TEST_UNSET_PW}\"}\n"
      "variables:\n"
      "  a: x-${SF_TEST_UNSET_A}\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].code, "SF-PROFILE-008");
  EXPECT_NE(errors[0].message.find("SF_TEST_UNSET_PW"), std::string::npos);
  EXPECT_EQ(errors[0].location.line(), 4);
  EXPECT_EQ(errors[0].location.column(), 42);  // the '$' inside the quotes
  EXPECT_EQ(errors[1].location.line(), 6);
  EXPECT_EQ(errors[1].location.column(), 8);
}

TEST_F(ProjectTest, TypedVariables) {
  Profile profile = Load(
      "variables:\n"
      "  env: dev\n"
      "  enabled: true\n"
      "  off: False\n"
      "  count: 42\n"
      "  ratio: -1.5e3\n"
      "  nothing: null\n"
      "  tilde: ~\n"
      "  empty:\n"
      "  text_number: '42'\n"
      "  text_bool: \"true\"\n"
      "  yes_is_text: yes\n");
  const auto& v = profile.variables;
  EXPECT_EQ(v.at("env"), Value::Text("dev"));
  EXPECT_EQ(v.at("enabled"), Value::Bool(true));
  EXPECT_EQ(v.at("off"), Value::Bool(false));
  EXPECT_EQ(v.at("count"), Value::Number("42"));
  EXPECT_EQ(v.at("ratio"), Value::Number("-1.5e3"));
  EXPECT_EQ(v.at("nothing"), Value::Null());
  EXPECT_EQ(v.at("tilde"), Value::Null());
  EXPECT_EQ(v.at("empty"), Value::Null());
  EXPECT_EQ(v.at("text_number"), Value::Text("42"));
  EXPECT_EQ(v.at("text_bool"), Value::Text("true"));
  EXPECT_EQ(v.at("yes_is_text"), Value::Text("yes"));
}

TEST_F(ProjectTest, FlowStyleVariablesFromTheSpec) {
  Profile profile = Load("variables: {env: dev}\n");
  EXPECT_EQ(profile.variables.at("env"), Value::Text("dev"));
}

TEST_F(ProjectTest, VariableMustBeAScalar) {
  auto errors = Errors("variables:\n  regions: [a, b]\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, "SF-PROFILE-004");
  EXPECT_EQ(errors[0].location.line(), 2);
}

TEST_F(ProjectTest, ConnectorsWithTypedParams) {
  env_.Set("SF_TEST_PGPASSWORD", "s3cret");
  Profile profile = Load(
      "connectors:\n"
      "  pg: {type: postgres, params: {host: localhost, port: 5432, dbname: shop, user: etl, password: "
      "\"${SF_TEST_PGPASSWORD}\"}}\n"
      "  lake:\n"
      "    type: S3\n"
      "    params:\n"
      "      bucket: data\n"
      "      max_files: ${SF_TEST_MAX|10}\n"
      "      ratio: 0.25\n"
      "      secure: false\n"
      "      token: ~\n"
      "      huge: 18446744073709551615\n"
      "      zip: '02134'\n"
      "      columns: [id, name]\n"
      "      nested: {a: 1, b: [true, null]}\n"
      "  bare:\n"
      "    type: csv\n");
  ASSERT_EQ(profile.connectors.size(), 3u);
  const ConnectorConfig& pg = profile.connectors.at("pg");
  EXPECT_EQ(pg.name, "pg");
  EXPECT_EQ(pg.type, "POSTGRES");
  EXPECT_EQ(pg.params["host"], "localhost");
  EXPECT_TRUE(pg.params["port"].is_number_integer());
  EXPECT_EQ(pg.params["port"], 5432);
  EXPECT_EQ(pg.params["password"], "s3cret");

  const ConnectorConfig& lake = profile.connectors.at("lake");
  EXPECT_EQ(lake.type, "S3");
  EXPECT_EQ(lake.params["max_files"], 10);
  EXPECT_TRUE(lake.params["max_files"].is_number_integer());
  EXPECT_TRUE(lake.params["ratio"].is_number_float());
  EXPECT_DOUBLE_EQ(lake.params["ratio"].get<double>(), 0.25);
  EXPECT_EQ(lake.params["secure"], false);
  EXPECT_TRUE(lake.params["token"].is_null());
  EXPECT_TRUE(lake.params["huge"].is_number_unsigned());
  EXPECT_EQ(lake.params["zip"], "02134");
  EXPECT_EQ(lake.params["columns"], nlohmann::json::array({"id", "name"}));
  EXPECT_EQ(lake.params["nested"], nlohmann::json::parse(R"({"a": 1, "b": [true, null]})"));

  const ConnectorConfig& bare = profile.connectors.at("bare");
  EXPECT_EQ(bare.type, "CSV");
  EXPECT_TRUE(bare.params.is_object());
  EXPECT_TRUE(bare.params.empty());
}

TEST_F(ProjectTest, ConnectorProblems) {
  auto errors = Errors(
      "connectors:\n"
      "  pg:\n"
      "    params: {host: x}\n"
      "  s3:\n"
      "    type: S3\n"
      "    host: localhost\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].code, "SF-PROFILE-010");  // no type
  EXPECT_EQ(errors[0].location.line(), 2);
  EXPECT_EQ(errors[1].code, "SF-PROFILE-003");
  EXPECT_EQ(errors[1].hint, "connection settings go under 'params'");
  EXPECT_EQ(errors[1].location.line(), 6);
}

// Found reading ToJson while writing tests/fuzz/profile_yaml_fuzzer.cpp: an alias inside its own
// anchor made the params endless, and ToJson recursed until the stack overflowed.
TEST_F(ProjectTest, ParamsThatReferToThemselvesAreAnError) {
  common::Diagnostic error =
      OnlyError("connectors:\n  pg: {type: POSTGRES, params: &p {host: x, again: *p}}\n");
  EXPECT_EQ(error.code, "SF-PROFILE-015");
  EXPECT_NE(error.message.find("nest more than 64 levels"), std::string::npos) << error.message;
  EXPECT_EQ(error.location.line(), 2);
}

// A "billion laughs": each list names the previous one ten times; 14 lines expand to 10^9 values.
TEST_F(ProjectTest, ParamsThatExpandEndlesslyAreAnError) {
  std::string yaml = "connectors:\n  pg:\n    type: POSTGRES\n    params:\n      l0: &l0 [x]\n";
  for (int i = 1; i < 10; ++i) {
    yaml += "      l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) yaml += (k ? ", *l" : "*l") + std::to_string(i - 1);
    yaml += "]\n";
  }
  common::Diagnostic error = OnlyError(yaml);
  EXPECT_EQ(error.code, "SF-PROFILE-015");
  EXPECT_NE(error.message.find("more than 100000 values"), std::string::npos) << error.message;
}

TEST_F(ProjectTest, DeepButFiniteParamsAreFine) {
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  Profile profile = Load("connectors:\n  deep: {type: CSV, params: {a: " + nested(60) + "}}\n");
  EXPECT_EQ(profile.connectors.at("deep").params.dump(), "{\"a\":" + nested(60) + "}");
  EXPECT_EQ(OnlyError("connectors:\n  deep: {type: CSV, params: {a: " + nested(70) + "}}\n").code,
            "SF-PROFILE-015");
}

// Fuzzing's find (tests/fuzz/seeds/profile_yaml/threads_beyond_int.yml): a number past int's range
// was cast to int (undefined behaviour) before it was compared.
TEST_F(ProjectTest, ExecutionNumbersBeyondIntAreErrors) {
  auto errors = Errors("execution:\n  threads: 44444444444444444444\n  retries: 3e9\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].code, "SF-PROFILE-014");
  EXPECT_EQ(errors[1].code, "SF-PROFILE-014");
  EXPECT_EQ(Load("execution:\n  threads: 1024\n").execution.threads, 1024);
}

TEST_F(ProjectTest, HugeProfileIsAnError) {
  EXPECT_EQ(OnlyError("variables:\n  big: " + std::string(2 << 20, 'x') + "\n").code, "SF-PROFILE-015");
}

// Fuzzing's find (tests/fuzz/seeds/profile_yaml/not_utf8.yml): bytes that are not UTF-8 reached
// the params JSON, whose dump() then threw nlohmann::json::type_error (`sqlflow connect list`).
TEST_F(ProjectTest, TextThatIsNotUtf8IsAnError) {
  common::Diagnostic error = OnlyError("connectors:\n  c: {type: CSV, params: {path: caf\xe9}}\n");
  EXPECT_EQ(error.code, "SF-PROFILE-016");
  EXPECT_EQ(error.location.offset, 47u);  // the byte itself
  // An environment variable can bring such bytes too (yaml-cpp refuses escapes like "\\ud800").
  env_.Set("LATIN1", "caf\xe9");
  EXPECT_EQ(OnlyError("variables:\n  v: ${LATIN1}\n").code, "SF-PROFILE-016");
}

TEST_F(ProjectTest, PipelinesPathMoves) {
  Profile profile = Load("paths:\n  pipelines: flows/main\n");
  EXPECT_EQ(profile.pipelines_dir, root_ / "flows" / "main");
}

TEST_F(ProjectTest, MissingProfileListsAvailableOnes) {
  WriteFile(root_ / "profiles" / "dev.yml", "");
  WriteFile(root_ / "profiles" / "prod.yml", "");
  WriteFile(root_ / "profiles" / "notes.txt", "");
  try {
    LoadProfile(root_, "prd", env_);
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.code(), "SF-PROFILE-001");
    EXPECT_NE(std::string(e.what()).find("'prd'"), std::string::npos);
    EXPECT_NE(e.hint().find("did you mean 'prod'?"), std::string::npos);
    EXPECT_NE(e.hint().find("available profiles: dev, prod"), std::string::npos);
  }
}

TEST_F(ProjectTest, MissingProfileWithNoProfilesAtAll) {
  try {
    LoadProfile(root_, "dev", env_);
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.code(), "SF-PROFILE-001");
    EXPECT_NE(e.hint().find("create profiles/dev.yml"), std::string::npos);
  }
  EXPECT_THROW(LoadProfile(root_, "../dev", env_), UsageError);
}

TEST_F(ProjectTest, ListProfilesSortedWithoutExtension) {
  WriteFile(root_ / "profiles" / "prod.yml", "");
  WriteFile(root_ / "profiles" / "dev.yml", "");
  WriteFile(root_ / "profiles" / "ci.yml", "");
  WriteFile(root_ / "profiles" / "readme.md", "");
  EXPECT_EQ(ListProfiles(root_), (std::vector<std::string>{"ci", "dev", "prod"}));
  EXPECT_TRUE(ListProfiles(root_ / "nowhere").empty());
}

// ---------------------------------------------------------------------------------------------
// Project root

TEST_F(ProjectTest, FindProjectRootSearchesUpwards) {
  fs::path deep = root_ / "pipelines" / "sub" / "deeper";
  fs::create_directories(deep);
  EXPECT_EQ(FindProjectRoot(deep, std::nullopt), root_);
  EXPECT_EQ(FindProjectRoot(root_, std::nullopt), root_);
  EXPECT_EQ(FindProjectRoot(root_ / "pipelines" / "sub" / "", std::nullopt), root_);
}

TEST_F(ProjectTest, FindProjectRootExplicitDir) {
  fs::path other = root_ / "other";
  fs::create_directories(other / "profiles");
  EXPECT_EQ(FindProjectRoot(root_ / "pipelines", other), other);
  try {
    FindProjectRoot(root_, root_ / "pipelines");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.code(), "SF-PROJECT-001");
  }
  fs::create_directories(root_ / "pipelines");
  EXPECT_THROW(FindProjectRoot(root_, root_ / "pipelines"), UsageError);
}

TEST(FindProjectRoot, NoProjectAnywhere) {
  fs::path dir = UniqueTempDir();
  // Only meaningful when no ancestor of the temp directory is a project.
  bool ancestor_project = false;
  for (fs::path p = dir.parent_path(); !p.empty(); p = p.parent_path()) {
    if (fs::is_directory(p / "profiles")) ancestor_project = true;
    if (p == p.parent_path()) break;
  }
  if (!ancestor_project) {
    try {
      FindProjectRoot(dir, std::nullopt);
      ADD_FAILURE() << "expected UsageError";
    } catch (const UsageError& e) {
      EXPECT_EQ(e.code(), "SF-PROJECT-002");
    }
  }
  fs::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------
// .env

std::vector<std::pair<std::string, std::string>> ParseText(const std::string& text) {
  return ParseDotEnv(common::SourceFile(".env", text));
}

TEST(DotEnv, ParsesQuotesExportAndComments) {
  auto entries = ParseText(
      "# a comment\n"
      "\n"
      "PLAIN=value\n"
      "export EXPORTED=yes\n"
      "  SPACED = padded value  \n"
      "SINGLE='raw \\n # kept'\n"
      "DOUBLE=\"line1\\nline2 \\\"quoted\\\" # kept\"  # trailing comment\n"
      "INLINE=abc # comment\n"
      "HASH=abc#def\n"
      "EMPTY=\n"
      "URL=postgres://u:p@h:5432/db?x=1\n"
      "WINDOWS=crlf\r\n"
      "MULTI=\"first\n"
      "second\"\n"
      "export=not-a-keyword\n");
  std::vector<std::pair<std::string, std::string>> expected = {
      {"PLAIN", "value"},
      {"EXPORTED", "yes"},
      {"SPACED", "padded value"},
      {"SINGLE", "raw \\n # kept"},
      {"DOUBLE", "line1\nline2 \"quoted\" # kept"},
      {"INLINE", "abc"},
      {"HASH", "abc#def"},
      {"EMPTY", ""},
      {"URL", "postgres://u:p@h:5432/db?x=1"},
      {"WINDOWS", "crlf"},
      {"MULTI", "first\nsecond"},
      {"export", "not-a-keyword"},
  };
  EXPECT_EQ(entries, expected);
}

TEST(DotEnv, MalformedLinesReportedWithLocations) {
  try {
    ParseText("GOOD=1\nnot a line\n1BAD=2\nOPEN=\"never closed\n");
    FAIL() << "expected SqlflowError";
  } catch (const SqlflowError& e) {
    const auto& d = e.diagnostics();
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d[0].code, "SF-ENV-001");
    EXPECT_EQ(d[0].location.ToString(), ".env:2:5");  // after the name 'not'
    EXPECT_EQ(d[1].location.ToString(), ".env:3:1");
    EXPECT_EQ(d[2].location.ToString(), ".env:4:6");
  }
  EXPECT_THROW(ParseText("A='x' trailing\n"), SqlflowError);
}

class EnvironmentTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = UniqueTempDir(); }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(EnvironmentTest, DotEnvNeverOverridesTheProcessEnvironment) {
  ::setenv("SF_PROJECT_TEST_REAL", "from-process", 1);
  Environment env = Environment::FromProcess();
  ::unsetenv("SF_PROJECT_TEST_REAL");
  EXPECT_EQ(env.Get("SF_PROJECT_TEST_REAL"), "from-process");

  env.Set("SF_PROJECT_TEST_SET", "from-set");
  WriteFile(dir_ / ".env",
            "SF_PROJECT_TEST_REAL=from-dotenv\nSF_PROJECT_TEST_SET=from-dotenv\nSF_PROJECT_TEST_NEW=new\n"
            "SF_PROJECT_TEST_NEW=newer\n");
  env.LoadDotEnv(dir_ / ".env");
  EXPECT_EQ(env.Get("SF_PROJECT_TEST_REAL"), "from-process");
  EXPECT_EQ(env.Get("SF_PROJECT_TEST_SET"), "from-set");
  EXPECT_EQ(env.Get("SF_PROJECT_TEST_NEW"), "newer");
  EXPECT_FALSE(env.Get("SF_PROJECT_TEST_MISSING").has_value());
}

TEST_F(EnvironmentTest, MissingDotEnvIsFineMalformedIsNot) {
  Environment env;
  EXPECT_NO_THROW(env.LoadDotEnv(dir_ / "absent.env"));
  WriteFile(dir_ / ".env", "OK=1\n=oops\n");
  try {
    env.LoadDotEnv(dir_ / ".env");
    FAIL() << "expected SqlflowError";
  } catch (const SqlflowError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].location.path(), (dir_ / ".env").string());
    EXPECT_EQ(e.diagnostics()[0].location.line(), 2);
    EXPECT_EQ(e.diagnostics()[0].location.column(), 1);
  }
}

TEST_F(EnvironmentTest, DotEnvFeedsProfileExpansion) {
  fs::create_directories(dir_ / "profiles");
  WriteFile(dir_ / ".env", "export SF_PROJECT_TEST_PW='p@ss word'\n");
  WriteFile(dir_ / "profiles" / "dev.yml",
            "connectors:\n  pg: {type: postgres, params: {password: \"${SF_PROJECT_TEST_PW}\"}}\n");
  Environment env;
  env.LoadDotEnv(dir_ / ".env");
  Profile profile = LoadProfile(dir_, "dev", env);
  EXPECT_EQ(profile.connectors.at("pg").params["password"], "p@ss word");
}

}  // namespace
}  // namespace sqlflow::project
