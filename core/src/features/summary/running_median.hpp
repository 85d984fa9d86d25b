// Sliding-window median with scipy.ndimage 'reflect' edges (d c b a | a b c d | d c b a), as
// scipy.ndimage.median_filter computes along one axis. O(n * k) worst case, a short sorted window.
#pragma once

#include <cstddef>
#include <vector>

namespace melgenre {

class RunningMedian {
 public:
  // Odd window length k >= 1.
  explicit RunningMedian(int k) : k_(k), window_(size_t(k)) {}
  int window() const { return k_; }
  // out[i] = median of in[i - k/2 .. i + k/2] (reflected at the ends), n >= 1. in and out are strided.
  void filter(const float* in, ptrdiff_t in_stride, int n, float* out, ptrdiff_t out_stride);

 private:
  int k_;
  std::vector<float> window_;  // the current window, ascending
};

}  // namespace melgenre
