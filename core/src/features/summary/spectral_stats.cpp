// librosa 0.8 rms (time-domain frames) and spectral centroid / bandwidth / rolloff on a magnitude STFT.
#include <cfloat>
#include <cmath>
#include <vector>

#include "features/frame_padding.hpp"
#include "melgenre/summary.hpp"

namespace melgenre {

std::vector<float> rms_frames(const float* y, size_t n, int frame_length, int hop) {
  const long long pad = frame_length / 2;
  const long long padded = (long long)n + 2 * pad;
  if (frame_length < 1 || hop < 1 || padded < frame_length) return {};
  const size_t frames = size_t(1 + (padded - frame_length) / hop);
  // Prefix sums of squares over the reflect-padded signal (double: each frame is a difference of two).
  std::vector<double> prefix(size_t(padded) + 1, 0.0);
  for (long long i = 0; i < padded; ++i) {
    const double v = padded_sample(y, (long long)n, i - pad, PadMode::reflect);
    prefix[size_t(i) + 1] = prefix[size_t(i)] + v * v;
  }
  std::vector<float> out(frames);
  for (size_t t = 0; t < frames; ++t) {
    const size_t a = t * size_t(hop);
    const double mean = (prefix[a + size_t(frame_length)] - prefix[a]) / frame_length;
    out[t] = float(std::sqrt(std::max(mean, 0.0)));
  }
  return out;
}

void spectral_shape(const FeatureMatrix& magnitude, int sample_rate, int n_fft, double roll_percent,
                    SpectralShape& out) {
  const int bins = magnitude.n_bins, frames = magnitude.n_frames;
  out.centroid.assign(size_t(frames), 0.0);
  out.bandwidth.assign(size_t(frames), 0.0);
  out.rolloff.assign(size_t(frames), 0.0);
  std::vector<double> freq(static_cast<size_t>(bins));
  for (int k = 0; k < bins; ++k) freq[size_t(k)] = double(k) * sample_rate / n_fft;
  std::vector<float> norm(static_cast<size_t>(bins));
  const float roll = float(roll_percent);
  for (int t = 0; t < frames; ++t) {
    const float* s = magnitude.frame(t);
    // util.normalize(S, norm=1): float64 sum, float32 result; near-silent frames stay unnormalised.
    double total = 0.0;
    for (int k = 0; k < bins; ++k) total += std::fabs(s[k]);
    if (total < FLT_MIN) total = 1.0;
    double centroid = 0.0;
    for (int k = 0; k < bins; ++k) {
      norm[size_t(k)] = float(s[k] / total);
      centroid += freq[size_t(k)] * norm[size_t(k)];
    }
    double spread = 0.0;
    for (int k = 0; k < bins; ++k) {
      const double d = freq[size_t(k)] - centroid;
      spread += norm[size_t(k)] * (d * d);
    }
    out.centroid[size_t(t)] = centroid;
    out.bandwidth[size_t(t)] = std::sqrt(spread);

    // Rolloff: float32 running sum as np.cumsum, first bin reaching roll_percent of the total.
    float energy = 0.f;
    for (int k = 0; k < bins; ++k) energy += s[k];
    const float threshold = roll * energy;
    float cum = 0.f;
    int k = 0;
    for (; k < bins; ++k) {
      cum += s[k];
      if (!(cum < threshold)) break;
    }
    out.rolloff[size_t(t)] = k < bins ? freq[size_t(k)] : 0.0;
  }
}

}  // namespace melgenre
