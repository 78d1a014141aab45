// Feeds arbitrary bytes to the parser of S3 ListObjectsV2 responses, as a server (or anything
// that answers in its place) may send them. It must return the objects or throw S3Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "connectors/s3/client.h"

using namespace sqlflow::connectors::s3;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    ListPage page = ParseListPage(std::string(reinterpret_cast<const char*>(data), size));
    // Every key and token is a piece of the body: never longer than it.
    for (const Object& object : page.objects) {
      if (object.key.size() > size || object.etag.size() > size) __builtin_trap();
    }
    if (page.next_token.size() > size) __builtin_trap();
  } catch (const S3Error&) {
  }
  return 0;
}
