// librosa 0.8 hpss (median filters + soft mask) with its scratch buffers kept between calls.
#pragma once

#include <complex>
#include <vector>

#include "features/summary/running_median.hpp"
#include "melgenre/features.hpp"

namespace melgenre {

class HarmonicSeparator {
 public:
  explicit HarmonicSeparator(int kernel) : median_(kernel) {}
  // H = D * softmask(median_time(|D|), median_freq(|D|)); see harmonic_spectrum in summary.hpp.
  void harmonic(const std::vector<std::complex<float>>& stft, const FeatureMatrix& magnitude,
                std::vector<std::complex<float>>& out);

 private:
  void percussive_medians(const FeatureMatrix& magnitude);
  RunningMedian median_;
  std::vector<float> harm_, perc_, group_in_, group_out_;
};

}  // namespace melgenre
