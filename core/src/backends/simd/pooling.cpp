// Pooling loops. The native build has no -march flags, so on x86 each loop is also cloned for AVX2
// (GCC target_clones, picked at load time); WebAssembly gets SIMD128 from -msimd128.
#include "backends/simd/pooling.hpp"

#include <algorithm>

#include "backends/simd/clones.hpp"


namespace melgenre::simd {

namespace {

template <class T>
inline void max_rows(const PoolGeometry& g, const T* __restrict in, T* __restrict out, int oh0, int oh1) {
  const size_t c = size_t(g.c);
  for (int y = oh0; y < oh1; ++y)
    for (int x = 0; x < g.ow; ++x) {
      T* __restrict o = out + (size_t(y) * g.ow + x) * c;
      const T* first = in + (size_t(y * g.sh) * g.w + x * g.sw) * c;
      for (size_t k = 0; k < c; ++k) o[k] = first[k];
      for (int i = 0; i < g.kh; ++i)
        for (int j = 0; j < g.kw; ++j) {
          const T* __restrict p = in + (size_t(y * g.sh + i) * g.w + x * g.sw + j) * c;
          for (size_t k = 0; k < c; ++k) o[k] = p[k] > o[k] ? p[k] : o[k];
        }
    }
}

}  // namespace

MELGENRE_CLONES void max_pool_rows(const PoolGeometry& g, const float* in, float* out, int oh0, int oh1) {
  max_rows(g, in, out, oh0, oh1);
}

MELGENRE_CLONES void max_pool_rows(const PoolGeometry& g, const int8_t* in, int8_t* out, int oh0, int oh1) {
  max_rows(g, in, out, oh0, oh1);
}

MELGENRE_CLONES void avg_pool_rows_f32(const PoolGeometry& g, const float* in, float* out, int oh0, int oh1) {
  const float inv = 1.f / float(g.kh * g.kw);
  const size_t c = size_t(g.c);
  for (int y = oh0; y < oh1; ++y)
    for (int x = 0; x < g.ow; ++x) {
      float* __restrict o = out + (size_t(y) * g.ow + x) * c;
      std::fill(o, o + c, 0.f);
      for (int i = 0; i < g.kh; ++i)
        for (int j = 0; j < g.kw; ++j) {
          const float* __restrict p = in + (size_t(y * g.sh + i) * g.w + x * g.sw + j) * c;
          for (size_t k = 0; k < c; ++k) o[k] += p[k];
        }
      for (size_t k = 0; k < c; ++k) o[k] *= inv;
    }
}

void avg_pool_rows_i8(const PoolGeometry& g, const int8_t* in, int8_t* out, int oh0, int oh1, int in_zero,
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
