// Inverse STFT for the HPSS waveforms. For a real signal x with Hermitian spectrum X,
// x[n] = (1/N) (Re DFT(A)[n] + Im DFT(B)[n]) where A is the even extension of Re X and B the odd
// extension of Im X, so forward real FFTs (four lanes at a time) do the inverse.
#include "features/summary/overlap_add_inverse.hpp"

#include <algorithm>
#include <cfloat>
#include <string>

#include "features/hann_window.hpp"

namespace melgenre {

OverlapAddInverse::OverlapAddInverse(int n_fft, int hop, RealFftX4 fft) : n_fft_(n_fft), hop_(hop), fft_(std::move(fft)) {
  window64_ = periodic_hann(n_fft);
  window_.assign(window64_.begin(), window64_.end());
  lanes_in_.assign(size_t(n_fft) * 4, 0.f);
  lanes_out_.assign(size_t(n_fft / 2 + 1) * 8, 0.f);
  frame_a_.assign(size_t(n_fft), 0.f);
  frame_b_.assign(size_t(n_fft), 0.f);
}

Expected<OverlapAddInverse> OverlapAddInverse::create(int n_fft, int hop) {
  if (n_fft < 4 || n_fft % 2 || hop < 1 || hop > n_fft)
    return make_error(Status::invalid_argument, "istft: need an even n_fft >= 4 and 1 <= hop <= n_fft, got n_fft " +
                                                    std::to_string(n_fft) + ", hop " + std::to_string(hop));
  auto fft = RealFftX4::create(n_fft);
  if (!fft) return fft.error();
  return OverlapAddInverse(n_fft, hop, std::move(*fft));
}

void OverlapAddInverse::window_sum(int frames) {
  if (wss_frames_ == frames) return;
  // librosa.filters.window_sumsquare: float32 accumulation of the float64 squared window.
  const size_t full = size_t(n_fft_) + size_t(hop_) * size_t(frames - 1);
  wss_.assign(full, 0.f);
  for (int t = 0; t < frames; ++t) {
    float* ws = wss_.data() + size_t(t) * size_t(hop_);
    for (int i = 0; i < n_fft_; ++i) ws[i] = float(double(ws[i]) + window64_[size_t(i)] * window64_[size_t(i)]);
  }
  wss_frames_ = frames;
}

void OverlapAddInverse::inverse(const std::complex<float>* spectrum, int frames, std::vector<float>& out) {
  out.clear();
  if (frames < 1) return;
  const int n = n_fft_, half = n / 2, bins = half + 1;
  const size_t full = size_t(n) + size_t(hop_) * size_t(frames - 1);
  full_.assign(full, 0.f);
  window_sum(frames);
  float* in = lanes_in_.data();
  const float* res = lanes_out_.data();
  const float scale = 1.f / float(n);
  float* frame_out[2] = {frame_a_.data(), frame_b_.data()};
  for (int t0 = 0; t0 < frames; t0 += 2) {
    const int count = std::min(2, frames - t0);
    for (int f = 0; f < 2; ++f) {
      const int la = 2 * f, lb = 2 * f + 1;  // lanes of the even (real) and odd (imaginary) parts
      if (f >= count) {
        for (int m = 0; m < n; ++m) in[size_t(m) * 4 + size_t(la)] = in[size_t(m) * 4 + size_t(lb)] = 0.f;
        continue;
      }
      const std::complex<float>* x = spectrum + size_t(t0 + f) * size_t(bins);
      in[size_t(la)] = x[0].real();
      in[size_t(lb)] = 0.f;  // numpy.fft.irfft ignores the imaginary parts of DC and Nyquist
      for (int k = 1; k < half; ++k) {
        in[size_t(k) * 4 + size_t(la)] = x[k].real();
        in[size_t(k) * 4 + size_t(lb)] = x[k].imag();
        in[size_t(n - k) * 4 + size_t(la)] = x[k].real();
        in[size_t(n - k) * 4 + size_t(lb)] = -x[k].imag();
      }
      in[size_t(half) * 4 + size_t(la)] = x[half].real();
      in[size_t(half) * 4 + size_t(lb)] = 0.f;
    }
    fft_.forward(in, lanes_out_.data());
    for (int f = 0; f < count; ++f) {
      const size_t re = size_t(2 * f), im = size_t(4 + 2 * f + 1);
      float* y = frame_out[f];
      for (int m = 0; m <= half; ++m) y[m] = (res[size_t(m) * 8 + re] + res[size_t(m) * 8 + im]) * scale;
      for (int m = half + 1; m < n; ++m)
        y[m] = (res[size_t(n - m) * 8 + re] - res[size_t(n - m) * 8 + im]) * scale;
      float* dst = full_.data() + size_t(t0 + f) * size_t(hop_);
      for (int m = 0; m < n; ++m) dst[m] += y[m] * window_[size_t(m)];
    }
  }
  const size_t trim = size_t(half);
  if (full <= 2 * trim) return;
  out.resize(full - 2 * trim);
  for (size_t i = 0; i < out.size(); ++i) {
    const float w = wss_[i + trim];
    out[i] = w > FLT_MIN ? full_[i + trim] / w : full_[i + trim];
  }
}

}  // namespace melgenre
