// Raw PCM sample layouts found in WAV and AU files, and their conversion to float mono the way
// librosa (via soundfile) scales them: int16/32768, unsigned 8-bit (x-128)/128, 24-bit/2^23,
// 32-bit/2^31, G.711 through int16; channels averaged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace melgenre::audio_detail {

enum class SampleKind { unsigned_int, signed_int, ieee_float, mu_law, a_law };

struct PcmFormat {
  SampleKind kind = SampleKind::signed_int;
  int bytes_per_sample = 2;  // 1..4 for integers, 4 or 8 for floats, 1 for G.711
  bool big_endian = false;
};

std::string describe(const PcmFormat& format);

// Converts `frames` interleaved frames of `channels` samples to mono floats. Returns false if a
// sample is NaN or infinite (only possible for float formats); `mono` is then partly written.
bool pcm_to_mono(const PcmFormat& format, int channels, const uint8_t* data, size_t frames, float* mono);

// G.711 expansions to 16-bit linear (the values libsndfile's tables hold).
int16_t mu_law_to_int16(uint8_t code);
int16_t a_law_to_int16(uint8_t code);

}  // namespace melgenre::audio_detail
