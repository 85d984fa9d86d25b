// Sliding-window median with scipy.ndimage 'reflect' edges (d c b a | a b c d | d c b a), as
// scipy.ndimage.median_filter computes along one axis, for odd windows of up to kMaxWindow samples.
#pragma once

#include <cstddef>
#include <vector>

namespace melgenre {

class RunningMedian {
 public:
  static constexpr int kMaxWindow = 63;
  // Odd window length 1 <= k <= kMaxWindow.
  explicit RunningMedian(int k);
  int window() const { return k_; }
  // out[i] = median of in[i - k/2 .. i + k/2] (reflected at the ends), n >= 1. in and out are strided.
  void filter(const float* in, ptrdiff_t in_stride, int n, float* out, ptrdiff_t out_stride);

 private:
  int k_;
  int lanes_;                     // window slots rounded up to whole 4-float vectors
  std::vector<float> a_, b_;      // the window ascending, with -inf before and +inf after (double buffer)
};

}  // namespace melgenre
