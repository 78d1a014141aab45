#pragma once
// Reading the big-endian integers of PostgreSQL's binary formats (the COPY stream and its values).

#include <cstdint>

namespace sqlflow::connectors::postgres {

inline uint16_t Read16(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}
inline uint32_t Read32(const char* p) {
  return (static_cast<uint32_t>(Read16(p)) << 16) | Read16(p + 2);
}
inline uint64_t Read64(const char* p) {
  return (static_cast<uint64_t>(Read32(p)) << 32) | Read32(p + 4);
}

}  // namespace sqlflow::connectors::postgres
