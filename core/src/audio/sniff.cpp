// Content sniffing: the container is decided by the first bytes, never by a file name.
#include <cstring>

#include "melgenre/audio.hpp"

namespace melgenre {
namespace {

bool has(const uint8_t* data, size_t size, size_t at, const char* magic) {
  const size_t n = std::strlen(magic);
  return size >= at + n && std::memcmp(data + at, magic, n) == 0;
}

// An MPEG audio frame header: 11 sync bits, then no reserved version, layer, bitrate or rate.
bool is_mpeg_frame_header(const uint8_t* p, size_t size) {
  if (size < 4 || p[0] != 0xFF || (p[1] & 0xE0) != 0xE0) return false;
  const int version = (p[1] >> 3) & 3, layer = (p[1] >> 1) & 3;
  const int bitrate = p[2] >> 4, rate = (p[2] >> 2) & 3;
  return version != 1 && layer != 0 && bitrate != 15 && rate != 3;
}

// The first Ogg page carries the codec's identification packet ("\x01vorbis" for Vorbis).
bool is_ogg_vorbis(const uint8_t* data, size_t size) {
  if (!has(data, size, 0, "OggS") || size < 27) return false;
  const size_t packet = 27 + size_t(data[26]);
  return has(data, size, packet, "\x01vorbis");
}

}  // namespace

const char* format_name(AudioFormat format) {
  switch (format) {
    case AudioFormat::unknown: return "unknown";
    case AudioFormat::wav: return "WAV";
    case AudioFormat::au: return "AU";
    case AudioFormat::mp3: return "MP3";
    case AudioFormat::ogg: return "Ogg Vorbis";
  }
  return "unknown";
}

AudioFormat sniff_format(const uint8_t* data, size_t size) {
  if (data == nullptr) return AudioFormat::unknown;
  if ((has(data, size, 0, "RIFF") || has(data, size, 0, "RIFX") || has(data, size, 0, "RF64")) &&
      has(data, size, 8, "WAVE")) {
    return AudioFormat::wav;
  }
  if (has(data, size, 0, ".snd")) return AudioFormat::au;
  if (is_ogg_vorbis(data, size)) return AudioFormat::ogg;
  // ID3v2 tag: "ID3", major version < 0xFF, revision, flags, then a 28-bit syncsafe size.
  if (has(data, size, 0, "ID3") && size >= 10 && data[3] != 0xFF && data[4] != 0xFF &&
      ((data[6] | data[7] | data[8] | data[9]) & 0x80) == 0) {
    return AudioFormat::mp3;
  }
  if (is_mpeg_frame_header(data, size)) return AudioFormat::mp3;
  return AudioFormat::unknown;
}

}  // namespace melgenre
