// librosa 0.8 beat.tempo as beat_track reports it, with its FFT plan and scratch kept between calls.
#pragma once

#include <vector>

#include "features/real_fft.hpp"
#include "melgenre/error.hpp"

namespace melgenre {

class TempoEstimator {
 public:
  static Expected<TempoEstimator> create(int sample_rate, int hop, double start_bpm = 120.0);
  // BPM of the strongest prior-weighted autocorrelation period; 0 for an all-zero envelope.
  double estimate(const std::vector<float>& onset_envelope);

 private:
  TempoEstimator(int sample_rate, int hop, double start_bpm, int win, RealFft fft);
  int sample_rate_, hop_, win_;
  double start_bpm_;
  RealFft fft_;
  std::vector<double> window_;                 // periodic Hann of win_ samples
  std::vector<float> padded_, frame_, power_;  // scratch
  std::vector<std::complex<float>> spectrum_;
  std::vector<double> mean_ac_;
};

}  // namespace melgenre
