// Sliding-window median with scipy.ndimage 'reflect' edges (d c b a | a b c d | d c b a), as
// scipy.ndimage.median_filter computes along one axis, for odd windows of up to kMaxWindow samples.
#pragma once

#include <cstddef>

namespace melgenre {

class RunningMedian {
 public:
  static constexpr int kMaxWindow = 63;
  // Odd window length 1 <= k <= kMaxWindow (even k is rounded up).
  explicit RunningMedian(int k);
  int window() const { return k_; }

  // Filters `rows` independent signals of length n >= 1 stored interleaved: sample i of row r is
  // in[i * stride + r] (so rows = columns of a row-major matrix with `stride` columns). out has the same
  // layout. Eight rows are filtered at once with vector compares.
  void filter_columns(const float* in, int n, int rows, ptrdiff_t stride, float* out) const;

  // One strided signal: out[i * out_stride] = median of in[(i - k/2 .. i + k/2) * in_stride].
  void filter(const float* in, ptrdiff_t in_stride, int n, float* out, ptrdiff_t out_stride) const;

 private:
  int k_;
};

}  // namespace melgenre
