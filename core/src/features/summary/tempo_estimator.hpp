// librosa 0.8 beat.tempo as beat_track reports it, with its FFT plan and scratch kept between calls.
#pragma once

#include <vector>

#include "features/real_fft_x4.hpp"
#include "melgenre/error.hpp"

namespace melgenre {

class TempoEstimator {
 public:
  static Expected<TempoEstimator> create(int sample_rate, int hop, double start_bpm = 120.0);
  // BPM of the strongest prior-weighted autocorrelation period; 0 for an all-zero envelope.
  double estimate(const std::vector<float>& onset_envelope);

 private:
  TempoEstimator(int sample_rate, int hop, double start_bpm, int win, RealFftX4 fft);
  int sample_rate_, hop_, win_;
  double start_bpm_;
  RealFftX4 fft_;                          // four frames per transform
  std::vector<double> window_;             // periodic Hann of win_ samples
  std::vector<float> padded_, frames_, spectrum_, power_, ac_;  // scratch, 4 lanes interleaved
  std::vector<double> mean_ac_;
};

}  // namespace melgenre
