// librosa 0.8 estimate_tuning: piptrack's parabolic peak picking, then pitch_tuning's histogram.
// Arithmetic is float32 where librosa's is (it decides which peaks pass the thresholds).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <vector>

#include "melgenre/summary.hpp"

namespace melgenre {
namespace {

struct Peak {
  float pitch;
  float mag;
};

// librosa.piptrack(S, fmin=150, fmax=4000, threshold=0.1) restricted to the non-zero outputs.
void track_peaks(const FeatureMatrix& s, int sample_rate, int n_fft, std::vector<Peak>& peaks) {
  const int bins = s.n_bins;
  if (bins < 1 || sample_rate <= 0 || n_fft < 1) return;
  const double fmin = 150.0, fmax = std::min(4000.0, sample_rate / 2.0);
  // Bins whose centre frequency lies in [fmin, fmax).
  int lo = bins, hi = 0;
  for (int k = 0; k < bins; ++k) {
    const double f = double(k) * sample_rate / n_fft;
    if (fmin <= f && f < fmax) lo = std::min(lo, k), hi = std::max(hi, k + 1);
  }
  // The parabolic shift and skew are 0 on the first and last bins, so peaks there keep their raw value.
  lo = std::max(lo, 0);
  std::vector<float> gated(size_t(bins) + 2);
  for (int t = 0; t < s.n_frames; ++t) {
    const float* x = s.frame(t);
    const float ref = 0.1f * *std::max_element(x, x + bins);
    // S * (S > ref), edge-padded for the local-maximum test.
    for (int k = 0; k < bins; ++k) gated[size_t(k) + 1] = x[k] > ref ? x[k] : 0.f;
    gated[0] = gated[1];
    gated[size_t(bins) + 1] = gated[size_t(bins)];
    for (int k = lo; k < hi; ++k) {
      const float g = gated[size_t(k) + 1];
      if (!(g > gated[size_t(k)] && g >= gated[size_t(k) + 2])) continue;
      float shift = 0.f, dskew = 0.f;
      if (k > 0 && k < bins - 1) {
        const float avg = 0.5f * (x[k + 1] - x[k - 1]);
        float den = 2.f * x[k] - x[k + 1] - x[k - 1];
        den += std::fabs(den) < FLT_MIN ? 1.f : 0.f;
        shift = avg / den;
        dskew = 0.5f * avg * shift;
      }
      peaks.push_back({float((double(k) + double(shift)) * double(sample_rate) / n_fft), x[k] + dskew});
    }
  }
}

// np.median of float32 values (mean of the two middle ones for an even count, in float32).
float median_of(std::vector<float>& v) {
  const size_t n = v.size(), mid = n / 2;
  std::nth_element(v.begin(), v.begin() + long(mid), v.end());
  const float upper = v[mid];
  if (n % 2) return upper;
  const float lower = *std::max_element(v.begin(), v.begin() + long(mid));
  return (lower + upper) * 0.5f;
}

}  // namespace

double estimate_tuning(const FeatureMatrix& spectrum, int sample_rate, int n_fft) {
  std::vector<Peak> peaks;
  track_peaks(spectrum, sample_rate, n_fft, peaks);
  std::vector<float> mags;
  for (const Peak& p : peaks)
    if (p.pitch > 0.f) mags.push_back(p.mag);
  if (mags.empty()) return 0.0;
  const float threshold = median_of(mags);

  // pitch_tuning(resolution=0.01, bins_per_octave=12): residuals against A440/16 in float32, histogram
  // over np.linspace(-0.5, 0.5, 101) edges (bin i holds edge[i] <= r < edge[i+1]; the last is closed).
  constexpr int kBins = 100;
  double edges[kBins + 1];
  for (int i = 0; i < kBins; ++i) edges[i] = double(i) * 0.01 + -0.5;
  edges[kBins] = 0.5;
  int counts[kBins] = {};
  bool any = false;
  for (const Peak& p : peaks) {
    if (!(p.pitch > 0.f) || !(p.mag >= threshold)) continue;
    const float octs = std::log2(p.pitch / 27.5f);
    float r = std::fmod(12.f * octs, 1.f);
    if (r < 0.f) r += 1.f;
    if (r >= 0.5f) r -= 1.f;
    const double rd = r;
    if (rd < edges[0] || rd > edges[kBins]) continue;
    int i = std::clamp(int((rd - edges[0]) / 0.01), 0, kBins - 1);
    while (i > 0 && rd < edges[i]) --i;
    while (i < kBins - 1 && rd >= edges[i + 1]) ++i;
    ++counts[i];
    any = true;
  }
  if (!any) return 0.0;
  return edges[std::max_element(counts, counts + kBins) - counts];
}

}  // namespace melgenre
