// librosa 0.8 onset_strength with aggregate=np.median: positive first difference of the dB mel
// spectrogram (lag 1, no max filter), median over bands, shifted right by lag + n_fft/(2 hop) frames.
#include <algorithm>
#include <vector>

#include "melgenre/summary.hpp"

namespace melgenre {

std::vector<float> onset_strength_median(const FeatureMatrix& mel_db, int n_fft, int hop) {
  const int frames = mel_db.n_frames, bands = mel_db.n_bins;
  std::vector<float> env(size_t(std::max(frames, 0)), 0.f);
  if (frames < 2 || bands < 1 || hop < 1) return env;
  const int shift = 1 + n_fft / (2 * hop);
  std::vector<float> diff(static_cast<size_t>(bands));
  const size_t mid = size_t(bands) / 2;
  for (int t = 1; t < frames; ++t) {
    const int dst = t - 1 + shift;
    if (dst >= frames) break;
    const float* cur = mel_db.frame(t);
    const float* prev = mel_db.frame(t - 1);
    for (int m = 0; m < bands; ++m) diff[size_t(m)] = std::max(0.f, cur[m] - prev[m]);
    // np.median in float32: the middle value, or the mean of the two middle ones.
    std::nth_element(diff.begin(), diff.begin() + long(mid), diff.end());
    float med = diff[mid];
    if (bands % 2 == 0) med = (*std::max_element(diff.begin(), diff.begin() + long(mid)) + med) * 0.5f;
    env[size_t(dst)] = med;
  }
  return env;
}

}  // namespace melgenre
