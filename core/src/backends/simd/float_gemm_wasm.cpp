// WebAssembly SIMD128 kernel of the float GEMM (float_gemm.hpp): 2 pixels x 16 channels of
// accumulators (8 v128), f32x4 multiply + add (no FMA without relaxed SIMD).
#include "backends/simd/float_gemm.hpp"

#include <cstring>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>

namespace melgenre::simd {

namespace {

void store16(const FloatGemmWeights& w, int c0, const v128_t* acc, float* out) {
  v128_t v[4];
  for (int q = 0; q < 4; ++q) v[q] = w.relu ? wasm_f32x4_max(acc[q], wasm_f32x4_splat(0.f)) : acc[q];
  if (c0 + kFloatBlock <= w.cout) {
    for (int q = 0; q < 4; ++q) wasm_v128_store(out + c0 + 4 * q, v[q]);
  } else {
    float tmp[kFloatBlock];
    for (int q = 0; q < 4; ++q) wasm_v128_store(tmp + 4 * q, v[q]);
    std::memcpy(out + c0, tmp, sizeof(float) * size_t(w.cout - c0));
  }
}

}  // namespace

void float_gemm_wasm128(const FloatGemmWeights& w, const float* base, ptrdiff_t pixel_step, int npix,
                        const ptrdiff_t* tap_offset, float* out, ptrdiff_t out_stride) {
  constexpr int B = kFloatBlock;
  const int blocks = w.padded / B;
  const size_t k = size_t(w.taps) * w.cin;
  for (int b = 0; b < blocks; ++b) {
    const float* wb = w.w.data() + size_t(b) * k * B;
    const float* bias = &w.bias[size_t(b) * B];
    for (int p = 0; p < npix; p += 2) {
      const bool two = p + 1 < npix;
      v128_t a0[4], a1[4];
      for (int q = 0; q < 4; ++q) a0[q] = a1[q] = wasm_v128_load(bias + 4 * q);
      const float* px0 = base + p * pixel_step;
      const float* px1 = two ? px0 + pixel_step : px0;
      const float* wp = wb;
      for (int t = 0; t < w.taps; ++t) {
        const float* x0 = px0 + tap_offset[t];
        const float* x1 = px1 + tap_offset[t];
        for (int i = 0; i < w.cin; ++i, wp += B) {
          const v128_t v0 = wasm_v128_load32_splat(x0 + i), v1 = wasm_v128_load32_splat(x1 + i);
          const v128_t w0 = wasm_v128_load(wp), w1 = wasm_v128_load(wp + 4), w2 = wasm_v128_load(wp + 8),
                       w3 = wasm_v128_load(wp + 12);
          a0[0] = wasm_f32x4_add(a0[0], wasm_f32x4_mul(v0, w0));
          a0[1] = wasm_f32x4_add(a0[1], wasm_f32x4_mul(v0, w1));
          a0[2] = wasm_f32x4_add(a0[2], wasm_f32x4_mul(v0, w2));
          a0[3] = wasm_f32x4_add(a0[3], wasm_f32x4_mul(v0, w3));
          a1[0] = wasm_f32x4_add(a1[0], wasm_f32x4_mul(v1, w0));
          a1[1] = wasm_f32x4_add(a1[1], wasm_f32x4_mul(v1, w1));
          a1[2] = wasm_f32x4_add(a1[2], wasm_f32x4_mul(v1, w2));
          a1[3] = wasm_f32x4_add(a1[3], wasm_f32x4_mul(v1, w3));
        }
      }
      store16(w, b * B, a0, out + p * out_stride);
      if (two) store16(w, b * B, a1, out + (p + 1) * out_stride);
    }
  }
}

}  // namespace melgenre::simd

#endif
