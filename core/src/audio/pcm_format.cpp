#include "audio/pcm_format.hpp"

#include <cmath>
#include <cstring>
#include <limits>

namespace melgenre::audio_detail {
namespace {

// Sign-extends the `bytes`-byte integer at p (1..4 bytes) to int32.
inline int32_t load_int(const uint8_t* p, int bytes, bool big_endian) {
  uint32_t u = 0;
  if (big_endian) {
    for (int i = 0; i < bytes; ++i) u = (u << 8) | p[i];
  } else {
    for (int i = bytes - 1; i >= 0; --i) u = (u << 8) | p[i];
  }
  const int shift = 32 - 8 * bytes;
  return int32_t(u << shift) >> shift;  // arithmetic shift: sign extension
}

template <class SampleToFloat>
bool downmix(int channels, const uint8_t* data, size_t frames, size_t sample_bytes, float* mono,
             SampleToFloat&& sample) {
  if (channels == 1) {
    for (size_t i = 0; i < frames; ++i) mono[i] = sample(data + i * sample_bytes);
    return true;
  }
  const size_t frame_bytes = sample_bytes * size_t(channels);
  for (size_t i = 0; i < frames; ++i) {
    const uint8_t* f = data + i * frame_bytes;
    // Sequential float sum then divide by the count: numpy's mean over the channel axis.
    float sum = sample(f);
    for (int c = 1; c < channels; ++c) sum += sample(f + size_t(c) * sample_bytes);
    mono[i] = sum / float(channels);
  }
  return true;
}

bool all_finite(const float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) return false;
  }
  return true;
}

}  // namespace

int16_t mu_law_to_int16(uint8_t code) {
  const int u = ~code & 0xFF;
  const int exponent = (u >> 4) & 7;
  const int mantissa = u & 0x0F;
  const int magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return int16_t((u & 0x80) ? -magnitude : magnitude);
}

int16_t a_law_to_int16(uint8_t code) {
  const int a = code ^ 0x55;
  const int exponent = (a >> 4) & 7;
  const int mantissa = a & 0x0F;
  int magnitude = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return int16_t((a & 0x80) ? magnitude : -magnitude);
}

std::string describe(const PcmFormat& f) {
  switch (f.kind) {
    case SampleKind::unsigned_int: return "unsigned " + std::to_string(8 * f.bytes_per_sample) + "-bit PCM";
    case SampleKind::signed_int: return std::to_string(8 * f.bytes_per_sample) + "-bit PCM";
    case SampleKind::ieee_float: return std::to_string(8 * f.bytes_per_sample) + "-bit float";
    case SampleKind::mu_law: return "mu-law";
    case SampleKind::a_law: return "A-law";
  }
  return "PCM";
}

bool pcm_to_mono(const PcmFormat& f, int channels, const uint8_t* data, size_t frames, float* mono) {
  const size_t sb = size_t(f.bytes_per_sample);
  const bool be = f.big_endian;
  switch (f.kind) {
    case SampleKind::unsigned_int:
      if (sb == 1) return downmix(channels, data, frames, sb, mono, [](const uint8_t* p) { return float(int(*p) - 128) / 128.0f; });
      break;
    case SampleKind::signed_int: {
      // Integer PCM scaled by 2^-(bits-1): exact powers of two, so one rounding like soundfile.
      const float scale = std::ldexp(1.0f, -(8 * int(sb) - 1));
      if (sb == 2 && !be) {
        return downmix(channels, data, frames, sb, mono, [](const uint8_t* p) {
          return float(int16_t(uint16_t(p[0] | (p[1] << 8)))) * (1.0f / 32768.0f);
        });
      }
      if (sb >= 1 && sb <= 4) {
        return downmix(channels, data, frames, sb, mono,
                       [=](const uint8_t* p) { return float(load_int(p, int(sb), be)) * scale; });
      }
      break;
    }
    case SampleKind::ieee_float:
      if (sb == 4) {
        downmix(channels, data, frames, sb, mono, [=](const uint8_t* p) {
          const uint32_t bits = uint32_t(load_int(p, 4, be));
          float v;
          std::memcpy(&v, &bits, 4);
          return v;
        });
        return all_finite(mono, frames);
      }
      if (sb == 8) {
        downmix(channels, data, frames, sb, mono, [=](const uint8_t* p) {
          uint64_t bits = 0;
          if (be) {
            for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];
          } else {
            for (int i = 7; i >= 0; --i) bits = (bits << 8) | p[i];
          }
          double v;
          std::memcpy(&v, &bits, 8);
          // Out-of-range doubles become infinity explicitly (the cast itself would be undefined).
          if (!(std::fabs(v) <= double(std::numeric_limits<float>::max()))) {
            return std::isnan(v) ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
          }
          return float(v);
        });
        return all_finite(mono, frames);
      }
      break;
    case SampleKind::mu_law:
      return downmix(channels, data, frames, 1, mono,
                     [](const uint8_t* p) { return float(mu_law_to_int16(*p)) * (1.0f / 32768.0f); });
    case SampleKind::a_law:
      return downmix(channels, data, frames, 1, mono,
                     [](const uint8_t* p) { return float(a_law_to_int16(*p)) * (1.0f / 32768.0f); });
  }
  return false;
}

}  // namespace melgenre::audio_detail
