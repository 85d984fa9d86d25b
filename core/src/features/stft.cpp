// Short-time Fourier transform with librosa 0.10 framing: centred frames (n_fft/2 of padding each side),
// frame t starting at t*hop - n_fft/2, periodic Hann analysis window, real FFT.
#include <cmath>
#include <string>

#include "features/frame_padding.hpp"
#include "features/hann_window.hpp"
#include "features/real_fft.hpp"
#include "melgenre/features.hpp"

namespace melgenre {

struct Stft::State {
  StftParams params;
  int n_bins = 0;
  std::vector<float> window;  // float64 periodic Hann cast to float32
  RealFft fft;
  std::vector<float> frame;                  // windowed samples of one frame
  std::vector<std::complex<float>> spectrum; // one frame's bins

  State(const StftParams& p, RealFft f) : params(p), n_bins(p.n_fft / 2 + 1), fft(std::move(f)) {
    auto w = periodic_hann(p.n_fft);
    window.assign(w.begin(), w.end());
    frame.resize(size_t(p.n_fft));
    spectrum.resize(size_t(n_bins));
  }

  // Windowed frame t of y into `frame`, then its spectrum into `spectrum`.
  void transform(const float* y, size_t n, int t) {
    const int n_fft = params.n_fft;
    const long long start = (long long)t * params.hop - (params.center ? n_fft / 2 : 0);
    const float* w = window.data();
    float* f = frame.data();
    if (start >= 0 && start + n_fft <= (long long)n) {
      const float* src = y + start;
      for (int i = 0; i < n_fft; ++i) f[i] = src[i] * w[i];
    } else {
      for (int i = 0; i < n_fft; ++i) f[i] = padded_sample(y, (long long)n, start + i, params.pad) * w[i];
    }
    fft.forward(f, spectrum.data());
  }
};

Stft::Stft(std::unique_ptr<State> state) : state_(std::move(state)) {}
Stft::Stft(Stft&&) noexcept = default;
Stft& Stft::operator=(Stft&&) noexcept = default;
Stft::~Stft() = default;

Expected<Stft> Stft::create(const StftParams& params) {
  if (params.n_fft < 2 || params.n_fft > (1 << 20))
    return make_error(Status::invalid_argument,
                      "STFT n_fft must be in [2, 1048576], got " + std::to_string(params.n_fft));
  if (params.hop < 1 || params.hop > (1 << 20))
    return make_error(Status::invalid_argument, "STFT hop must be in [1, 1048576], got " + std::to_string(params.hop));
  auto fft = RealFft::create(params.n_fft);
  if (!fft) return fft.error();
  return Stft(std::make_unique<State>(params, std::move(*fft)));
}

const StftParams& Stft::params() const { return state_->params; }
int Stft::n_bins() const { return state_->n_bins; }

int Stft::n_frames(size_t n_samples) const {
  const StftParams& p = state_->params;
  const long long padded = (long long)n_samples + (p.center ? 2LL * (p.n_fft / 2) : 0);
  if (padded < p.n_fft) return 0;
  return int(1 + (padded - p.n_fft) / p.hop);
}

void Stft::frame_power(const float* y, size_t n, int t, float* out) {
  State& s = *state_;
  s.transform(y, n, t);
  const std::complex<float>* x = s.spectrum.data();
  for (int k = 0; k < s.n_bins; ++k) {
    const float re = x[k].real(), im = x[k].imag();
    out[k] = re * re + im * im;
  }
}

void Stft::frame_magnitude(const float* y, size_t n, int t, float* out) {
  State& s = *state_;
  s.transform(y, n, t);
  const std::complex<float>* x = s.spectrum.data();
  for (int k = 0; k < s.n_bins; ++k) {
    const float re = x[k].real(), im = x[k].imag();
    out[k] = std::sqrt(re * re + im * im);
  }
}

void Stft::frame_complex(const float* y, size_t n, int t, std::complex<float>* out) {
  State& s = *state_;
  s.transform(y, n, t);
  std::copy(s.spectrum.begin(), s.spectrum.end(), out);
}

void Stft::power(const float* y, size_t n, FeatureMatrix& out) {
  const int frames = n_frames(n);
  out.resize(frames, n_bins());
  for (int t = 0; t < frames; ++t) frame_power(y, n, t, out.frame(t));
}

void Stft::magnitude(const float* y, size_t n, FeatureMatrix& out) {
  const int frames = n_frames(n);
  out.resize(frames, n_bins());
  for (int t = 0; t < frames; ++t) frame_magnitude(y, n, t, out.frame(t));
}

void Stft::complex(const float* y, size_t n, std::vector<std::complex<float>>& out) {
  const int frames = n_frames(n);
  const size_t bins = size_t(n_bins());
  out.assign(size_t(frames) * bins, {});
  for (int t = 0; t < frames; ++t) frame_complex(y, n, t, out.data() + size_t(t) * bins);
}

}  // namespace melgenre
