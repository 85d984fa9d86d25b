// Running median over a sorted window, eight signals at a time (one per vector lane), branch-free:
// each step removes the leaving sample and inserts the entering one with compares and selects, in one
// pass over the window. Spectrogram data makes data-dependent branches (binary search, insertion walk)
// mispredict constantly; this does the same work whatever the values.
#include "features/summary/running_median.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

// 32-byte vectors never cross a call: filter8 has an AVX2 clone and a default one, while the helpers
// below are compiled once for the default target, where a 32-byte vector is passed and returned in
// memory (AVX2 code uses ymm registers). An out-of-line call from the AVX2 clone would mix the two
// conventions (at -O0 it wrote through a garbage pointer), so the helpers are always inlined, as the
// compiler's own intrinsics are; -Wpsabi warns about that unused out-of-line convention only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
#if defined(__GNUC__) || defined(__clang__)
#define MELGENRE_VECTOR_INLINE inline __attribute__((always_inline))
#else
#define MELGENRE_VECTOR_INLINE inline
#endif

namespace melgenre {
namespace {

constexpr int kLanes = 8;
typedef float v8f __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));

MELGENRE_VECTOR_INLINE v8f load8(const float* p) {
  v8f v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
MELGENRE_VECTOR_INLINE void store8(float* p, const v8f& v) { std::memcpy(p, &v, sizeof v); }
#if defined(__GNUC__) && !defined(__clang__)
// GCC's vector conditional lets it emit blendv / min / max.
MELGENRE_VECTOR_INLINE v8f select(const v8i& mask, const v8f& yes, const v8f& no) { return mask ? yes : no; }
#else
MELGENRE_VECTOR_INLINE v8f select(const v8i& mask, const v8f& yes, const v8f& no) {
  return (v8f)(((v8i)yes & mask) | ((v8i)no & ~mask));
}
#endif
MELGENRE_VECTOR_INLINE v8f vmin(const v8f& a, const v8f& b) { return select(a < b, a, b); }
MELGENRE_VECTOR_INLINE v8f vmax(const v8f& a, const v8f& b) { return select(a > b, a, b); }
MELGENRE_VECTOR_INLINE v8f splat(float x) { return v8f{x, x, x, x, x, x, x, x}; }

// scipy 'reflect' (half-sample symmetric) index into [0, n).
inline int reflect_index(long long i, int n) {
  if (i >= 0 && i < n) return int(i);
  const long long period = 2LL * n;
  long long m = i % period;
  if (m < 0) m += period;
  return int(m < n ? m : period - 1 - m);
}

// Eight interleaved rows starting at in[0]: lane r is row r.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
__attribute__((target_clones("avx2", "default")))
#endif
void filter8(const float* in, int n, ptrdiff_t stride, float* out, int k) {
  const int half = k / 2;
  v8f w[RunningMedian::kMaxWindow + 1];
  // First window: sort each lane's samples.
  float lane[RunningMedian::kMaxWindow];
  for (int r = 0; r < kLanes; ++r) {
    for (int j = 0; j < k; ++j) lane[j] = in[ptrdiff_t(reflect_index(j - half, n)) * stride + r];
    std::sort(lane, lane + k);
    for (int j = 0; j < k; ++j) w[j][r] = lane[j];
  }
  w[k] = splat(std::numeric_limits<float>::infinity());
  const v8f neg_inf = splat(-std::numeric_limits<float>::infinity());
  for (int i = 0;; ++i) {
    store8(out + ptrdiff_t(i) * stride, w[half]);
    if (i + 1 >= n) break;
    const v8f leaving = load8(in + ptrdiff_t(reflect_index((long long)i - half, n)) * stride);
    const v8f entering = load8(in + ptrdiff_t(reflect_index((long long)i + half + 1, n)) * stride);
    // r[j] = window without (the first copy of) `leaving`; w[j] <- r with `entering` inserted, which
    // is min(r[j], max(r[j-1], entering)) because r is sorted.
    v8f r_prev = neg_inf;
    for (int j = 0; j < k; ++j) {
      const v8f r = select(w[j] < leaving, w[j], w[j + 1]);
      w[j] = vmin(r, vmax(r_prev, entering));
      r_prev = r;
    }
  }
}

// One row, copied into all eight lanes of a buffer (lane 0 read back).
void filter_single(const float* in, ptrdiff_t in_stride, int n, float* out, ptrdiff_t out_stride, int k) {
  std::vector<float> src(size_t(n) * kLanes), dst(size_t(n) * kLanes);
  for (int i = 0; i < n; ++i)
    for (int r = 0; r < kLanes; ++r) src[size_t(i) * kLanes + size_t(r)] = in[ptrdiff_t(i) * in_stride];
  filter8(src.data(), n, kLanes, dst.data(), k);
  for (int i = 0; i < n; ++i) out[ptrdiff_t(i) * out_stride] = dst[size_t(i) * kLanes];
}

}  // namespace

RunningMedian::RunningMedian(int k) : k_(std::clamp(k | 1, 1, kMaxWindow)) {}

void RunningMedian::filter_columns(const float* in, int n, int rows, ptrdiff_t stride, float* out) const {
  if (n < 1 || rows < 1) return;
  if (rows < kLanes) {
    for (int r = 0; r < rows; ++r) filter_single(in + r, stride, n, out + r, stride, k_);
    return;
  }
  // Groups of eight rows; the last group overlaps the previous one (same results, written twice).
  for (int r0 = 0; r0 < rows; r0 += kLanes) {
    const int r = std::min(r0, rows - kLanes);
    filter8(in + r, n, stride, out + r, k_);
  }
}

void RunningMedian::filter(const float* in, ptrdiff_t in_stride, int n, float* out, ptrdiff_t out_stride) const {
  if (n >= 1) filter_single(in, in_stride, n, out, out_stride, k_);
}

}  // namespace melgenre
