// librosa 0.8 rms (time-domain frames) and spectral centroid / bandwidth / rolloff on a magnitude STFT.
#include <algorithm>
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
  std::vector<float> cum(static_cast<size_t>(bins));
  const float roll = float(roll_percent);
  constexpr int kAcc = 4;  // independent accumulators: the sums are latency-bound otherwise
  for (int t = 0; t < frames; ++t) {
    const float* s = magnitude.frame(t);
    // util.normalize(S, norm=1): float64 sum, float32 result; near-silent frames stay unnormalised.
    double part[kAcc] = {};
    int k = 0;
    for (; k + kAcc <= bins; k += kAcc)
      for (int j = 0; j < kAcc; ++j) part[j] += std::fabs(s[k + j]);
    double total = (part[0] + part[1]) + (part[2] + part[3]);
    for (; k < bins; ++k) total += std::fabs(s[k]);
    if (total < FLT_MIN) total = 1.0;
    const double inv = 1.0 / total;
    // Moments of the normalised spectrum: sum w, sum w f, sum w f^2 (bandwidth^2 = m2 - 2 c m1 + c^2 m0).
    double m0[kAcc] = {}, m1[kAcc] = {}, m2[kAcc] = {};
    for (k = 0; k + kAcc <= bins; k += kAcc)
      for (int j = 0; j < kAcc; ++j) {
        const double w = double(float(double(s[k + j]) * inv)), f = freq[size_t(k + j)];
        m0[j] += w;
        m1[j] += w * f;
        m2[j] += w * f * f;
      }
    double s0 = (m0[0] + m0[1]) + (m0[2] + m0[3]), s1 = (m1[0] + m1[1]) + (m1[2] + m1[3]),
           s2 = (m2[0] + m2[1]) + (m2[2] + m2[3]);
    for (; k < bins; ++k) {
      const double w = double(float(double(s[k]) * inv)), f = freq[size_t(k)];
      s0 += w, s1 += w * f, s2 += w * f * f;
    }
    const double centroid = s1;
    out.centroid[size_t(t)] = centroid;
    out.bandwidth[size_t(t)] = std::sqrt(std::max(0.0, s2 - 2.0 * centroid * s1 + centroid * centroid * s0));
  }

  // Rolloff: np.cumsum in float32 (sequential per frame), first bin whose running sum reaches
  // roll x total. Four frames advance together so their dependency chains overlap.
  constexpr int kChains = 4;
  cum.resize(size_t(bins) * kChains);
  for (int t0 = 0; t0 < frames; t0 += kChains) {
    const int count = std::min(kChains, frames - t0);
    const float* src[kChains];
    for (int j = 0; j < kChains; ++j) src[j] = magnitude.frame(t0 + std::min(j, count - 1));
    float acc[kChains] = {};
    for (int k = 0; k < bins; ++k)
      for (int j = 0; j < kChains; ++j) cum[size_t(j) * bins + size_t(k)] = acc[j] += src[j][k];
    for (int j = 0; j < count; ++j) {
      const float* c = cum.data() + size_t(j) * bins;
      const float threshold = roll * acc[j];
      const size_t first = size_t(std::lower_bound(c, c + bins, threshold) - c);
      out.rolloff[size_t(t0 + j)] = first < size_t(bins) ? freq[first] : 0.0;
    }
  }
}

}  // namespace melgenre
