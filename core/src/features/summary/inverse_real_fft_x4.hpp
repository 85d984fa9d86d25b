// Four inverse real FFTs at once: the inverse entry point of the features module's four-lane KissFFT
// build (features/real_fft_x4*, which only exposes the forward transform).
#pragma once

#include <memory>

#include "melgenre/error.hpp"

namespace melgenre {

class InverseRealFftX4 {
 public:
  // Even n >= 2.
  static Expected<InverseRealFftX4> create(int n);
  InverseRealFftX4(InverseRealFftX4&&) noexcept;
  InverseRealFftX4& operator=(InverseRealFftX4&&) noexcept;
  ~InverseRealFftX4();

  int size() const { return n_; }
  // in: n/2+1 bins x 8 floats (4 lanes' real parts, then their 4 imaginary parts), as RealFftX4 writes.
  // out: n x 4 floats, sample-major, UNSCALED (n times numpy.fft.irfft; Im of DC and Nyquist ignored).
  void inverse(const float* in, float* out);

 private:
  struct Plan;
  InverseRealFftX4(int n, std::unique_ptr<Plan> plan);
  int n_;
  std::unique_ptr<Plan> plan_;
};

}  // namespace melgenre
