// librosa 0.8 chroma_stft pieces: the chroma filterbank (filters.chroma) and the per-frame projection
// with norm=inf.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <vector>

#include "melgenre/summary.hpp"

namespace melgenre {

std::vector<float> chroma_filterbank(int sample_rate, int n_fft, double tuning, int n_chroma) {
  // Bin 1 anchors bin 0's chroma below, so a filterbank needs two FFT bins at least.
  if (sample_rate <= 0 || n_fft < 2 || n_chroma < 1) return {};
  const int bins = n_fft / 2 + 1;
  // Fractional chroma bin of every FFT bin (DC gets a value 1.5 octaves below bin 1), in float64.
  std::vector<double> frqbins(static_cast<size_t>(n_fft)), width(static_cast<size_t>(n_fft));
  const double a440 = 440.0 * std::pow(2.0, tuning / n_chroma);
  for (int k = 1; k < n_fft; ++k) {
    const double f = double(k) * double(sample_rate) / n_fft;  // np.linspace(0, sr, n_fft, endpoint=False)
    frqbins[size_t(k)] = n_chroma * std::log2(f / (a440 / 16.0));
  }
  frqbins[0] = frqbins[1] - 1.5 * n_chroma;
  for (int k = 0; k + 1 < n_fft; ++k) width[size_t(k)] = std::max(frqbins[size_t(k) + 1] - frqbins[size_t(k)], 1.0);
  width[size_t(n_fft) - 1] = 1.0;

  const double half = std::round(n_chroma / 2.0);
  std::vector<double> w(size_t(n_chroma) * size_t(bins));
  std::vector<double> col(size_t(std::max(n_chroma, 1)));
  for (int k = 0; k < bins; ++k) {
    double norm2 = 0.0;
    for (int c = 0; c < n_chroma; ++c) {
      double d = frqbins[size_t(k)] - c + half + 10.0 * n_chroma;
      d = d - std::floor(d / n_chroma) * n_chroma;  // np.remainder (non-negative here)
      d -= half;
      const double z = 2.0 * d / width[size_t(k)];
      col[size_t(c)] = std::exp(-0.5 * z * z);
      norm2 += col[size_t(c)] * col[size_t(c)];
    }
    const double len = std::sqrt(norm2);
    const double oct = (frqbins[size_t(k)] / n_chroma - 5.0) / 2.0;  // ctroct 5, octwidth 2
    const double scale = std::exp(-0.5 * oct * oct);
    for (int c = 0; c < n_chroma; ++c) {
      // base_c: roll by -3 so row 0 is C.
      const int row = ((c - 3 * (n_chroma / 12)) % n_chroma + n_chroma) % n_chroma;
      w[size_t(row) * bins + size_t(k)] = (len < DBL_MIN ? col[size_t(c)] : col[size_t(c)] / len) * scale;
    }
  }
  return std::vector<float>(w.begin(), w.end());
}

void chroma_from_power(const FeatureMatrix& power, const std::vector<float>& filterbank, int n_chroma,
                       FeatureMatrix& chroma) {
  const int bins = power.n_bins;
  chroma.resize(power.n_frames, std::max(n_chroma, 0));
  // A filterbank built for another spectrum size gives no projection (all zeros) rather than a read
  // past its end.
  if (n_chroma < 1 || filterbank.size() != size_t(n_chroma) * size_t(std::max(bins, 0))) return;
  for (int t = 0; t < power.n_frames; ++t) {
    const float* p = power.frame(t);
    float* out = chroma.frame(t);
    float peak = 0.f;
    for (int c = 0; c < n_chroma; ++c) {
      const float* w = filterbank.data() + size_t(c) * bins;
      float acc[8] = {};
      int k = 0;
      for (; k + 8 <= bins; k += 8)
        for (int j = 0; j < 8; ++j) acc[j] += w[k + j] * p[k + j];
      float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
      for (; k < bins; ++k) s += w[k] * p[k];
      out[c] = s;
      peak = std::max(peak, std::fabs(s));
    }
    if (peak >= FLT_MIN)
      for (int c = 0; c < n_chroma; ++c) out[c] = float(double(out[c]) / double(peak));
  }
}

}  // namespace melgenre
