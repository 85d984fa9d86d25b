// RIFF/WAVE (also big-endian RIFX, and RF64 whose 0xFFFFFFFF data size means "to the end"):
// PCM 8/16/24/32, float 32/64, G.711, WAVE_FORMAT_EXTENSIBLE.
#include <cstring>
#include <optional>
#include <string>

#include "audio/byte_reader.hpp"
#include "audio/container_decoders.hpp"
#include "audio/pcm_stream_decoder.hpp"

namespace melgenre::audio_detail {
namespace {

constexpr uint16_t kTagPcm = 1, kTagFloat = 3, kTagALaw = 6, kTagMuLaw = 7, kTagExtensible = 0xFFFE;
// The 14 bytes that follow the format tag in every standard KSDATAFORMAT_SUBTYPE GUID.
constexpr uint8_t kGuidTail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
// Streaming writers leave this size when they cannot seek back to patch the header.
constexpr uint32_t kUnknownSize = 0xFFFFFFFFu;

std::string fourcc(const uint8_t* p) {
  std::string s;
  for (int i = 0; i < 4; ++i) s += (p[i] >= 32 && p[i] < 127) ? char(p[i]) : '?';
  return s;
}

struct FmtChunk {
  uint16_t tag = 0;
  int channels = 0;
  uint32_t sample_rate = 0;
  uint16_t block_align = 0;
  uint16_t bits = 0;
};

Expected<PcmFormat> pcm_format_of(const ByteSource& source, const FmtChunk& fmt, bool big_endian) {
  PcmFormat f;
  f.big_endian = big_endian;
  if (fmt.bits == 0) return corrupt(source, "fmt chunk says 0 bits per sample");
  const int bytes = (fmt.bits + 7) / 8;
  f.bytes_per_sample = bytes;
  switch (fmt.tag) {
    case kTagPcm:
      if (bytes > 4) return unsupported(source, std::to_string(fmt.bits) + "-bit integer WAV is not supported");
      f.kind = bytes == 1 ? SampleKind::unsigned_int : SampleKind::signed_int;
      break;
    case kTagFloat:
      if (bytes != 4 && bytes != 8) return unsupported(source, std::to_string(fmt.bits) + "-bit float WAV is not supported");
      f.kind = SampleKind::ieee_float;
      break;
    case kTagALaw:
    case kTagMuLaw:
      if (bytes != 1) return corrupt(source, "G.711 WAV with " + std::to_string(fmt.bits) + " bits per sample");
      f.kind = fmt.tag == kTagALaw ? SampleKind::a_law : SampleKind::mu_law;
      break;
    default:
      return unsupported(source, "WAV format tag " + std::to_string(fmt.tag) + " is not supported (PCM, float, G.711 only)");
  }
  if (size_t(fmt.block_align) != size_t(bytes) * size_t(fmt.channels)) {
    return corrupt(source, "block align " + std::to_string(fmt.block_align) + " does not match " +
                               std::to_string(fmt.channels) + " channels of " + std::to_string(bytes) + " bytes");
  }
  return f;
}

Expected<FmtChunk> parse_fmt(ByteSource& source, uint32_t size, bool big_endian) {
  if (size < 16) return corrupt(source, "fmt chunk is too short (" + std::to_string(size) + " bytes)");
  uint8_t b[40] = {};
  const size_t n = size < 40 ? size : 40;
  if (auto r = read_exact(source, b, n, "fmt chunk"); !r) return r.error();
  auto u16 = [&](size_t at) { return big_endian ? load_be16(b + at) : load_le16(b + at); };
  auto u32 = [&](size_t at) { return big_endian ? load_be32(b + at) : load_le32(b + at); };
  FmtChunk fmt;
  fmt.tag = u16(0);
  fmt.channels = u16(2);
  fmt.sample_rate = u32(4);
  fmt.block_align = u16(12);
  fmt.bits = u16(14);
  if (fmt.tag == kTagExtensible) {
    if (n < 40 || u16(16) < 22) return corrupt(source, "WAVE_FORMAT_EXTENSIBLE fmt chunk is too short");
    const uint8_t* guid = b + 24;
    if (std::memcmp(guid + 2, kGuidTail, sizeof kGuidTail) != 0) {
      return unsupported(source, "WAVE_FORMAT_EXTENSIBLE sub-format is not PCM or float");
    }
    fmt.tag = u16(24);
  }
  return fmt;
}

}  // namespace

Expected<std::unique_ptr<Decoder>> open_wav_decoder(std::unique_ptr<ByteSource> source) {
  ByteSource& src = *source;
  const uint64_t file_size = src.size();
  if (auto s = src.seek(0); !s) return s.error();
  uint8_t riff[12];
  if (auto r = read_exact(src, riff, 12, "RIFF header"); !r) return r.error();
  const bool big_endian = std::memcmp(riff, "RIFX", 4) == 0;
  const bool riff_like = std::memcmp(riff, "RIFF", 4) == 0 || std::memcmp(riff, "RF64", 4) == 0;
  if ((!big_endian && !riff_like) || std::memcmp(riff + 8, "WAVE", 4) != 0) {
    return unsupported(src, "not a RIFF/WAVE file");
  }

  std::optional<FmtChunk> fmt;
  std::optional<uint64_t> data_offset;
  uint64_t data_bytes = 0;
  uint64_t pos = 12;
  while (!(fmt && data_offset)) {
    uint8_t header[8];
    auto got = read_fully(src, header, 8);
    if (!got) return got.error();
    if (*got < 8) {
      if (*got != 0) return corrupt(src, "truncated chunk header at byte " + std::to_string(pos));
      return corrupt(src, fmt ? "no data chunk" : "no fmt chunk before the end of the file");
    }
    const uint32_t size = big_endian ? load_be32(header + 4) : load_le32(header + 4);
    const uint64_t body = pos + 8;
    if (std::memcmp(header, "fmt ", 4) == 0 && !fmt) {
      if (body + size > file_size) return corrupt(src, "truncated fmt chunk");
      auto parsed = parse_fmt(src, size, big_endian);
      if (!parsed) return parsed.error();
      fmt = *parsed;
    } else if (std::memcmp(header, "data", 4) == 0 && !data_offset) {
      data_offset = body;
      if (size == kUnknownSize) {
        data_bytes = file_size - body;
      } else if (body + size > file_size) {
        return corrupt(src, "truncated data chunk (expected " + std::to_string(size) + " bytes, found " +
                                std::to_string(file_size - body) + ")");
      } else {
        data_bytes = size;
      }
      if (fmt) break;  // the usual order; nothing after the data matters
    } else if (body + size > file_size && data_offset) {
      break;  // a broken trailing chunk after the data we already have
    } else if (body + size > file_size) {
      return corrupt(src, "chunk '" + fourcc(header) + "' of " + std::to_string(size) +
                              " bytes runs past the end of the file");
    }
    // Chunks are padded to an even size.
    const uint64_t next = body + uint64_t(size) + (size & 1u);
    if (data_offset && *data_offset == body && size == kUnknownSize) {
      break;  // a to-the-end data chunk: nothing can follow it
    }
    pos = next < file_size ? next : file_size;
    if (auto s = src.seek(pos); !s) return s.error();
  }
  if (!fmt) return corrupt(src, "no fmt chunk before the data");

  if (auto v = validate_layout(src, fmt->channels, fmt->sample_rate); !v) return v.error();
  auto format = pcm_format_of(src, *fmt, big_endian);
  if (!format) return format.error();
  PcmLayout layout;
  layout.format = *format;
  layout.channels = fmt->channels;
  layout.sample_rate = int(fmt->sample_rate);
  layout.data_offset = *data_offset;
  layout.data_bytes = data_bytes;
  return make_pcm_stream_decoder(std::move(source), AudioFormat::wav, layout);
}

}  // namespace melgenre::audio_detail
