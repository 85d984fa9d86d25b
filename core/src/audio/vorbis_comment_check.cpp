#include "audio/vorbis_comment_check.hpp"

#include <cstring>
#include <vector>

#include "audio/byte_reader.hpp"

namespace melgenre::audio_detail {
namespace {

constexpr size_t kPageHeaderBytes = 27;

// Appends the segments of the packet that starts on the page at `offset` (and continues on the
// following pages) to `packet`, reading only bytes that exist. Mirrors stb_vorbis: the packet ends at
// the first segment shorter than 255 bytes or where the data runs out.
void gather_packet(const uint8_t* data, size_t size, size_t offset, std::vector<uint8_t>& packet) {
  while (offset + kPageHeaderBytes <= size && std::memcmp(data + offset, "OggS", 4) == 0) {
    const size_t segments = data[offset + 26];
    const size_t table = offset + kPageHeaderBytes;
    size_t body = table + segments;
    for (size_t s = 0; s < segments; ++s) {
      if (table + s >= size) return;
      const size_t len = data[table + s];
      const size_t have = body < size ? std::min(len, size - body) : 0;
      packet.insert(packet.end(), data + body, data + body + have);
      if (have < len) return;
      body += len;
      if (len < 255) return;
    }
    offset = body;  // the packet continues on the next page
    if (segments == 0) return;
  }
}

}  // namespace

std::string check_vorbis_comment_lengths(const uint8_t* data, size_t size) {
  // First page: stb_vorbis insists on one 30-byte segment; anything else it rejects on its own.
  if (size < kPageHeaderBytes + 1 || std::memcmp(data, "OggS", 4) != 0) return "";
  if (data[26] != 1 || data[27] != 30) return "";
  const size_t second_page = kPageHeaderBytes + 1 + 30;
  std::vector<uint8_t> packet;
  gather_packet(data, size, second_page, packet);
  // Packet: 0x03 "vorbis", vendor length + vendor, comment count, (length + comment) * count.
  const size_t n = packet.size();
  if (n < 7 || packet[0] != 3 || std::memcmp(packet.data() + 1, "vorbis", 6) != 0) return "";
  size_t at = 7;
  auto length_fits = [&](const char* what, std::string& why) {
    if (at + 4 > n) {
      why = std::string("Vorbis comment header ends inside the ") + what + " length";
      return false;
    }
    const uint64_t len = load_le32(packet.data() + at);
    at += 4;
    if (len > n - at) {
      why = std::string("Vorbis comment header: ") + what + " length " + std::to_string(len) +
            " exceeds the packet (" + std::to_string(n - at) + " bytes left)";
      return false;
    }
    at += size_t(len);
    return true;
  };
  std::string why;
  if (!length_fits("vendor", why)) return why;
  if (at + 4 > n) return "Vorbis comment header ends before the comment count";
  const uint64_t count = load_le32(packet.data() + at);
  at += 4;
  if (count > (n - at) / 4) return "Vorbis comment header: " + std::to_string(count) + " comments cannot fit";
  for (uint64_t i = 0; i < count; ++i) {
    if (!length_fits("comment", why)) return why;
  }
  return "";
}

}  // namespace melgenre::audio_detail
