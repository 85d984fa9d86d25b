// Mean and population variance (ddof=0) accumulated in double, as the table's np.mean / np.var.
#pragma once

#include <cstddef>

namespace melgenre {

struct Moments {
  double mean = 0.0, var = 0.0;
};

// Two passes over n values read through get(i); a zero-length input gives zeros.
template <class Get>
Moments moments_of(size_t n, Get get) {
  Moments m;
  if (n == 0) return m;
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) sum += double(get(i));
  m.mean = sum / double(n);
  double sq = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double d = double(get(i)) - m.mean;
    sq += d * d;
  }
  m.var = sq / double(n);
  return m;
}

// Moments of n values of which the first `kept` are get(i) and the rest zeros. Four accumulators:
// long sums are latency-bound otherwise (the order does not matter at double precision).
template <class Get>
Moments moments_padded(size_t kept, size_t n, Get get) {
  Moments m;
  if (n == 0) return m;
  double s[4] = {};
  size_t i = 0;
  for (; i + 4 <= kept; i += 4)
    for (size_t j = 0; j < 4; ++j) s[j] += double(get(i + j));
  double sum = (s[0] + s[1]) + (s[2] + s[3]);
  for (; i < kept; ++i) sum += double(get(i));
  m.mean = sum / double(n);
  double q[4] = {};
  for (i = 0; i + 4 <= kept; i += 4)
    for (size_t j = 0; j < 4; ++j) {
      const double d = double(get(i + j)) - m.mean;
      q[j] += d * d;
    }
  double sq = (q[0] + q[1]) + (q[2] + q[3]);
  for (; i < kept; ++i) {
    const double d = double(get(i)) - m.mean;
    sq += d * d;
  }
  sq += double(n - kept) * m.mean * m.mean;
  m.var = sq / double(n);
  return m;
}

}  // namespace melgenre
