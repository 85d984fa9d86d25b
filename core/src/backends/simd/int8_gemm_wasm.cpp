// WebAssembly SIMD128 kernel of the int8 GEMM (int8_gemm.hpp): i16 family, i32x4.dot_i16x8_s (the
// pmaddwd of wasm), 2 pixels x 16 channels per step (8 accumulators).
#include "backends/simd/int8_gemm.hpp"

#include <cstring>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace melgenre::simd {

#ifdef __wasm_simd128__
namespace {

// Requantises 16 accumulators with multipliers m into 16 int8 at dst.
void requant16(const Int8GemmWeights& w, const float* m, const v128_t* acc, int8_t* dst) {
  const v128_t sign = wasm_f32x4_splat(-0.f), half = wasm_f32x4_splat(0.5f);
  const v128_t lim = wasm_f32x4_splat(1e6f), nlim = wasm_f32x4_splat(-1e6f);
  const v128_t zero = wasm_i32x4_splat(w.out_zero), lo = wasm_i32x4_splat(w.qmin), hi = wasm_i32x4_splat(w.qmax);
  v128_t r[4];
  for (int q = 0; q < 4; ++q) {
    v128_t v = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc[q]), wasm_v128_load(m + 4 * q));
    v = wasm_f32x4_min(wasm_f32x4_max(v, nlim), lim);
    v = wasm_f32x4_add(v, wasm_v128_or(wasm_v128_and(v, sign), half));
    v128_t i = wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(v), zero);
    r[q] = wasm_i32x4_min(wasm_i32x4_max(i, lo), hi);
  }
  wasm_v128_store(dst, wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(r[0], r[1]), wasm_i16x8_narrow_i32x4(r[2], r[3])));
}

// Pixel p of block b: requantised into out (real channels only), or raw into acc_out (fused pooling).
void finish(const Int8GemmWeights& w, int b, const v128_t* acc, int8_t* out, ptrdiff_t out_stride, int32_t* acc_out,
            int p) {
  if (acc_out) {
    int32_t* a = acc_out + size_t(p) * w.blocks * kInt8Block + size_t(b) * kInt8Block;
    for (int q = 0; q < 4; ++q) wasm_v128_store(a + 4 * q, acc[q]);
    return;
  }
  const int c0 = b * kInt8Block;
  int8_t* o = out + p * out_stride;
  if (c0 + kInt8Block <= w.cout) {
    requant16(w, &w.multiplier[c0], acc, o + c0);
  } else {
    int8_t tmp[kInt8Block];
    requant16(w, &w.multiplier[c0], acc, tmp);
    std::memcpy(o + c0, tmp, size_t(w.cout - c0));
  }
}

}  // namespace

void requantize_row_wasm128(const Int8GemmWeights& w, const int32_t* acc, int n, int8_t* out) {
  int c = 0;
  for (; c + 16 <= n; c += 16) {
    v128_t a[4];
    for (int q = 0; q < 4; ++q) a[q] = wasm_v128_load(acc + c + 4 * q);
    requant16(w, &w.multiplier[c], a, out + c);
  }
  for (; c < n; ++c) out[c] = requantize_one(acc[c], w.multiplier[c], w.out_zero, w.qmin, w.qmax);
}

void max_into_i32_wasm128(int32_t* dst, const int32_t* src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_i32x4_max(wasm_v128_load(dst + i), wasm_v128_load(src + i)));
  for (; i < n; ++i) dst[i] = src[i] > dst[i] ? src[i] : dst[i];
}

void int8_gemm_wasm128(const Int8GemmWeights& w, const void* base, ptrdiff_t pixel_step, int npix,
                       const ptrdiff_t* tap_offset, int8_t* out, ptrdiff_t out_stride, int32_t* acc_out) {
  if (w.family != Int8Family::i16)
    return int8_gemm_scalar(w, base, pixel_step, npix, tap_offset, out, out_stride, acc_out);
  const int k = w.k();
  const int16_t* in = static_cast<const int16_t*>(base);
  for (int b = 0; b < w.blocks; ++b) {
    const int16_t* wb = w.w16.data() + size_t(b) * k * kInt8Block;
    const int32_t* bias = &w.bias[size_t(b) * kInt8Block];
    for (int p = 0; p < npix; p += 2) {
      const bool two = p + 1 < npix;
      v128_t a0[4], a1[4];
      for (int q = 0; q < 4; ++q) a0[q] = a1[q] = wasm_v128_load(bias + 4 * q);
      const int16_t* px0 = in + p * pixel_step;
      const int16_t* px1 = two ? px0 + pixel_step : px0;
      const int16_t* wp = wb;
      for (int t = 0; t < w.taps; ++t) {
        const int16_t* x0 = px0 + tap_offset[t];
        const int16_t* x1 = px1 + tap_offset[t];
        for (int i = 0; i < w.cp; i += 2, wp += 2 * kInt8Block) {
          v128_t v0 = wasm_v128_load32_splat(x0 + i), v1 = wasm_v128_load32_splat(x1 + i);
          v128_t w0 = wasm_v128_load(wp), w1 = wasm_v128_load(wp + 8), w2 = wasm_v128_load(wp + 16),
                 w3 = wasm_v128_load(wp + 24);
          a0[0] = wasm_i32x4_add(a0[0], wasm_i32x4_dot_i16x8(v0, w0));
          a0[1] = wasm_i32x4_add(a0[1], wasm_i32x4_dot_i16x8(v0, w1));
          a0[2] = wasm_i32x4_add(a0[2], wasm_i32x4_dot_i16x8(v0, w2));
          a0[3] = wasm_i32x4_add(a0[3], wasm_i32x4_dot_i16x8(v0, w3));
          a1[0] = wasm_i32x4_add(a1[0], wasm_i32x4_dot_i16x8(v1, w0));
          a1[1] = wasm_i32x4_add(a1[1], wasm_i32x4_dot_i16x8(v1, w1));
          a1[2] = wasm_i32x4_add(a1[2], wasm_i32x4_dot_i16x8(v1, w2));
          a1[3] = wasm_i32x4_add(a1[3], wasm_i32x4_dot_i16x8(v1, w3));
        }
      }
      finish(w, b, a0, out, out_stride, acc_out, p);
      if (two) finish(w, b, a1, out, out_stride, acc_out, p + 1);
    }
  }
}

#else  // not wasm: never selected by best_int8_isa, kept linkable.

void int8_gemm_wasm128(const Int8GemmWeights& w, const void* base, ptrdiff_t pixel_step, int npix,
                       const ptrdiff_t* tap_offset, int8_t* out, ptrdiff_t out_stride, int32_t* acc_out) {
  int8_gemm_scalar(w, base, pixel_step, npix, tap_offset, out, out_stride, acc_out);
}
void requantize_row_wasm128(const Int8GemmWeights& w, const int32_t* acc, int n, int8_t* out) {
  for (int c = 0; c < n; ++c) out[c] = requantize_one(acc[c], w.multiplier[c], w.out_zero, w.qmin, w.qmax);
}
void max_into_i32_wasm128(int32_t* dst, const int32_t* src, int n) {
  for (int i = 0; i < n; ++i) dst[i] = src[i] > dst[i] ? src[i] : dst[i];
}

#endif

}  // namespace melgenre::simd
