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
  const float* win = window_.data();
  for (int t0 = 0; t0 < frames; t0 += 2) {
    const int count = std::min(2, frames - t0);
    // Lanes: even part of frame t0, odd part of t0, even part of t0+1, odd part of t0+1.
    const std::complex<float>* x0 = spectrum + size_t(t0) * size_t(bins);
    const std::complex<float>* x1 = count > 1 ? x0 + bins : nullptr;
    auto lane_values = [&](int k, float* v) {
      v[0] = x0[k].real(), v[1] = x0[k].imag();
      v[2] = x1 ? x1[k].real() : 0.f, v[3] = x1 ? x1[k].imag() : 0.f;
    };
    float v[4];
    lane_values(0, v);
    in[0] = v[0], in[1] = 0.f, in[2] = v[2], in[3] = 0.f;  // irfft ignores Im of DC and Nyquist
    for (int k = 1; k < half; ++k) {
      lane_values(k, v);
      float* lo = in + size_t(k) * 4;
      float* hi = in + size_t(n - k) * 4;
      lo[0] = v[0], lo[1] = v[1], lo[2] = v[2], lo[3] = v[3];
      hi[0] = v[0], hi[1] = -v[1], hi[2] = v[2], hi[3] = -v[3];
    }
    lane_values(half, v);
    float* mid = in + size_t(half) * 4;
    mid[0] = v[0], mid[1] = 0.f, mid[2] = v[2], mid[3] = 0.f;
    fft_.forward(in, lanes_out_.data());
    // x[m] = (Re DFT(even)[m] + Im DFT(odd)[m]) / N for m <= N/2, mirrored with the odd part negated above.
    for (int f = 0; f < count; ++f) {
      const size_t re = size_t(2 * f), im = size_t(4 + 2 * f + 1);
      float* dst = full_.data() + size_t(t0 + f) * size_t(hop_);
      for (int m = 0; m <= half; ++m) dst[m] += (res[size_t(m) * 8 + re] + res[size_t(m) * 8 + im]) * scale * win[m];
      for (int m = half + 1; m < n; ++m)
        dst[m] += (res[size_t(n - m) * 8 + re] - res[size_t(n - m) * 8 + im]) * scale * win[m];
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
