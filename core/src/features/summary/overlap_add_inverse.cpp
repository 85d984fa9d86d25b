// Inverse STFT for the HPSS waveforms: four frames per four-lane inverse real FFT, Hann synthesis
// window, overlap-add, division by librosa's float32 window sum-square.
#include "features/summary/overlap_add_inverse.hpp"

#include <algorithm>
#include <cfloat>
#include <string>

#include "features/hann_window.hpp"

namespace melgenre {

OverlapAddInverse::OverlapAddInverse(int n_fft, int hop, InverseRealFftX4 fft)
    : n_fft_(n_fft), hop_(hop), fft_(std::move(fft)) {
  window64_ = periodic_hann(n_fft);
  window_.assign(window64_.begin(), window64_.end());
  lanes_in_.assign(size_t(n_fft / 2 + 1) * 8, 0.f);
  lanes_out_.assign(size_t(n_fft) * 4, 0.f);
}

Expected<OverlapAddInverse> OverlapAddInverse::create(int n_fft, int hop) {
  if (n_fft < 4 || n_fft % 2 || hop < 1 || hop > n_fft)
    return make_error(Status::invalid_argument, "istft: need an even n_fft >= 4 and 1 <= hop <= n_fft, got n_fft " +
                                                    std::to_string(n_fft) + ", hop " + std::to_string(hop));
  auto fft = InverseRealFftX4::create(n_fft);
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
  const int n = n_fft_, bins = n / 2 + 1;
  const size_t full = size_t(n) + size_t(hop_) * size_t(frames - 1);
  full_.assign(full, 0.f);
  window_sum(frames);
  float* in = lanes_in_.data();
  const float* res = lanes_out_.data();
  const float* win = window_.data();
  const float scale = 1.f / float(n);
  for (int t0 = 0; t0 < frames; t0 += 4) {
    const int count = std::min(4, frames - t0);
    // Bin-major lanes: for bin k, the 4 frames' real parts then their imaginary parts (missing frames 0).
    const std::complex<float>* x[4];
    for (int lane = 0; lane < 4; ++lane) x[lane] = lane < count ? spectrum + size_t(t0 + lane) * size_t(bins) : nullptr;
    for (int k = 0; k < bins; ++k) {
      float* dst = in + size_t(k) * 8;
      for (int lane = 0; lane < 4; ++lane) {
        const std::complex<float> v = x[lane] ? x[lane][k] : std::complex<float>();
        dst[lane] = v.real();
        dst[4 + lane] = v.imag();
      }
    }
    fft_.inverse(in, lanes_out_.data());
    for (int lane = 0; lane < count; ++lane) {
      float* dst = full_.data() + size_t(t0 + lane) * size_t(hop_);
      for (int m = 0; m < n; ++m) dst[m] += res[size_t(m) * 4 + size_t(lane)] * scale * win[m];
    }
  }
  const size_t trim = size_t(n / 2);
  if (full <= 2 * trim) return;
  out.resize(full - 2 * trim);
  const float* y = full_.data() + trim;
  const float* ws = wss_.data() + trim;
  float* o = out.data();
  for (size_t i = 0; i < out.size(); ++i) o[i] = y[i] / (ws[i] > FLT_MIN ? ws[i] : 1.f);  // branch-free
}

}  // namespace melgenre
