// Inverse STFT with librosa.istft semantics (no `length`): inverse real FFT of each frame, Hann synthesis
// window, overlap-add, division by the summed squared window where it is not ~0, then the n_fft/2
// centring pad trimmed from both ends.
#include <cfloat>
#include <string>

#include "features/hann_window.hpp"
#include "features/real_fft.hpp"
#include "melgenre/features.hpp"

namespace melgenre {

Expected<std::vector<float>> istft(const std::vector<std::complex<float>>& spectrum, int n_frames,
                                   const StftParams& params) {
  const int n_fft = params.n_fft, hop = params.hop;
  if (n_fft < 2 || n_fft > (1 << 20))
    return make_error(Status::invalid_argument, "istft: n_fft must be in [2, 1048576], got " + std::to_string(n_fft));
  if (hop < 1 || hop > (1 << 20))
    return make_error(Status::invalid_argument, "istft: hop must be in [1, 1048576], got " + std::to_string(hop));
  if (n_frames < 1) return make_error(Status::invalid_argument, "istft: need at least one frame");
  const size_t n_bins = size_t(n_fft / 2 + 1);
  if (spectrum.size() != size_t(n_frames) * n_bins)
    return make_error(Status::invalid_argument, "istft: spectrum has " + std::to_string(spectrum.size()) +
                                                    " values, expected " + std::to_string(n_frames) + " frames x " +
                                                    std::to_string(n_bins) + " bins");
  auto fft = RealFft::create(n_fft);
  if (!fft) return fft.error();

  const std::vector<double> window = periodic_hann(n_fft);
  std::vector<float> window_f(window.begin(), window.end());
  const size_t full = size_t(n_fft) + size_t(hop) * size_t(n_frames - 1);

  // Overlap-add of the windowed frames over the padded length, and the squared-window sum librosa divides
  // by (accumulated in float32 from float64 squares, as librosa.filters.window_sumsquare does).
  std::vector<float> y(full, 0.f), win_sum(full, 0.f), frame(static_cast<size_t>(n_fft));
  for (int t = 0; t < n_frames; ++t) {
    fft->inverse(spectrum.data() + size_t(t) * n_bins, frame.data());
    float* dst = y.data() + size_t(t) * size_t(hop);
    float* ws = win_sum.data() + size_t(t) * size_t(hop);
    for (int i = 0; i < n_fft; ++i) {
      dst[i] += frame[size_t(i)] * window_f[size_t(i)];
      ws[i] = float(double(ws[i]) + window[size_t(i)] * window[size_t(i)]);
    }
  }
  for (size_t i = 0; i < full; ++i)
    if (win_sum[i] > FLT_MIN) y[i] /= win_sum[i];

  if (!params.center) return y;
  const size_t trim = size_t(n_fft / 2);
  const size_t out_len = full - 2 * trim;
  return std::vector<float>(y.begin() + long(trim), y.begin() + long(trim + out_len));
}

}  // namespace melgenre
