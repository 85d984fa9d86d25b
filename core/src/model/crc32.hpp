// IEEE CRC-32 (the polynomial of zlib.crc32), used by the model file's header checksum.
#pragma once

#include <cstddef>
#include <cstdint>

namespace melgenre {

// crc32(data) == zlib.crc32(data); pass a previous result as `crc` to continue over more bytes.
uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0);

}  // namespace melgenre
