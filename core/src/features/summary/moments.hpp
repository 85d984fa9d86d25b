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

// Moments of n values of which the first `kept` are get(i) and the rest zeros.
template <class Get>
Moments moments_padded(size_t kept, size_t n, Get get) {
  Moments m;
  if (n == 0) return m;
  double sum = 0.0;
  for (size_t i = 0; i < kept; ++i) sum += double(get(i));
  m.mean = sum / double(n);
  double sq = 0.0;
  for (size_t i = 0; i < kept; ++i) {
    const double d = double(get(i)) - m.mean;
    sq += d * d;
  }
  sq += double(n - kept) * m.mean * m.mean;
  m.var = sq / double(n);
  return m;
}

}  // namespace melgenre
