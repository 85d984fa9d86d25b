// Four real FFTs at once: KissFFT (the same npm sources as RealFft) compiled a second time with a 4-lane
// float vector as its scalar type, so one call transforms 4 frames using SSE (native) or SIMD128 (wasm).
// Each lane performs exactly the float operations of the scalar RealFft, so results are bit-identical.
#pragma once

#include <memory>

#include "melgenre/error.hpp"

namespace melgenre {

class RealFftX4 {
 public:
  static constexpr int kLanes = 4;
  // Even n >= 2 only (kiss_fftr); callers use RealFft for odd sizes.
  static Expected<RealFftX4> create(int n);
  RealFftX4(RealFftX4&&) noexcept;
  RealFftX4& operator=(RealFftX4&&) noexcept;
  ~RealFftX4();

  int size() const;
  int n_bins() const { return size() / 2 + 1; }
  // in: size() x 4 floats, sample-major (in[i*4 + lane]).
  // out: n_bins() x 8 floats: for bin k, the 4 lanes' real parts then their 4 imaginary parts
  // (out[k*8 + lane], out[k*8 + 4 + lane]). Unnormalised, numpy.fft.rfft convention.
  void forward(const float* in, float* out);

 private:
  struct State;
  explicit RealFftX4(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace melgenre
