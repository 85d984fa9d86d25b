#include "pipeline/segmenter.hpp"

#include <cmath>

namespace melgenre {

int segment_count(int n_frames, int frames, int hop) {
  if (frames < 1 || hop < 1 || n_frames < frames) return 0;
  return (n_frames - frames) / hop + 1;
}

size_t samples_for_frames(const StftParams& stft, int frames) {
  // n_frames(n) = 1 + (n + pad - n_fft) / hop with pad = 2 * (n_fft / 2) when centred.
  const long long pad = stft.center ? 2LL * (stft.n_fft / 2) : 0;
  const long long need = (long long)stft.n_fft + (long long)(frames - 1) * stft.hop - pad;
  return size_t(need < 1 ? 1 : need);
}

int summary_window_count(size_t n_samples, int sample_rate) {
  const double windows = std::floor(double(n_samples) / (kSummaryWindowSeconds * sample_rate));
  return windows < 1 ? 1 : int(windows);
}

void normalize_rows(const float* src, size_t rows, size_t cols, const std::vector<float>& mean,
                    const std::vector<float>& std, float* dst) {
  const bool per_col_mean = mean.size() == cols, per_col_std = std.size() == cols;
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) {
      const float m = per_col_mean ? mean[c] : mean[0];
      const float s = per_col_std ? std[c] : std[0];
      dst[r * cols + c] = (src[r * cols + c] - m) / s;
    }
}

}  // namespace melgenre
