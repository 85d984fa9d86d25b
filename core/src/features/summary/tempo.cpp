// librosa 0.8 tempo: autocorrelation tempogram (8 s Hann windows over the linear-ramp-padded onset
// envelope, each column normalised by its maximum), averaged over time, weighted by a log-normal prior
// around start_bpm (std 1 octave), periods faster than 320 BPM excluded.
#include "features/summary/tempo_estimator.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "features/hann_window.hpp"
#include "melgenre/summary.hpp"

namespace melgenre {

TempoEstimator::TempoEstimator(int sample_rate, int hop, double start_bpm, int win, RealFftX4 fft)
    : sample_rate_(sample_rate), hop_(hop), win_(win), start_bpm_(start_bpm), fft_(std::move(fft)) {
  window_ = periodic_hann(win_);
  frames_.assign(size_t(fft_.size()) * 4, 0.f);
  power_.assign(size_t(fft_.size()) * 4, 0.f);
  spectrum_.assign(size_t(fft_.n_bins()) * 8, 0.f);
  ac_.assign(size_t(fft_.n_bins()) * 8, 0.f);
  mean_ac_.assign(size_t(win_), 0.0);
}

Expected<TempoEstimator> TempoEstimator::create(int sample_rate, int hop, double start_bpm) {
  if (sample_rate <= 0 || hop <= 0 || !(start_bpm > 0))
    return make_error(Status::invalid_argument, "tempo: sample rate, hop and start_bpm must be positive");
  // time_to_frames(8 s): floor(8 * sr / hop) frames of autocorrelation window.
  const int win = int((long long)(8.0 * sample_rate) / hop);
  if (win < 2) return make_error(Status::invalid_argument, "tempo: hop too long for an 8 s autocorrelation window");
  // Any FFT length >= 2 win - 1 gives the exact linear autocorrelation; take the smallest even
  // 2^a 3^b 5^c (KissFFT's fast radices), e.g. 720 for 344 frames.
  int n = 2 * win;
  auto smooth = [](int m) {
    for (int f : {2, 3, 5})
      while (m % f == 0) m /= f;
    return m == 1;
  };
  while (n % 2 || !smooth(n)) ++n;
  auto fft = RealFftX4::create(n);
  if (!fft) return fft.error();
  return TempoEstimator(sample_rate, hop, start_bpm, win, std::move(*fft));
}

double TempoEstimator::estimate(const std::vector<float>& env) {
  const size_t n = env.size();
  if (n == 0 || std::all_of(env.begin(), env.end(), [](float v) { return v == 0.f; })) return 0.0;
  const int win = win_, half = win / 2;
  // np.pad(env, half, mode='linear_ramp', end_values=0), float32.
  padded_.assign(n + 2 * size_t(half) + 4, 0.f);
  std::copy(env.begin(), env.end(), padded_.begin() + half);
  for (int i = 0; i < half; ++i) {
    padded_[size_t(i)] = float(double(i) * (double(env.front()) / half));
    padded_[n + 2 * size_t(half) - 1 - size_t(i)] = float(double(i) * (double(env.back()) / half));
  }
  std::fill(mean_ac_.begin(), mean_ac_.end(), 0.0);
  const int nfft = fft_.size(), nb = fft_.n_bins();
  // Four frames per pass. Autocorrelation = inverse DFT of the power spectrum; as that spectrum is real
  // and even, its inverse is (1/N) times the real part of its forward DFT, so both passes are forward
  // real FFTs (the scale cancels in the per-frame normalisation).
  for (size_t t0 = 0; t0 < n; t0 += 4) {
    const int lanes = int(std::min<size_t>(4, n - t0));
    std::fill(frames_.begin(), frames_.end(), 0.f);
    for (int lane = 0; lane < lanes; ++lane) {
      const float* src = padded_.data() + t0 + size_t(lane);
      for (int i = 0; i < win; ++i) frames_[size_t(i) * 4 + size_t(lane)] = float(double(src[i]) * window_[size_t(i)]);
    }
    fft_.forward(frames_.data(), spectrum_.data());
    for (int k = 0; k < nb; ++k)
      for (int lane = 0; lane < 4; ++lane) {
        const float re = spectrum_[size_t(k) * 8 + size_t(lane)], im = spectrum_[size_t(k) * 8 + 4 + size_t(lane)];
        const float p = re * re + im * im;
        power_[size_t(k) * 4 + size_t(lane)] = p;
        if (k > 0 && k < nfft - k) power_[size_t(nfft - k) * 4 + size_t(lane)] = p;  // even extension
      }
    fft_.forward(power_.data(), ac_.data());
    for (int lane = 0; lane < lanes; ++lane) {
      // Column normalisation by the largest |autocorrelation| (norm=inf).
      double peak = 0.0;
      for (int k = 0; k < win; ++k) peak = std::max(peak, std::fabs(double(ac_[size_t(k) * 8 + size_t(lane)])));
      if (peak < DBL_MIN) peak = 1.0;
      for (int k = 0; k < win; ++k) mean_ac_[size_t(k)] += ac_[size_t(k) * 8 + size_t(lane)] / peak;
    }
  }
  const double log2_start = std::log2(start_bpm_);
  int best = -1;
  double best_score = -std::numeric_limits<double>::infinity();
  for (int k = 1; k < win; ++k) {
    const double bpm = 60.0 * sample_rate_ / (double(hop_) * k);
    if (!(bpm < 320.0)) continue;  // logprior[:max_idx] = -inf
    const double z = std::log2(bpm) - log2_start;
    const double score = std::log1p(1e6 * (mean_ac_[size_t(k)] / double(n))) + -0.5 * z * z;
    if (score > best_score) best_score = score, best = k;
  }
  return best > 0 ? 60.0 * sample_rate_ / (double(hop_) * best) : 0.0;
}

double beat_track_tempo(const std::vector<float>& onset_envelope, int sample_rate, int hop, double start_bpm) {
  auto estimator = TempoEstimator::create(sample_rate, hop, start_bpm);
  if (!estimator) return 0.0;
  return estimator->estimate(onset_envelope);
}

}  // namespace melgenre
