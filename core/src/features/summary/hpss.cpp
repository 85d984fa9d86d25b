// librosa 0.8 decompose.hpss on a complex STFT: harmonic = median over time, percussive = median over
// frequency (scipy 'reflect' edges), soft masks with power 2 and margin 1; H = D * mask_harmonic.
#include <algorithm>
#include <cfloat>
#include <cstring>
#include <vector>

#include "features/summary/harmonic_separator.hpp"
#include "melgenre/summary.hpp"

namespace melgenre {
namespace {

constexpr int kGroup = 8;  // frames filtered together (one per vector lane)

typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));

inline v4f select(v4i mask, v4f yes, v4f no) { return (v4f)(((v4i)yes & mask) | ((v4i)no & ~mask)); }

// util.softmask(h, p, power=2, split_zeros=True) in float32: rescale by max(h, p), square, divide;
// 0.5 where both are below FLT_MIN.
void soft_mask(float* h_to_mask, const float* p, size_t n) {
  const v4f tiny = {FLT_MIN, FLT_MIN, FLT_MIN, FLT_MIN}, one = {1.f, 1.f, 1.f, 1.f},
            half = {0.5f, 0.5f, 0.5f, 0.5f};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v4f h, q;
    std::memcpy(&h, h_to_mask + i, sizeof h);
    std::memcpy(&q, p + i, sizeof q);
    const v4f z = select(h > q, h, q);
    const v4i bad = z < tiny;
    const v4f scale = select(bad, one, z);
    const v4f a = h / scale, b = q / scale;
    const v4f ma = a * a, mb = b * b;
    const v4f m = select(bad, half, ma / (ma + mb));
    std::memcpy(h_to_mask + i, &m, sizeof m);
  }
  for (; i < n; ++i) {
    const float h = h_to_mask[i], q = p[i];
    const float z = h > q ? h : q;
    if (z < FLT_MIN) {
      h_to_mask[i] = 0.5f;
      continue;
    }
    const float a = h / z, b = q / z;
    h_to_mask[i] = (a * a) / (a * a + b * b);
  }
}

}  // namespace

// Median along frequency of every frame. Eight frames at a time are interleaved into a small buffer
// (bins x 8, cache-resident) so the vector filter reads them as lanes; a strided transpose of the
// whole spectrogram would thrash the cache (rows are ~4 KiB apart).
void HarmonicSeparator::percussive_medians(const FeatureMatrix& mag) {
  const int frames = mag.n_frames, bins = mag.n_bins;
  if (frames < kGroup) {
    for (int t = 0; t < frames; ++t) median_.filter(mag.frame(t), 1, bins, perc_.data() + size_t(t) * bins, 1);
    return;
  }
  group_in_.resize(size_t(bins) * kGroup);
  group_out_.resize(size_t(bins) * kGroup);
  float* in = group_in_.data();
  float* out = group_out_.data();
  for (int g = 0; g < frames; g += kGroup) {
    const int t0 = std::min(g, frames - kGroup);  // the last group overlaps the previous one
    for (int j = 0; j < kGroup; ++j) {
      const float* src = mag.frame(t0 + j);
      for (int k = 0; k < bins; ++k) in[size_t(k) * kGroup + size_t(j)] = src[k];
    }
    median_.filter_columns(in, bins, kGroup, kGroup, out);
    for (int j = 0; j < kGroup; ++j) {
      float* dst = perc_.data() + size_t(t0 + j) * bins;
      for (int k = 0; k < bins; ++k) dst[k] = out[size_t(k) * kGroup + size_t(j)];
    }
  }
}

void HarmonicSeparator::harmonic(const std::vector<std::complex<float>>& stft, const FeatureMatrix& magnitude,
                                 std::vector<std::complex<float>>& harmonic) {
  const int frames = magnitude.n_frames, bins = magnitude.n_bins;
  const size_t total = size_t(frames) * size_t(bins);
  harmonic.resize(total);
  if (total == 0 || stft.size() < total) return;
  harm_.resize(total);
  perc_.resize(total);
  // Harmonic: median along time; bins are the interleaved rows of the frame-major matrix.
  median_.filter_columns(magnitude.data.data(), frames, bins, bins, harm_.data());
  percussive_medians(magnitude);
  soft_mask(harm_.data(), perc_.data(), total);  // harm_ now holds the mask
  const float* mask = harm_.data();
  const float* d = reinterpret_cast<const float*>(stft.data());
  float* out = reinterpret_cast<float*>(harmonic.data());
  for (size_t i = 0; i < total; ++i) {
    out[2 * i] = d[2 * i] * mask[i];
    out[2 * i + 1] = d[2 * i + 1] * mask[i];
  }
}

void harmonic_spectrum(const std::vector<std::complex<float>>& stft, const FeatureMatrix& magnitude, int kernel,
                       std::vector<std::complex<float>>& harmonic) {
  HarmonicSeparator(kernel).harmonic(stft, magnitude, harmonic);
}

}  // namespace melgenre
