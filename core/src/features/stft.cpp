// Short-time Fourier transform with librosa 0.10 framing: centred frames (n_fft/2 of padding each side),
// frame t starting at t*hop - n_fft/2, periodic Hann analysis window, real FFT. Blocks of 4 frames go
// through the 4-lane FFT; single frames through the scalar one (same numbers).
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "features/frame_padding.hpp"
#include "features/hann_window.hpp"
#include "features/real_fft.hpp"
#include "features/real_fft_x4.hpp"
#include "features/simd4.hpp"
#include "melgenre/features.hpp"

namespace melgenre {

namespace {
constexpr int kLanes = RealFftX4::kLanes;
}

struct Stft::State {
  StftParams params;
  int n_bins = 0;
  std::vector<float> window;  // float64 periodic Hann cast to float32
  RealFft fft;
  std::optional<RealFftX4> fft4;             // even n_fft only
  std::vector<float> frame;                  // windowed samples of one frame
  std::vector<std::complex<float>> spectrum; // one frame's bins
  std::vector<float> frame4, spectrum4;      // 4 interleaved frames and their bins (see RealFftX4)

  State(const StftParams& p, RealFft f, std::optional<RealFftX4> f4)
      : params(p), n_bins(p.n_fft / 2 + 1), fft(std::move(f)), fft4(std::move(f4)) {
    auto w = periodic_hann(p.n_fft);
    window.assign(w.begin(), w.end());
    frame.resize(size_t(p.n_fft));
    spectrum.resize(size_t(n_bins));
    if (fft4) {
      frame4.resize(size_t(p.n_fft) * kLanes);
      spectrum4.resize(size_t(n_bins) * 2 * kLanes);
    }
  }

  long long frame_start(int t) const { return (long long)t * params.hop - (params.center ? params.n_fft / 2 : 0); }

  // Windowed frame t of y into dst[i * stride].
  void window_frame(const float* y, size_t n, int t, float* dst, int stride) const {
    const int n_fft = params.n_fft;
    const long long start = frame_start(t);
    const float* w = window.data();
    if (start >= 0 && start + n_fft <= (long long)n) {
      const float* src = y + start;
      for (int i = 0; i < n_fft; ++i) dst[size_t(i) * stride] = src[i] * w[i];
    } else {
      for (int i = 0; i < n_fft; ++i)
        dst[size_t(i) * stride] = padded_sample(y, (long long)n, start + i, params.pad) * w[i];
    }
  }

  void transform(const float* y, size_t n, int t) {
    window_frame(y, n, t, frame.data(), 1);
    fft.forward(frame.data(), spectrum.data());
  }

  // Frames t0 .. t0+count-1 (count <= 4) into spectrum4; unused lanes are zero.
  void transform4(const float* y, size_t n, int t0, int count) {
    float* f = frame4.data();
    const int n_fft = params.n_fft;
    bool all_inside = count == kLanes && frame_start(t0) >= 0 && frame_start(t0 + kLanes - 1) + n_fft <= (long long)n;
    if (all_inside) {
      // Interleave 4 frames sample by sample: one pass over the window, 4 loads per sample.
      const float* w = window.data();
      const float* s0 = y + frame_start(t0);
      const size_t hop = size_t(params.hop);
      for (int i = 0; i < n_fft; ++i) {
        const float wi = w[i];
        float* d = f + size_t(i) * kLanes;
        d[0] = s0[i] * wi;
        d[1] = s0[hop + i] * wi;
        d[2] = s0[2 * hop + i] * wi;
        d[3] = s0[3 * hop + i] * wi;
      }
    } else {
      for (int lane = 0; lane < kLanes; ++lane) {
        if (lane < count) {
          window_frame(y, n, t0 + lane, f + lane, kLanes);
        } else {
          for (int i = 0; i < n_fft; ++i) f[size_t(i) * kLanes + lane] = 0.f;
        }
      }
    }
    fft4->forward(f, spectrum4.data());
  }

  // Calls emit(lane, bin, re, im) for each of `count` frames starting at t0, 4 per FFT when possible.
  template <class Emit>
  void for_each_bin(const float* y, size_t n, int t0, int count, Emit emit) {
    if (!fft4) {
      for (int j = 0; j < count; ++j) {
        transform(y, n, t0 + j);
        for (int k = 0; k < n_bins; ++k) emit(j, k, spectrum[size_t(k)].real(), spectrum[size_t(k)].imag());
      }
      return;
    }
    for (int j = 0; j < count; j += kLanes) {
      const int lanes = std::min(kLanes, count - j);
      transform4(y, n, t0 + j, lanes);
      const float* s = spectrum4.data();
      for (int lane = 0; lane < lanes; ++lane)
        for (int k = 0; k < n_bins; ++k) emit(j + lane, k, s[size_t(k) * 8 + lane], s[size_t(k) * 8 + 4 + lane]);
    }
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
  std::optional<RealFftX4> fft4;
  if (params.n_fft % 2 == 0) {
    auto f4 = RealFftX4::create(params.n_fft);
    if (!f4) return f4.error();
    fft4.emplace(std::move(*f4));
  }
  return Stft(std::make_unique<State>(params, std::move(*fft), std::move(fft4)));
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

void Stft::power_frames(const float* y, size_t n, int t0, int count, float* out) {
  const size_t bins = size_t(state_->n_bins);
  state_->for_each_bin(y, n, t0, count, [&](int j, int k, float re, float im) {
    out[size_t(j) * bins + size_t(k)] = re * re + im * im;
  });
}

void Stft::magnitude_frames(const float* y, size_t n, int t0, int count, float* out) {
  const size_t bins = size_t(state_->n_bins);
  state_->for_each_bin(y, n, t0, count, [&](int j, int k, float re, float im) {
    out[size_t(j) * bins + size_t(k)] = std::sqrt(re * re + im * im);
  });
}

void Stft::power_interleaved4(const float* y, size_t n, int t0, int count, float* out) {
  State& s = *state_;
  const int bins = s.n_bins;
  count = std::max(0, std::min(count, kLanes));
  if (!s.fft4) {  // odd n_fft: scalar FFT per frame
    std::fill(out, out + size_t(bins) * kLanes, 0.f);
    for (int j = 0; j < count; ++j) {
      s.transform(y, n, t0 + j);
      for (int k = 0; k < bins; ++k) {
        const float re = s.spectrum[size_t(k)].real(), im = s.spectrum[size_t(k)].imag();
        out[size_t(k) * kLanes + j] = re * re + im * im;
      }
    }
    return;
  }
  s.transform4(y, n, t0, count);
  const float* x = s.spectrum4.data();
  for (int k = 0; k < bins; ++k) {
    const simd4::F32x4 re = simd4::load(x + size_t(k) * 8), im = simd4::load(x + size_t(k) * 8 + 4);
    simd4::store(out + size_t(k) * kLanes, re * re + im * im);
  }
}

void Stft::power(const float* y, size_t n, FeatureMatrix& out) {
  const int frames = n_frames(n);
  out.resize(frames, n_bins());
  power_frames(y, n, 0, frames, out.data.data());
}

void Stft::magnitude(const float* y, size_t n, FeatureMatrix& out) {
  const int frames = n_frames(n);
  out.resize(frames, n_bins());
  magnitude_frames(y, n, 0, frames, out.data.data());
}

void Stft::complex(const float* y, size_t n, std::vector<std::complex<float>>& out) {
  const int frames = n_frames(n);
  const size_t bins = size_t(n_bins());
  out.assign(size_t(frames) * bins, {});
  state_->for_each_bin(y, n, 0, frames, [&](int j, int k, float re, float im) {
    out[size_t(j) * bins + size_t(k)] = {re, im};
  });
}

}  // namespace melgenre
