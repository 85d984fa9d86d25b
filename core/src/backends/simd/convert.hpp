// float <-> int8 conversions of whole buffers (quantize / dequantize layers), vectorisable loops.
#pragma once

#include <cstddef>
#include <cstdint>

namespace melgenre::simd {

// q = clamp(round_half_away(x / scale) + zero, -128, 127), as models/FORMAT.md.
void quantize_f32(const float* in, size_t n, float scale, int zero, int8_t* out);
// x = scale * (q - zero).
void dequantize_i8(const int8_t* in, size_t n, float scale, int zero, float* out);

}  // namespace melgenre::simd
