// A real-input FFT plan over KissFFT: the same FFT code on native and wasm, so both targets agree.
#pragma once

#include <complex>
#include <memory>

#include "melgenre/error.hpp"

namespace melgenre {

// Owns the KissFFT plan and its scratch; build once per size and reuse. Not safe for concurrent use.
class RealFft {
 public:
  // Any n >= 1: even sizes use kiss_fftr (half-length complex FFT), odd sizes a full complex FFT.
  static Expected<RealFft> create(int n);
  RealFft(RealFft&&) noexcept;
  RealFft& operator=(RealFft&&) noexcept;
  ~RealFft();

  int size() const;
  int n_bins() const { return size() / 2 + 1; }
  // in: size() samples -> out: n_bins() bins, unnormalised (numpy.fft.rfft convention).
  void forward(const float* in, std::complex<float>* out);
  // in: n_bins() bins -> out: size() samples scaled by 1/size() (numpy.fft.irfft: the imaginary parts of
  // the DC and, for even sizes, Nyquist bins are ignored).
  void inverse(const std::complex<float>* in, float* out);

 private:
  struct State;
  explicit RealFft(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace melgenre
