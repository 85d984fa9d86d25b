// Pooling over NHWC items (no padding, floor): the channel loop is innermost and contiguous, so the
// compiler vectorises max/sum on every target. Rows [oh0, oh1) of one item per call (thread tasks).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "backends/simd/int8_gemm.hpp"

namespace melgenre::simd {

struct PoolGeometry {
  int h = 0, w = 0, c = 0, kh = 1, kw = 1, sh = 1, sw = 1, oh = 0, ow = 0;
};

template <class T>
void max_pool_rows(const PoolGeometry& g, const T* in, T* out, int oh0, int oh1) {
  for (int y = oh0; y < oh1; ++y)
    for (int x = 0; x < g.ow; ++x) {
      T* o = out + (size_t(y) * g.ow + x) * g.c;
      const T* first = in + (size_t(y * g.sh) * g.w + x * g.sw) * g.c;
      std::copy(first, first + g.c, o);
      for (int i = 0; i < g.kh; ++i)
        for (int j = 0; j < g.kw; ++j) {
          const T* p = in + (size_t(y * g.sh + i) * g.w + x * g.sw + j) * g.c;
          for (int c = 0; c < g.c; ++c) o[c] = p[c] > o[c] ? p[c] : o[c];
        }
    }
}

inline void avg_pool_rows_f32(const PoolGeometry& g, const float* in, float* out, int oh0, int oh1) {
  const float inv = 1.f / float(g.kh * g.kw);
  for (int y = oh0; y < oh1; ++y)
    for (int x = 0; x < g.ow; ++x) {
      float* o = out + (size_t(y) * g.ow + x) * g.c;
      std::fill(o, o + g.c, 0.f);
      for (int i = 0; i < g.kh; ++i)
        for (int j = 0; j < g.kw; ++j) {
          const float* p = in + (size_t(y * g.sh + i) * g.w + x * g.sw + j) * g.c;
          for (int c = 0; c < g.c; ++c) o[c] += p[c];
        }
      for (int c = 0; c < g.c; ++c) o[c] *= inv;
    }
}

// int8 average: sum of (q - in_zero) over the window, requantised with in_scale / (out_scale * count).
inline void avg_pool_rows_i8(const PoolGeometry& g, const int8_t* in, int8_t* out, int oh0, int oh1, int in_zero,
                             float multiplier, int out_zero, std::vector<int32_t>& acc) {
  acc.resize(size_t(g.c));
  const int32_t bias = -in_zero * g.kh * g.kw;
  for (int y = oh0; y < oh1; ++y)
    for (int x = 0; x < g.ow; ++x) {
      std::fill(acc.begin(), acc.end(), bias);
      for (int i = 0; i < g.kh; ++i)
        for (int j = 0; j < g.kw; ++j) {
          const int8_t* p = in + (size_t(y * g.sh + i) * g.w + x * g.sw + j) * g.c;
          for (int c = 0; c < g.c; ++c) acc[c] += p[c];
        }
      int8_t* o = out + (size_t(y) * g.ow + x) * g.c;
      for (int c = 0; c < g.c; ++c) o[c] = requantize_one(acc[c], multiplier, out_zero, -128, 127);
    }
}

}  // namespace melgenre::simd
