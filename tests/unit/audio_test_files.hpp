// Builders for the WAV and AU files the audio tests decode: byte-exact headers written by hand, so
// each test states precisely what it feeds the decoder.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace melgenre_test {

using Bytes = std::vector<uint8_t>;

inline void put_le(Bytes& b, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
inline void put_be(Bytes& b, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) b.push_back(uint8_t(v >> (8 * i)));
}
inline void put_tag(Bytes& b, const char* tag) {
  for (int i = 0; i < 4; ++i) b.push_back(uint8_t(tag[i]));
}

// Integer samples (already in the file's code space) as n-byte little/big-endian words.
inline Bytes int_samples(const std::vector<int64_t>& codes, int bytes, bool big_endian = false) {
  Bytes b;
  for (int64_t c : codes) {
    if (big_endian) put_be(b, uint64_t(c), bytes); else put_le(b, uint64_t(c), bytes);
  }
  return b;
}
inline Bytes float_samples(const std::vector<float>& v, bool big_endian = false) {
  Bytes b;
  for (float f : v) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if (big_endian) put_be(b, u, 4); else put_le(b, u, 4);
  }
  return b;
}
inline Bytes double_samples(const std::vector<double>& v, bool big_endian = false) {
  Bytes b;
  for (double f : v) {
    uint64_t u;
    std::memcpy(&u, &f, 8);
    if (big_endian) put_be(b, u, 8); else put_le(b, u, 8);
  }
  return b;
}

struct WavSpec {
  uint16_t format_tag = 1;     // 1 PCM, 3 float, 6 A-law, 7 mu-law, 0xFFFE extensible
  uint16_t sub_format = 1;     // the extensible GUID's tag
  int channels = 1;
  uint32_t sample_rate = 22050;
  int bits = 16;
  bool rifx = false;           // big-endian RIFX container
  bool odd_chunk_before_data = false;  // a 3-byte 'junk' chunk (padded to 4) between fmt and data
  bool data_before_fmt = false;
  int64_t data_size_override = -1;     // write this in the data header instead of the real size
  int64_t block_align_override = -1;
};

inline Bytes make_wav(const WavSpec& s, const Bytes& data) {
  Bytes b;
  auto put = [&](uint64_t v, int n) { if (s.rifx) put_be(b, v, n); else put_le(b, v, n); };
  put_tag(b, s.rifx ? "RIFX" : "RIFF");
  put(0, 4);  // patched below
  put_tag(b, "WAVE");
  const int bytes = (s.bits + 7) / 8;
  auto fmt = [&]() {
    put_tag(b, "fmt ");
    const bool ext = s.format_tag == 0xFFFE;
    put(ext ? 40 : 16, 4);
    put(s.format_tag, 2);
    put(uint64_t(s.channels), 2);
    put(s.sample_rate, 4);
    put(uint64_t(s.sample_rate) * uint64_t(bytes * s.channels), 4);
    put(s.block_align_override >= 0 ? uint64_t(s.block_align_override) : uint64_t(bytes * s.channels), 2);
    put(uint64_t(s.bits), 2);
    if (ext) {
      put(22, 2);
      put(uint64_t(s.bits), 2);  // valid bits
      put(0, 4);                 // channel mask
      put_le(b, s.sub_format, 2);
      const uint8_t tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
      b.insert(b.end(), tail, tail + 14);
    }
  };
  auto data_chunk = [&]() {
    put_tag(b, "data");
    put(s.data_size_override >= 0 ? uint64_t(s.data_size_override) : data.size(), 4);
    b.insert(b.end(), data.begin(), data.end());
    if (data.size() % 2) b.push_back(0);
  };
  if (s.data_before_fmt) {
    data_chunk();
    fmt();
  } else {
    fmt();
    if (s.odd_chunk_before_data) {
      put_tag(b, "junk");
      put(3, 4);
      b.insert(b.end(), {'a', 'b', 'c', 0});
    }
    data_chunk();
  }
  const uint64_t riff = b.size() - 8;
  for (int i = 0; i < 4; ++i) b[4 + size_t(i)] = uint8_t(s.rifx ? riff >> (8 * (3 - i)) : riff >> (8 * i));
  return b;
}

struct AuSpec {
  uint32_t encoding = 3;
  uint32_t channels = 1;
  uint32_t sample_rate = 22050;
  uint32_t data_offset = 32;  // header (24) + an 8-byte annotation
  int64_t data_size_override = -1;  // e.g. 0xFFFFFFFF: "unknown"
};

inline Bytes make_au(const AuSpec& s, const Bytes& data) {
  Bytes b;
  put_tag(b, ".snd");
  put_be(b, s.data_offset, 4);
  put_be(b, s.data_size_override >= 0 ? uint64_t(s.data_size_override) : data.size(), 4);
  put_be(b, s.encoding, 4);
  put_be(b, s.sample_rate, 4);
  put_be(b, s.channels, 4);
  while (b.size() < s.data_offset && b.size() < 4096) b.push_back(0);
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

inline std::string temp_path(const std::string& name) { return std::string(MELGENRE_TEST_TMP) + "/" + name; }

inline bool write_file(const std::string& path, const Bytes& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

inline Bytes read_file(const std::string& path) {
  Bytes b;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return b;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) b.insert(b.end(), buf, buf + n);
  std::fclose(f);
  return b;
}

#ifndef __EMSCRIPTEN__
// Encodes `in_path` with ffmpeg (native tests only: the tests cannot encode MP3/Vorbis themselves).
// Returns false when ffmpeg is missing or fails.
inline bool have_ffmpeg() { return std::system("ffmpeg -version > /dev/null 2>&1") == 0; }
inline bool ffmpeg_encode(const std::string& in_path, const std::string& out_path, const std::string& codec_args) {
  const std::string cmd = "ffmpeg -nostdin -hide_banner -loglevel error -y -i '" + in_path + "' " + codec_args +
                          " '" + out_path + "' > /dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}
#endif

// MPEG-1 layer III mono frames at 44.1 kHz, 128 kbps, whose side info and main data are all zero:
// a valid stream of silence, 1152 samples per frame, that any build can make without an encoder.
inline Bytes silent_mp3_frames(int frames) {
  Bytes b;
  for (int f = 0; f < frames; ++f) {
    const uint8_t header[4] = {0xFF, 0xFB, 0x90, 0xC4};
    b.insert(b.end(), header, header + 4);
    b.resize(b.size() + 417 - 4, 0);  // 144 * 128000 / 44100 = 417 bytes per frame, no padding
  }
  return b;
}

// A deterministic pseudo-random sequence (xorshift) so tests never depend on a global RNG.
struct TestRandom {
  uint64_t state;
  explicit TestRandom(uint64_t seed) : state(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
  int64_t in_range(int64_t lo, int64_t hi) { return lo + int64_t(next() % uint64_t(hi - lo + 1)); }
};

}  // namespace melgenre_test
