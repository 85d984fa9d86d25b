// librosa.filters.mel: triangular filters between mel-spaced centres, in float64 like librosa, each
// weight cast to float32 before the Slaney area normalisation (librosa stores the triangles in a float32
// array and then scales it in place by a float64 factor).
#include <algorithm>
#include <cmath>
#include <string>

#include "features/simd4.hpp"
#include "melgenre/features.hpp"

namespace melgenre {
namespace {

// Slaney's Auditory Toolbox scale: linear below 1 kHz, logarithmic above.
constexpr double kSlaneyHzPerMel = 200.0 / 3.0;
constexpr double kSlaneyMinLogHz = 1000.0;
const double kSlaneyMinLogMel = kSlaneyMinLogHz / kSlaneyHzPerMel;
const double kSlaneyLogStep = std::log(6.4) / 27.0;

double hz_to_mel(double hz, bool htk) {
  if (htk) return 2595.0 * std::log10(1.0 + hz / 700.0);
  if (hz >= kSlaneyMinLogHz) return kSlaneyMinLogMel + std::log(hz / kSlaneyMinLogHz) / kSlaneyLogStep;
  return hz / kSlaneyHzPerMel;
}

double mel_to_hz(double mel, bool htk) {
  if (htk) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
  if (mel >= kSlaneyMinLogMel) return kSlaneyMinLogHz * std::exp(kSlaneyLogStep * (mel - kSlaneyMinLogMel));
  return kSlaneyHzPerMel * mel;
}

}  // namespace

Expected<MelFilterbank> MelFilterbank::create(const MelParams& p) {
  if (p.sample_rate < 1 || p.sample_rate > 1000000)
    return make_error(Status::invalid_argument, "mel: sample rate must be in [1, 1000000] Hz, got " +
                                                    std::to_string(p.sample_rate));
  if (p.n_fft < 2 || p.n_fft > (1 << 20))
    return make_error(Status::invalid_argument, "mel: n_fft must be in [2, 1048576], got " + std::to_string(p.n_fft));
  const int n_bins = p.n_fft / 2 + 1;
  if (p.n_mels < 1 || p.n_mels > n_bins)
    return make_error(Status::invalid_argument, "mel: n_mels must be in [1, n_fft/2+1 = " + std::to_string(n_bins) +
                                                    "], got " + std::to_string(p.n_mels));
  const double nyquist = p.sample_rate / 2.0;
  const double fmin = p.fmin, fmax = p.fmax > 0.f ? double(p.fmax) : nyquist;
  if (!(fmin >= 0.0) || !(fmax > fmin) || fmax > nyquist)
    return make_error(Status::invalid_argument, "mel: need 0 <= fmin < fmax <= sample_rate/2, got fmin " +
                                                    std::to_string(fmin) + ", fmax " + std::to_string(fmax));

  MelFilterbank fb;
  fb.params_ = p;
  fb.n_bins_ = n_bins;

  // Band edges: n_mels + 2 points evenly spaced in mel (numpy.linspace), back in Hz.
  const int n_edges = p.n_mels + 2;
  const double mel_lo = hz_to_mel(fmin, p.htk), mel_hi = hz_to_mel(fmax, p.htk);
  const double mel_step = (mel_hi - mel_lo) / double(n_edges - 1);
  std::vector<double> edge_hz(static_cast<size_t>(n_edges));
  for (int i = 0; i < n_edges; ++i)
    edge_hz[size_t(i)] = mel_to_hz(i == n_edges - 1 ? mel_hi : double(i) * mel_step + mel_lo, p.htk);

  // FFT bin centre frequencies (numpy.fft.rfftfreq(n_fft, 1/sr)).
  const double bin_hz = 1.0 / (double(p.n_fft) * (1.0 / double(p.sample_rate)));

  fb.weights_.assign(size_t(p.n_mels) * size_t(n_bins), 0.f);
  fb.bin_begin_.assign(size_t(p.n_mels), 0);
  fb.bin_end_.assign(size_t(p.n_mels), 0);
  for (int m = 0; m < p.n_mels; ++m) {
    const double lo = edge_hz[size_t(m)], mid = edge_hz[size_t(m + 1)], hi = edge_hz[size_t(m + 2)];
    const double rise = mid - lo, fall = hi - mid;
    const double enorm = p.slaney_norm ? 2.0 / (hi - lo) : 1.0;
    float* row = fb.weights_.data() + size_t(m) * size_t(n_bins);
    int begin = n_bins, end = 0;
    for (int k = 0; k < n_bins; ++k) {
      const double f = double(k) * bin_hz;
      const double lower = -(lo - f) / rise;  // librosa: -ramps[i] / fdiff[i]
      const double upper = (hi - f) / fall;   // librosa: ramps[i + 2] / fdiff[i + 1]
      const float tri = float(std::max(0.0, std::min(lower, upper)));
      const float w = p.slaney_norm ? float(double(tri) * enorm) : tri;
      row[k] = w;
      if (w != 0.f) {
        begin = std::min(begin, k);
        end = k + 1;
      }
    }
    fb.bin_begin_[size_t(m)] = begin < end ? begin : 0;
    fb.bin_end_[size_t(m)] = begin < end ? end : 0;
  }
  return fb;
}

void MelFilterbank::apply_frame(const float* power, float* mel) const {
  const size_t n_bins = size_t(n_bins_);
  for (int m = 0; m < params_.n_mels; ++m) {
    const float* w = weights_.data() + size_t(m) * n_bins;
    const int begin = bin_begin_[size_t(m)], end = bin_end_[size_t(m)];
    float acc = 0.f;
    for (int k = begin; k < end; ++k) acc += w[k] * power[k];
    mel[m] = acc;
  }
}

void MelFilterbank::apply_interleaved4(const float* power, float* mel) const {
  const size_t n_bins = size_t(n_bins_);
  for (int m = 0; m < params_.n_mels; ++m) {
    const float* w = weights_.data() + size_t(m) * n_bins;
    const int begin = bin_begin_[size_t(m)], end = bin_end_[size_t(m)];
    simd4::F32x4 acc = simd4::splat(0.f);
    for (int k = begin; k < end; ++k) acc += simd4::splat(w[k]) * simd4::load(power + size_t(k) * 4);
    simd4::store(mel + size_t(m) * 4, acc);
  }
}

void MelFilterbank::apply(const FeatureMatrix& power, FeatureMatrix& mel) const {
  mel.resize(power.n_frames, params_.n_mels);
  if (power.n_bins != n_bins_) return;  // precondition violated: leave zeros rather than read out of range
  for (int t = 0; t < power.n_frames; ++t) apply_frame(power.frame(t), mel.frame(t));
}

}  // namespace melgenre
