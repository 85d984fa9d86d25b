// Hand-written AVX2+FMA kernel of the float GEMM (float_gemm.hpp): 4 pixels x 16 channels of
// accumulators (8 ymm), one broadcast per pixel and input value, two weight loads shared by 4 pixels.
#include "backends/simd/float_gemm.hpp"

#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MELGENRE_X86 1
#endif

namespace melgenre::simd {

#ifdef MELGENRE_X86

bool cpu_has_avx2_fma() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

namespace {

// Always inlined and vectors by reference: a 32-byte vector crossing a real call is ABI-fragile (ymm with
// AVX, memory without), and -O0 builds do not inline plain `inline` helpers.
__attribute__((target("avx2,fma"), always_inline)) inline void store16(const FloatGemmWeights& w, int c0,
                                                                       const __m256& lo_acc, const __m256& hi_acc,
                                                                       float* out) {
  __m256 lo = lo_acc, hi = hi_acc;
  if (w.relu) {
    lo = _mm256_max_ps(lo, _mm256_setzero_ps());
    hi = _mm256_max_ps(hi, _mm256_setzero_ps());
  }
  if (c0 + kFloatBlock <= w.cout) {
    _mm256_storeu_ps(out + c0, lo);
    _mm256_storeu_ps(out + c0 + 8, hi);
  } else {
    alignas(32) float tmp[kFloatBlock];
    _mm256_store_ps(tmp, lo);
    _mm256_store_ps(tmp + 8, hi);
    std::memcpy(out + c0, tmp, sizeof(float) * size_t(w.cout - c0));
  }
}

}  // namespace

__attribute__((target("avx2,fma"))) void float_gemm_avx2_fma(const FloatGemmWeights& w, const float* base,
                                                            ptrdiff_t pixel_step, int npix,
                                                            const ptrdiff_t* tap_offset, float* out,
                                                            ptrdiff_t out_stride) {
  constexpr int B = kFloatBlock;
  const int blocks = w.padded / B;
  const size_t k = size_t(w.taps) * w.cin;
  for (int b = 0; b < blocks; ++b) {
    const float* wb = w.w.data() + size_t(b) * k * B;
    const __m256 b0 = _mm256_loadu_ps(&w.bias[size_t(b) * B]), b1 = _mm256_loadu_ps(&w.bias[size_t(b) * B + 8]);
    int p = 0;
    for (; p + 4 <= npix; p += 4) {
      __m256 a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
      const float* wp = wb;
      const float* px = base + p * pixel_step;
      for (int t = 0; t < w.taps; ++t) {
        const float* x0 = px + tap_offset[t];
        const float* x1 = x0 + pixel_step;
        const float* x2 = x1 + pixel_step;
        const float* x3 = x2 + pixel_step;
        for (int i = 0; i < w.cin; ++i, wp += B) {
          const __m256 w0 = _mm256_loadu_ps(wp), w1 = _mm256_loadu_ps(wp + 8);
          __m256 v = _mm256_broadcast_ss(x0 + i);
          a00 = _mm256_fmadd_ps(v, w0, a00);
          a01 = _mm256_fmadd_ps(v, w1, a01);
          v = _mm256_broadcast_ss(x1 + i);
          a10 = _mm256_fmadd_ps(v, w0, a10);
          a11 = _mm256_fmadd_ps(v, w1, a11);
          v = _mm256_broadcast_ss(x2 + i);
          a20 = _mm256_fmadd_ps(v, w0, a20);
          a21 = _mm256_fmadd_ps(v, w1, a21);
          v = _mm256_broadcast_ss(x3 + i);
          a30 = _mm256_fmadd_ps(v, w0, a30);
          a31 = _mm256_fmadd_ps(v, w1, a31);
        }
      }
      store16(w, b * B, a00, a01, out + p * out_stride);
      store16(w, b * B, a10, a11, out + (p + 1) * out_stride);
      store16(w, b * B, a20, a21, out + (p + 2) * out_stride);
      store16(w, b * B, a30, a31, out + (p + 3) * out_stride);
    }
    for (; p < npix; ++p) {
      __m256 a0 = b0, a1 = b1;
      const float* wp = wb;
      const float* px = base + p * pixel_step;
      for (int t = 0; t < w.taps; ++t) {
        const float* x0 = px + tap_offset[t];
        for (int i = 0; i < w.cin; ++i, wp += B) {
          const __m256 v = _mm256_broadcast_ss(x0 + i);
          a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(wp), a0);
          a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(wp + 8), a1);
        }
      }
      store16(w, b * B, a0, a1, out + p * out_stride);
    }
  }
}

#else

bool cpu_has_avx2_fma() { return false; }
void float_gemm_avx2_fma(const FloatGemmWeights&, const float*, ptrdiff_t, int, const ptrdiff_t*, float*, ptrdiff_t) {}

#endif

}  // namespace melgenre::simd
