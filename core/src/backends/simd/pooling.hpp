// Pooling over NHWC items (no padding, floor): the channel loop is innermost and contiguous, so the
// compiler vectorises max/sum on every target. Rows [oh0, oh1) of one item per call (thread tasks).
#pragma once

#include <cstdint>
#include <vector>

#include "backends/simd/int8_gemm.hpp"

namespace melgenre::simd {

struct PoolGeometry {
  int h = 0, w = 0, c = 0, kh = 1, kw = 1, sh = 1, sw = 1, oh = 0, ow = 0;
};

void max_pool_rows(const PoolGeometry& g, const float* in, float* out, int oh0, int oh1);
void max_pool_rows(const PoolGeometry& g, const int8_t* in, int8_t* out, int oh0, int oh1);
void avg_pool_rows_f32(const PoolGeometry& g, const float* in, float* out, int oh0, int oh1);
// int8 average: sum of (q - in_zero) over the window, requantised with in_scale / (out_scale * count).
void avg_pool_rows_i8(const PoolGeometry& g, const int8_t* in, int8_t* out, int oh0, int oh1, int in_zero,
                      float multiplier, int out_zero, std::vector<int32_t>& acc);

}  // namespace melgenre::simd
