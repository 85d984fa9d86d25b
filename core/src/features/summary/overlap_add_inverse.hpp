// librosa 0.8 istft (no `length`, centred) with plans and buffers kept between calls; four frames per
// inverse FFT (four-lane KissFFT).
#pragma once

#include <complex>
#include <vector>

#include "features/summary/inverse_real_fft_x4.hpp"
#include "melgenre/error.hpp"

namespace melgenre {

class OverlapAddInverse {
 public:
  static Expected<OverlapAddInverse> create(int n_fft, int hop);
  // spectrum: frames x (n_fft/2+1) bins, frame-major. out: (frames - 1) * hop samples, as librosa.istft
  // returns them: Hann synthesis, overlap-add, division by the float32 sum of squared windows, the
  // n_fft/2 centring trimmed from both ends.
  void inverse(const std::complex<float>* spectrum, int frames, std::vector<float>& out);

 private:
  OverlapAddInverse(int n_fft, int hop, InverseRealFftX4 fft);
  void window_sum(int frames);
  int n_fft_, hop_;
  InverseRealFftX4 fft_;
  std::vector<double> window64_;
  std::vector<float> window_, lanes_in_, lanes_out_, full_;
  int wss_frames_ = -1;
  std::vector<float> wss_;  // librosa's window_sumsquare for wss_frames_ frames
};

}  // namespace melgenre
