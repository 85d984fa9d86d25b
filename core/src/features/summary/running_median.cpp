// Sorted-window running median, branch-free: each step removes the leaving sample and inserts the
// entering one with whole-vector compares and selects over the window (no data-dependent branches,
// which dominate the cost of a binary search plus an insertion walk on spectrogram data).
#include "features/summary/running_median.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace melgenre {
namespace {

typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));

constexpr int kPad = 4;  // -inf slots before the window (one is needed; four keep loads aligned)

inline v4f load(const float* p) {
  v4f v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, v4f v) { std::memcpy(p, &v, sizeof v); }
inline v4f select(v4i mask, v4f yes, v4f no) {
  return (v4f)(((v4i)yes & mask) | ((v4i)no & ~mask));
}

// scipy 'reflect' (half-sample symmetric) index into [0, n).
inline int reflect_index(long long i, int n) {
  const long long period = 2LL * n;
  long long m = i % period;
  if (m < 0) m += period;
  return int(m < n ? m : period - 1 - m);
}

}  // namespace

RunningMedian::RunningMedian(int k) : k_(std::clamp(k | 1, 1, kMaxWindow)) {
  lanes_ = (k_ + 1 + 3) / 4 * 4;  // at least one +inf slot after the window
  const size_t size = size_t(kPad + lanes_ + 4);
  a_.assign(size, std::numeric_limits<float>::infinity());
  b_ = a_;
  for (int i = 0; i < kPad; ++i) a_[size_t(i)] = b_[size_t(i)] = -std::numeric_limits<float>::infinity();
}

void RunningMedian::filter(const float* in, ptrdiff_t in_stride, int n, float* out, ptrdiff_t out_stride) {
  const int k = k_, half = k / 2;
  float* cur = a_.data() + kPad;
  float* next = b_.data() + kPad;
  for (int j = 0; j < k; ++j) cur[j] = in[ptrdiff_t(reflect_index(j - half, n)) * in_stride];
  std::sort(cur, cur + k);
  for (int i = 0;; ++i) {
    out[ptrdiff_t(i) * out_stride] = cur[half];
    if (i + 1 >= n) break;
    const float leaving = in[ptrdiff_t(reflect_index((long long)i - half, n)) * in_stride];
    const float entering = in[ptrdiff_t(reflect_index((long long)i + half + 1, n)) * in_stride];
    const v4f L = {leaving, leaving, leaving, leaving};
    const v4f E = {entering, entering, entering, entering};
    // r[j]: the window without (the first copy of) `leaving`; out[j]: r with `entering` inserted.
    for (int j = 0; j < lanes_; j += 4) {
      const v4f prev = load(cur + j - 1), here = load(cur + j), after = load(cur + j + 1);
      const v4f r_here = select(here < L, here, after);
      const v4f r_prev = select(prev < L, prev, here);
      const v4f hi = select(r_prev > E, r_prev, E);  // max(r[j-1], entering)
      store(next + j, select(r_here < E, r_here, hi));
    }
    std::swap(cur, next);
  }
}

}  // namespace melgenre
