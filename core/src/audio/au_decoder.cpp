// Sun/NeXT AU (".snd"), the original GTZAN container: big-endian header and samples.
#include <cstring>
#include <string>

#include "audio/byte_reader.hpp"
#include "audio/container_decoders.hpp"
#include "audio/pcm_stream_decoder.hpp"

namespace melgenre::audio_detail {
namespace {

constexpr uint32_t kHeaderBytes = 24;
constexpr uint32_t kUnknownSize = 0xFFFFFFFFu;  // "to the end of the file"

Expected<PcmFormat> au_encoding(const ByteSource& source, uint32_t encoding) {
  PcmFormat f;
  f.big_endian = true;
  switch (encoding) {
    case 1: f.kind = SampleKind::mu_law; f.bytes_per_sample = 1; break;
    case 2: f.kind = SampleKind::signed_int; f.bytes_per_sample = 1; break;
    case 3: f.kind = SampleKind::signed_int; f.bytes_per_sample = 2; break;
    case 4: f.kind = SampleKind::signed_int; f.bytes_per_sample = 3; break;
    case 5: f.kind = SampleKind::signed_int; f.bytes_per_sample = 4; break;
    case 6: f.kind = SampleKind::ieee_float; f.bytes_per_sample = 4; break;
    case 7: f.kind = SampleKind::ieee_float; f.bytes_per_sample = 8; break;
    case 27: f.kind = SampleKind::a_law; f.bytes_per_sample = 1; break;
    default:
      return unsupported(source, "AU encoding " + std::to_string(encoding) +
                                     " is not supported (mu-law, A-law, 8/16/24/32-bit PCM, float, double)");
  }
  return f;
}

}  // namespace

Expected<std::unique_ptr<Decoder>> open_au_decoder(std::unique_ptr<ByteSource> source) {
  ByteSource& src = *source;
  const uint64_t file_size = src.size();
  if (auto s = src.seek(0); !s) return s.error();
  uint8_t h[kHeaderBytes];
  if (auto r = read_exact(src, h, kHeaderBytes, "AU header"); !r) return r.error();
  if (std::memcmp(h, ".snd", 4) != 0) return unsupported(src, "not an AU file");
  const uint32_t data_offset = load_be32(h + 4);
  const uint32_t data_size = load_be32(h + 8);
  const uint32_t encoding = load_be32(h + 12);
  const uint32_t rate = load_be32(h + 16);
  const uint32_t channels = load_be32(h + 20);

  if (data_offset < kHeaderBytes) {
    return corrupt(src, "AU data offset " + std::to_string(data_offset) + " lies inside the header");
  }
  if (data_offset > file_size) {
    return corrupt(src, "AU data offset " + std::to_string(data_offset) + " is past the end of the file (" +
                            std::to_string(file_size) + " bytes)");
  }
  auto format = au_encoding(src, encoding);
  if (!format) return format.error();
  const int64_t channel_count = int64_t(channels);
  if (channel_count > kMaxChannels) {
    return corrupt(src, "header says " + std::to_string(channel_count) + " channels (at most " +
                            std::to_string(kMaxChannels) + " are supported)");
  }
  if (auto v = validate_layout(src, int(channel_count), rate); !v) return v.error();

  PcmLayout layout;
  layout.format = *format;
  layout.channels = int(channel_count);
  layout.sample_rate = int(rate);
  layout.data_offset = data_offset;
  const uint64_t available = file_size - data_offset;
  if (data_size == kUnknownSize) {
    layout.data_bytes = available;
  } else if (data_size > available) {
    return corrupt(src, "truncated audio data (expected " + std::to_string(data_size) + " bytes, found " +
                            std::to_string(available) + ")");
  } else {
    layout.data_bytes = data_size;
  }
  return make_pcm_stream_decoder(std::move(source), AudioFormat::au, layout);
}

}  // namespace melgenre::audio_detail
