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
  RunningMedian median(kernel);

  // Harmonic: median along time, on the bin-major transpose so each row is contiguous.
  std::vector<float> by_bin(total), harm_by_bin(total), harm(total), perc(total);
  transpose(magnitude.data.data(), frames, bins, by_bin.data());
  for (int k = 0; k < bins; ++k)
    median.filter(by_bin.data() + size_t(k) * frames, 1, frames, harm_by_bin.data() + size_t(k) * frames, 1);
  transpose(harm_by_bin.data(), bins, frames, harm.data());
  // Percussive: median along frequency within each frame.
  for (int t = 0; t < frames; ++t)
    median.filter(magnitude.frame(t), 1, bins, perc.data() + size_t(t) * bins, 1);

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
