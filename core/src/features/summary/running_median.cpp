// Sorted-window running median: each step drops the sample leaving the window and inserts the one
// entering it, moving only the entries between the two positions.
#include "features/summary/running_median.hpp"

#include <algorithm>

namespace melgenre {
namespace {

// scipy 'reflect' (half-sample symmetric) index into [0, n).
inline int reflect_index(long long i, int n) {
  const long long period = 2LL * n;
  long long m = i % period;
  if (m < 0) m += period;
  return int(m < n ? m : period - 1 - m);
}

}  // namespace

void RunningMedian::filter(const float* in, ptrdiff_t in_stride, int n, float* out, ptrdiff_t out_stride) {
  const int k = k_, half = k / 2;
  float* w = window_.data();
  for (int j = 0; j < k; ++j) w[j] = in[ptrdiff_t(reflect_index(j - half, n)) * in_stride];
  std::sort(w, w + k);
  for (int i = 0;; ++i) {
    out[ptrdiff_t(i) * out_stride] = w[half];
    if (i + 1 >= n) break;
    const float leaving = in[ptrdiff_t(reflect_index((long long)i - half, n)) * in_stride];
    const float entering = in[ptrdiff_t(reflect_index((long long)i + half + 1, n)) * in_stride];
    if (leaving == entering) continue;
    // Position of (one copy of) the leaving value.
    int p = int(std::lower_bound(w, w + k, leaving) - w);
    if (entering > leaving) {
      while (p + 1 < k && w[p + 1] < entering) {
        w[p] = w[p + 1];
        ++p;
      }
    } else {
      while (p > 0 && w[p - 1] > entering) {
        w[p] = w[p - 1];
        --p;
      }
    }
    w[p] = entering;
  }
}

}  // namespace melgenre
