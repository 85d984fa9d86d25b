// Sample lookup past the ends of a signal, as numpy.pad does for librosa's centred frames.
#pragma once

#include <cstddef>

#include "melgenre/features.hpp"

namespace melgenre {

// y[i] for 0 <= i < n; outside: 0 (constant) or numpy 'reflect' (mirror without repeating the edge
// sample, repeated for pads longer than the signal; a 1-sample signal repeats itself).
inline float padded_sample(const float* y, long long n, long long i, PadMode pad) {
  if (i >= 0 && i < n) return y[i];
  if (pad == PadMode::constant || n == 0) return 0.f;
  if (n == 1) return y[0];
  const long long period = 2 * (n - 1);
  long long m = i % period;
  if (m < 0) m += period;
  return y[m < n ? m : period - m];
}

}  // namespace melgenre
