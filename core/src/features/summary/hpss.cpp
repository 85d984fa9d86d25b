// librosa 0.8 decompose.hpss on a complex STFT: harmonic = median over time, percussive = median over
// frequency (scipy 'reflect' edges), soft masks with power 2 and margin 1; H = D * mask_harmonic.
#include <algorithm>
#include <cfloat>
#include <vector>

#include "features/summary/running_median.hpp"
#include "melgenre/summary.hpp"

namespace melgenre {
namespace {

// Blocked transpose of a rows x cols matrix.
void transpose(const float* in, int rows, int cols, float* out) {
  constexpr int kBlock = 32;
  for (int r0 = 0; r0 < rows; r0 += kBlock)
    for (int c0 = 0; c0 < cols; c0 += kBlock) {
      const int r1 = std::min(rows, r0 + kBlock), c1 = std::min(cols, c0 + kBlock);
      for (int r = r0; r < r1; ++r)
        for (int c = c0; c < c1; ++c) out[size_t(c) * rows + size_t(r)] = in[size_t(r) * cols + size_t(c)];
    }
}

}  // namespace

void harmonic_spectrum(const std::vector<std::complex<float>>& stft, const FeatureMatrix& magnitude, int kernel,
                       std::vector<std::complex<float>>& harmonic) {
  const int frames = magnitude.n_frames, bins = magnitude.n_bins;
  const size_t total = size_t(frames) * size_t(bins);
  harmonic.resize(total);
  if (total == 0) return;
  const RunningMedian median(kernel);
  std::vector<float> by_bin(total), perc_by_bin(total), harm(total), perc(total);
  // Harmonic: median along time; bins are the interleaved rows of the frame-major matrix.
  median.filter_columns(magnitude.data.data(), frames, bins, bins, harm.data());
  // Percussive: median along frequency, on the bin-major transpose (frames interleaved).
  transpose(magnitude.data.data(), frames, bins, by_bin.data());
  median.filter_columns(by_bin.data(), bins, frames, frames, perc_by_bin.data());
  transpose(perc_by_bin.data(), bins, frames, perc.data());

  // util.softmask(harm, perc, power=2, split_zeros=True) in float32.
  for (size_t i = 0; i < total; ++i) {
    const float h = harm[i], p = perc[i];
    float z = std::max(h, p);
    float mask = 0.5f;
    if (!(z < FLT_MIN)) {
      const float a = h / z, b = p / z;
      const float ma = a * a, mb = b * b;
      mask = ma / (ma + mb);
    }
    harmonic[i] = stft[i] * mask;
  }
}

}  // namespace melgenre
