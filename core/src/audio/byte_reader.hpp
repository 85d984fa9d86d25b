// Small helpers for parsing headers: exact reads from a ByteSource and endian-explicit integer loads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "audio/source_error.hpp"
#include "melgenre/audio.hpp"

namespace melgenre::audio_detail {

inline uint16_t load_le16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }
inline uint32_t load_le32(const uint8_t* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}
inline uint16_t load_be16(const uint8_t* p) { return uint16_t((p[0] << 8) | p[1]); }
inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

// Reads as much as possible into dst (a source may return short reads); returns the byte count.
inline Expected<size_t> read_fully(ByteSource& source, uint8_t* dst, size_t n) {
  size_t got = 0;
  while (got < n) {
    auto r = source.read(dst + got, n - got);
    if (!r) return r.error();
    if (*r == 0) break;
    got += *r;
  }
  return got;
}

// Reads exactly n bytes or reports `what` as truncated.
inline Expected<void> read_exact(ByteSource& source, uint8_t* dst, size_t n, const char* what) {
  auto got = read_fully(source, dst, n);
  if (!got) return got.error();
  if (*got != n) {
    return corrupt(source, std::string("truncated ") + what + " (expected " + std::to_string(n) +
                               " bytes, found " + std::to_string(*got) + ")");
  }
  return {};
}

}  // namespace melgenre::audio_detail
