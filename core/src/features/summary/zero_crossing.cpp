// librosa 0.8 zero_crossing_rate: edge-padded centred frames, values with |x| <= 1e-10 count as +0.
#include <algorithm>
#include <vector>

#include "melgenre/summary.hpp"

namespace melgenre {

std::vector<float> zero_crossing_rate(const float* y, size_t n, int frame_length, int hop) {
  if (n == 0 || frame_length < 2 || hop < 1) return {};
  const long long pad = frame_length / 2;
  const long long padded = (long long)n + 2 * pad;
  if (padded < frame_length) return {};
  const size_t frames = size_t(1 + (padded - frame_length) / hop);
  // crossing[i] = 1 when padded samples i-1 and i have different sign bits; prefix-summed.
  std::vector<int> prefix(size_t(padded) + 1, 0);
  auto negative = [&](long long i) {
    const long long j = std::clamp(i - pad, 0LL, (long long)n - 1);
    return y[j] < -1e-10f;
  };
  bool prev = negative(0);
  for (long long i = 1; i < padded; ++i) {
    const bool cur = negative(i);
    prefix[size_t(i) + 1] = prefix[size_t(i)] + (cur != prev ? 1 : 0);
    prev = cur;
  }
  std::vector<float> out(frames);
  for (size_t t = 0; t < frames; ++t) {
    const size_t a = t * size_t(hop);
    // Pairs inside the frame: (a, a+1) ... (a+L-2, a+L-1); the frame's first slot is the False pad.
    const int count = prefix[a + size_t(frame_length)] - prefix[a + 1];
    out[t] = float(double(count) / frame_length);
  }
  return out;
}

}  // namespace melgenre
