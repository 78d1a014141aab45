// Moves one object with SQLFlow's S3 client alone (no DuckDB), for the transfer benchmark against
// curl. Credentials and endpoint from the AWS_* variables.
//   bench_s3_transfer get BUCKET KEY FILE
//   bench_s3_transfer put BUCKET KEY FILE [MULTIPART_THRESHOLD]
#include <cstdio>
#include <exception>
#include <string>

#include "connectors/s3/client.h"

int main(int argc, char** argv) {
  using namespace sqlflow::connectors::s3;
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: %s get|put BUCKET KEY FILE [MULTIPART_THRESHOLD]\n", argv[0]);
    return 2;
  }
  std::string action = argv[1], bucket = argv[2], key = argv[3], file = argv[4];
  try {
    Client client(ResolveCredentials(nlohmann::json::object()));
    if (action == "put") {
      uint64_t threshold = argc == 6 ? std::stoull(argv[5]) : Client::kPartSize;
      client.Upload(bucket, key, file, Client::kPartSize, threshold);
    } else {
      for (const auto& object : client.List(bucket, key)) {
        if (object.key == key) client.Download(object, bucket, file);
      }
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
  }
  return 0;
}
