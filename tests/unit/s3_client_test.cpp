// The S3 client against a real S3-compatible server that checks SigV4 signatures
// (tests/fixtures/s3.sh: @20minutes/s3rver, pinned by its package-lock.json).
#include "connectors/s3/client.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

namespace sqlflow::connectors::s3 {
namespace {

namespace fs = std::filesystem;

class S3ClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("sqlflow-s3-test-" + std::to_string(::getpid()));
    std::string start = std::string(SQLFLOW_TEST_DATA) + "/fixtures/s3.sh start " + dir_.string() +
                        " sqlflow-test,sqlflow-pages >/dev/null";
    ASSERT_EQ(std::system(start.c_str()), 0) << "could not start the S3 test server";
    std::ifstream env(dir_ / "env");
    std::string line;
    while (std::getline(env, line)) {
      line = line.substr(line.find(' ') + 1);  // drop "export "
      size_t equals = line.find('=');
      vars_[line.substr(0, equals)] = line.substr(equals + 1);
    }
  }
  static void TearDownTestSuite() {
    std::string stop = std::string(SQLFLOW_TEST_DATA) + "/fixtures/s3.sh stop " + dir_.string();
    std::system(stop.c_str());
    fs::remove_all(dir_);
  }

  static Credentials Good() {
    Credentials credentials;
    credentials.access_key = vars_["AWS_ACCESS_KEY_ID"];
    credentials.secret_key = vars_["AWS_SECRET_ACCESS_KEY"];
    credentials.endpoint = vars_["AWS_ENDPOINT_URL"];
    return credentials;
  }

  static fs::path WriteFile(const std::string& name, const std::string& content) {
    fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  static std::string ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static inline fs::path dir_;
  static inline std::map<std::string, std::string> vars_;
};

// The parser of listing pages needs no server.
TEST(S3ListPageTest, ObjectsAndTheContinuationToken) {
  ListPage page = ParseListPage(
      "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t&amp;1</"
      "NextContinuationToken>"
      "<Contents><Key>a "
      "&lt;1&gt;.csv</Key><ETag>&quot;abc&quot;</ETag><Size>18446744073709551615</Size></Contents>"
      "<Contents><Key>b.csv</Key><Size>0</Size></Contents></ListBucketResult>");
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "a <1>.csv");
  EXPECT_EQ(page.objects[0].etag, "abc");
  EXPECT_EQ(page.objects[0].size, 18446744073709551615ull);
  EXPECT_EQ(page.next_token, "t&1");
  EXPECT_EQ(ParseListPage("<IsTruncated>false</IsTruncated><NextContinuationToken>t</NextContinuationToken>")
                .next_token,
            "");
}

// Fuzzing's find (tests/fuzz/seeds/s3_listing/size_not_a_number.xml): std::stoull threw
// std::invalid_argument ("stoull") out of the listing.
TEST(S3ListPageTest, ASizeThatIsNotANumberIsAnS3Error) {
  for (const char* size : {"", "12x", "-1", "99999999999999999999", " 1"}) {
    try {
      ParseListPage(std::string("<Contents><Key>k</Key><Size>") + size + "</Size></Contents>");
      ADD_FAILURE() << "no error for size '" << size << "'";
    } catch (const S3Error& error) {
      EXPECT_NE(std::string(error.what()).find("not a number of bytes"), std::string::npos) << error.what();
      EXPECT_FALSE(error.transient());
    }
  }
}

TEST_F(S3ClientTest, UploadListDownloadRoundTrip) {
  Client client(Good());
  client.Upload("sqlflow-test", "round/trip one.csv", WriteFile("one.csv", "id,name\n1,ä ö\n"));
  client.Upload("sqlflow-test", "round/two.csv", WriteFile("two.csv", "id\n2\n"));
  std::vector<Object> objects = client.List("sqlflow-test", "round/");
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0].key, "round/trip one.csv");
  EXPECT_EQ(objects[0].size, std::string("id,name\n1,ä ö\n").size());
  client.Download({"round/trip one.csv", 0, ""}, "sqlflow-test", dir_ / "back.csv");
  EXPECT_EQ(ReadFile(dir_ / "back.csv"), "id,name\n1,ä ö\n");
}

TEST_F(S3ClientTest, ListingFollowsContinuationPastAThousandObjects) {
  Client client(Good());
  fs::path file = WriteFile("tiny.txt", "x");
  for (int i = 0; i < 1003; ++i) client.Upload("sqlflow-pages", "p/obj-" + std::to_string(i), file);
  std::vector<Object> objects = client.List("sqlflow-pages", "p/");
  ASSERT_EQ(objects.size(), 1003u);
  std::set<std::string> keys;
  for (const auto& object : objects) keys.insert(object.key);
  EXPECT_EQ(keys.size(), 1003u);
  EXPECT_TRUE(keys.count("p/obj-1002"));
}

TEST_F(S3ClientTest, LargeFilesGoUpInPartsAndComeBackWhole) {
  std::string content(12 * 1024 * 1024 + 123, '\0');
  std::mt19937 random(7);
  for (auto& c : content) c = static_cast<char>('a' + random() % 26);
  Client client(Good());
  client.Upload("sqlflow-test", "big/blob.bin", WriteFile("blob.bin", content), 5 * 1024 * 1024);
  client.Download({"big/blob.bin", content.size(), ""}, "sqlflow-test", dir_ / "blob.back", 5 * 1024 * 1024);
  EXPECT_EQ(ReadFile(dir_ / "blob.back"), content);
}

TEST_F(S3ClientTest, AnObjectReplacedAfterTheListingIsAnErrorNotAMixOfVersions) {
  std::string first(12 * 1024 * 1024, 'a'), second(12 * 1024 * 1024, 'b');
  Client client(Good());
  client.Upload("sqlflow-test", "changing/blob.bin", WriteFile("first.bin", first));
  std::vector<Object> listed = client.List("sqlflow-test", "changing/");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_FALSE(listed[0].etag.empty());
  client.Download(listed[0], "sqlflow-test", dir_ / "first.back", 5 * 1024 * 1024);
  EXPECT_EQ(ReadFile(dir_ / "first.back"), first);
  client.Upload("sqlflow-test", "changing/blob.bin", WriteFile("second.bin", second));
  for (uint64_t part_size : {uint64_t{5} << 20, uint64_t{64} << 20}) {  // ranged and whole
    try {
      client.Download(listed[0], "sqlflow-test", dir_ / "mixed.back", part_size);
      FAIL() << "an object replaced since the listing was read as the listed one";
    } catch (const S3Error& error) {
      EXPECT_NE(std::string(error.what()).find("the object changed while it was read"), std::string::npos)
          << error.what();
    }
  }
}

TEST_F(S3ClientTest, WrongSecretIsA403WithAHintAndIsNotRetried) {
  Credentials credentials = Good();
  credentials.secret_key = "not-the-secret";
  Client client(credentials);
  try {
    client.List("sqlflow-test", "");
    FAIL() << "a wrong secret was accepted";
  } catch (const S3Error& error) {
    EXPECT_EQ(error.status(), 403);
    EXPECT_FALSE(error.transient());
    EXPECT_NE(std::string(error.what()).find("check the access key and secret"), std::string::npos)
        << error.what();
    EXPECT_EQ(std::string(error.what()).find("not-the-secret"), std::string::npos) << "the secret leaked";
  }
}

TEST_F(S3ClientTest, MissingBucketAndKeyAre404sNamingThem) {
  Client client(Good());
  try {
    client.List("no-such-bucket", "");
    FAIL();
  } catch (const S3Error& error) {
    EXPECT_EQ(error.status(), 404);
    EXPECT_NE(std::string(error.what()).find("no bucket no-such-bucket"), std::string::npos) << error.what();
  }
  try {
    client.Download({"missing/key.csv", 0, ""}, "sqlflow-test", dir_ / "missing.csv");
    FAIL();
  } catch (const S3Error& error) {
    EXPECT_EQ(error.status(), 404);
    EXPECT_NE(std::string(error.what()).find("s3://sqlflow-test/missing/key.csv"), std::string::npos)
        << error.what();
  }
}

TEST_F(S3ClientTest, AStoppedServerIsATransientFailure) {
  Credentials credentials = Good();
  credentials.endpoint = "http://127.0.0.1:1";  // nothing listens there
  Client client(credentials, {}, /*attempts=*/2);
  try {
    client.CheckBucket("sqlflow-test");
    FAIL();
  } catch (const S3Error& error) {
    EXPECT_TRUE(error.transient());
  }
}

// A server that answers by a script (tests/fixtures/s3_faults.py): what a real server does only
// when it is overloaded or failing.
class ScriptedServer {
 public:
  explicit ScriptedServer(const std::string& plan) {
    std::string command =
        "python3 " + std::string(SQLFLOW_TEST_DATA) + "/fixtures/s3_faults.py " + plan + " & echo $!";
    pipe_ = ::popen(command.c_str(), "r");
    char line[64];
    if (std::fgets(line, sizeof line, pipe_)) pid_ = std::atoi(line);
    if (std::fgets(line, sizeof line, pipe_)) port_ = std::atoi(line);
  }
  ~ScriptedServer() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
    if (pipe_) ::pclose(pipe_);
  }
  Credentials credentials() const {
    Credentials credentials;
    credentials.access_key = "key";
    credentials.secret_key = "secret";
    credentials.endpoint = "http://127.0.0.1:" + std::to_string(port_);
    return credentials;
  }
  // How many requests the script answered.
  int requests() const {
    std::string command =
        "python3 -c \"import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:" +
        std::to_string(port_) + "/__requests').read().decode())\"";
    std::FILE* out = ::popen(command.c_str(), "r");
    char line[32] = {0};
    if (out) {
      if (!std::fgets(line, sizeof line, out)) line[0] = 0;
      ::pclose(out);
    }
    return std::atoi(line);
  }
  int port() const { return port_; }

 private:
  std::FILE* pipe_ = nullptr;
  int pid_ = 0;
  int port_ = 0;
};

TEST(S3RetryTest, SlowDownAnd5xxAreRetriedUntilTheServerAnswers) {
  ScriptedServer server("503:SlowDown,500:InternalError,429:TooManyRequests,200");
  ASSERT_GT(server.port(), 0);
  Client client(server.credentials(), {}, /*attempts=*/4);
  EXPECT_TRUE(client.List("b", "").empty());
  EXPECT_EQ(server.requests(), 4);
}

TEST(S3RetryTest, ResetConnectionsAreRetried) {
  ScriptedServer server("reset,reset,200");
  ASSERT_GT(server.port(), 0);
  Client client(server.credentials(), {}, /*attempts=*/4);
  EXPECT_TRUE(client.List("b", "").empty());
  EXPECT_EQ(server.requests(), 3);
}

TEST(S3RetryTest, AStalledRequestTimesOutAndIsRetried) {
  ScriptedServer server("stall,200");
  ASSERT_GT(server.port(), 0);
  Credentials credentials = server.credentials();
  credentials.timeout_seconds = 1;
  Client client(credentials, {}, /*attempts=*/3);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.List("b", "").empty());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(server.requests(), 2);
  EXPECT_GE(seconds, 1.0);
  EXPECT_LT(seconds, 5.0) << "the stalled request was not given up after its timeout";
}

TEST(S3RetryTest, RetriesEndWithTheLastTransientError) {
  ScriptedServer server("503:SlowDown");
  ASSERT_GT(server.port(), 0);
  Client client(server.credentials(), {}, /*attempts=*/3);
  try {
    client.List("b", "");
    FAIL() << "a server that always slows down was taken for an answer";
  } catch (const S3Error& error) {
    EXPECT_TRUE(error.transient());
    EXPECT_EQ(error.status(), 503);
    EXPECT_NE(std::string(error.what()).find("HTTP 503 SlowDown"), std::string::npos) << error.what();
  }
  EXPECT_EQ(server.requests(), 3);
}

TEST(S3RetryTest, AccessDeniedIsNotRetried) {
  ScriptedServer server("403:AccessDenied,200");
  ASSERT_GT(server.port(), 0);
  Client client(server.credentials(), {}, /*attempts=*/4);
  try {
    client.List("b", "");
    FAIL() << "a 403 was retried into a success";
  } catch (const S3Error& error) {
    EXPECT_FALSE(error.transient());
    EXPECT_NE(std::string(error.what()).find("check the keys, the region and this machine's clock"),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(server.requests(), 1);
}

// The largest resident set of this process so far, in bytes.
uint64_t PeakResidentBytes() {
  struct rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;
}

TEST(S3RetryTest, AnErrorOnARangedPartIsReadFromTheResponseNotFromTheDownloadFile) {
  // A large object comes down in ranged parts into a file of its full size (sparse here). The
  // error document of a failing part must neither land in that file nor be read back from it: the
  // file holds the rest of the object from the part's offset on, gigabytes for a large one.
  ScriptedServer server("403:AccessDenied");
  ASSERT_GT(server.port(), 0);
  Client client(server.credentials(), {}, /*attempts=*/1, /*threads=*/1);
  fs::path file = fs::temp_directory_path() / ("sqlflow-s3-ranged-error-" + std::to_string(::getpid()));
  const uint64_t size = 256ull << 20;
  uint64_t peak_before = PeakResidentBytes();
  try {
    client.Download({"big/object.bin", size, ""}, "b", file, /*part_size=*/1 << 20);
    FAIL() << "a 403 on a part was taken for the part";
  } catch (const S3Error& error) {
    EXPECT_EQ(error.status(), 403);
    EXPECT_NE(std::string(error.what()).find("HTTP 403 AccessDenied scripted AccessDenied"),
              std::string::npos)
        << error.what();
  }
  uint64_t peak_after = PeakResidentBytes();
  EXPECT_LT(peak_after - peak_before, uint64_t{32} << 20)
      << "reading one part's error grew the process by " << ((peak_after - peak_before) >> 20) << " MiB";
  std::string start(4096, '\0');
  std::ifstream(file, std::ios::binary).read(start.data(), static_cast<std::streamsize>(start.size()));
  EXPECT_EQ(start.find_first_not_of('\0'), std::string::npos)
      << "the error document was written into the download file: " << start.substr(0, 120);
  fs::remove(file);
}

TEST(S3ResolveTest, ParamsBeatEnvironmentAndEndpointFallsBackToAws) {
  setenv("AWS_ACCESS_KEY_ID", "env-key", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
  setenv("AWS_REGION", "eu-west-1", 1);
  unsetenv("AWS_ENDPOINT_URL");
  unsetenv("AWS_ENDPOINT_URL_S3");
  Credentials from_env = ResolveCredentials(nlohmann::json::object());
  EXPECT_EQ(from_env.access_key, "env-key");
  EXPECT_EQ(from_env.endpoint, "https://s3.eu-west-1.amazonaws.com");
  Credentials from_params = ResolveCredentials(
      {{"access_key_id", "p"}, {"secret_access_key", "s"}, {"endpoint_url", "http://127.0.0.1:9000/"}});
  EXPECT_EQ(from_params.access_key, "p");
  EXPECT_EQ(from_params.endpoint, "http://127.0.0.1:9000");
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_REGION");
}

TEST(S3EncodeTest, AwsUriEncoding) {
  EXPECT_EQ(UriEncode("a b/c~d_e.f-g+h", true), "a%20b/c~d_e.f-g%2Bh");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
}

}  // namespace
}  // namespace sqlflow::connectors::s3
