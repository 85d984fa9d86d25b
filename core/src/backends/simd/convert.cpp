#include "backends/simd/convert.hpp"

#include <cmath>

#include "backends/simd/clones.hpp"

namespace melgenre::simd {

MELGENRE_CLONES void quantize_f32(const float* __restrict in, size_t n, float scale, int zero, int8_t* __restrict out) {
  for (size_t i = 0; i < n; ++i) {
    float v = in[i] / scale;
    v = v < -1e6f ? -1e6f : (v > 1e6f ? 1e6f : v);  // keeps the conversion defined
    int r = int(v + std::copysign(0.5f, v)) + zero;
    r = r < -128 ? -128 : (r > 127 ? 127 : r);
    out[i] = int8_t(r);
  }
}

MELGENRE_CLONES void dequantize_i8(const int8_t* __restrict in, size_t n, float scale, int zero,
                                   float* __restrict out) {
  for (size_t i = 0; i < n; ++i) out[i] = scale * float(int(in[i]) - zero);
}

}  // namespace melgenre::simd
