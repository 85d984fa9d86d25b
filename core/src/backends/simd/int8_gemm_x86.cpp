// x86 kernels of the int8 GEMM (int8_gemm.hpp). The native build has no -march flags, so each kernel
// carries its own target attribute and is only called after runtime CPU detection (best_int8_isa).
// Register blocking: 4 pixels x 16 channels (8 ymm accumulators) for AVX2 / AVX-VNNI, 2 x 16 for SSE4.1.
#include "backends/simd/int8_gemm.hpp"

#include <cstring>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <immintrin.h>
#define MELGENRE_X86 1
#endif

namespace melgenre::simd {

#ifdef MELGENRE_X86
namespace {

inline int32_t load_i32(const void* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The helpers below are always inlined and take vectors by reference: a 32-byte vector crossing a real
// call is ABI-fragile (ymm with AVX, memory without), and -O0 builds do not inline plain `inline`.

// acc * multiplier, rounded half away from zero, + zero point, clamped to [qmin, qmax].
__attribute__((target("avx2"), always_inline)) inline __m256i requant8_avx2(const Int8GemmWeights& w,
                                                                            const __m256i& acc, const float* mult) {
  const __m256 sign = _mm256_set1_ps(-0.f), half = _mm256_set1_ps(0.5f);
  const __m256 lim = _mm256_set1_ps(1e6f), nlim = _mm256_set1_ps(-1e6f);
  __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(mult));
  v = _mm256_min_ps(_mm256_max_ps(v, nlim), lim);
  v = _mm256_add_ps(v, _mm256_or_ps(_mm256_and_ps(v, sign), half));
  __m256i r = _mm256_add_epi32(_mm256_cvttps_epi32(v), _mm256_set1_epi32(w.out_zero));
  r = _mm256_max_epi32(r, _mm256_set1_epi32(w.qmin));
  return _mm256_min_epi32(r, _mm256_set1_epi32(w.qmax));
}

// Requantises 16 accumulators (lo: channels 0-7, hi: 8-15) of block b and stores the real channels.
__attribute__((target("avx2"), always_inline)) inline void requant_store_avx2(const Int8GemmWeights& w, int b,
                                                                              const __m256i& lo, const __m256i& hi,
                                                                              int8_t* out) {
  const float* m = &w.multiplier[size_t(b) * kInt8Block];
  __m256i a = requant8_avx2(w, lo, m), c = requant8_avx2(w, hi, m + 8);
  __m256i p16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(a, c), 0xD8);
  __m128i p8 = _mm_packs_epi16(_mm256_castsi256_si128(p16), _mm256_extracti128_si256(p16, 1));
  int c0 = b * kInt8Block;
  if (c0 + kInt8Block <= w.cout) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + c0), p8);
  } else {
    alignas(16) int8_t tmp[kInt8Block];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), p8);
    std::memcpy(out + c0, tmp, size_t(w.cout - c0));
  }
}

// Pixel p of block b: requantised into out, or raw into acc_out (fused pooling).
__attribute__((target("avx2"), always_inline)) inline void finish_avx2(const Int8GemmWeights& w, int b,
                                                                       const __m256i& lo, const __m256i& hi,
                                                                       int8_t* out, ptrdiff_t out_stride,
                                                                       int32_t* acc_out, int p) {
  if (acc_out) {
    int32_t* a = acc_out + size_t(p) * w.blocks * kInt8Block + size_t(b) * kInt8Block;
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(a), lo);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(a + 8), hi);
  } else {
    requant_store_avx2(w, b, lo, hi, out + p * out_stride);
  }
}

}  // namespace

__attribute__((target("avx2"))) void requantize_row_avx2(const Int8GemmWeights& w, const int32_t* acc, int n,
                                                         int8_t* out) {
  int c = 0;
  for (; c + 16 <= n; c += 16) {
    __m256i a = requant8_avx2(w, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + c)), &w.multiplier[c]);
    __m256i b = requant8_avx2(w, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + c + 8)),
                              &w.multiplier[c + 8]);
    __m256i p16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8);
    __m128i p8 = _mm_packs_epi16(_mm256_castsi256_si128(p16), _mm256_extracti128_si256(p16, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + c), p8);
  }
  for (; c < n; ++c) out[c] = requantize_one(acc[c], w.multiplier[c], w.out_zero, w.qmin, w.qmax);
}

__attribute__((target("avx2"))) void max_into_i32_avx2(int32_t* dst, const int32_t* src, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256i d = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(dst + i));
    __m256i s = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_max_epi32(d, s));
  }
  for (; i < n; ++i) dst[i] = src[i] > dst[i] ? src[i] : dst[i];
}

__attribute__((target("avx2"))) void int8_gemm_avx2(const Int8GemmWeights& w, const void* base,
                                                    ptrdiff_t pixel_step, int npix, const ptrdiff_t* tap_offset,
                                                    int8_t* out, ptrdiff_t out_stride, int32_t* acc_out) {
  const int k = w.k();
  const int16_t* in = static_cast<const int16_t*>(base);
  for (int b = 0; b < w.blocks; ++b) {
    const int16_t* wb = w.w16.data() + size_t(b) * k * kInt8Block;
    const __m256i bias0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&w.bias[size_t(b) * kInt8Block]));
    const __m256i bias1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&w.bias[size_t(b) * kInt8Block + 8]));
    int p = 0;
    for (; p + 4 <= npix; p += 4) {
      __m256i a00 = bias0, a01 = bias1, a10 = bias0, a11 = bias1, a20 = bias0, a21 = bias1, a30 = bias0,
              a31 = bias1;
      const int16_t* px = in + p * pixel_step;
      const int16_t* wp = wb;
      for (int t = 0; t < w.taps; ++t) {
        const int16_t* x0 = px + tap_offset[t];
        const int16_t* x1 = x0 + pixel_step;
        const int16_t* x2 = x1 + pixel_step;
        const int16_t* x3 = x2 + pixel_step;
        for (int i = 0; i < w.cp; i += 2, wp += 2 * kInt8Block) {
          __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp));
          __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 16));
          __m256i v = _mm256_set1_epi32(load_i32(x0 + i));
          a00 = _mm256_add_epi32(a00, _mm256_madd_epi16(v, w0));
          a01 = _mm256_add_epi32(a01, _mm256_madd_epi16(v, w1));
          v = _mm256_set1_epi32(load_i32(x1 + i));
          a10 = _mm256_add_epi32(a10, _mm256_madd_epi16(v, w0));
          a11 = _mm256_add_epi32(a11, _mm256_madd_epi16(v, w1));
          v = _mm256_set1_epi32(load_i32(x2 + i));
          a20 = _mm256_add_epi32(a20, _mm256_madd_epi16(v, w0));
          a21 = _mm256_add_epi32(a21, _mm256_madd_epi16(v, w1));
          v = _mm256_set1_epi32(load_i32(x3 + i));
          a30 = _mm256_add_epi32(a30, _mm256_madd_epi16(v, w0));
          a31 = _mm256_add_epi32(a31, _mm256_madd_epi16(v, w1));
        }
      }
      finish_avx2(w, b, a00, a01, out, out_stride, acc_out, p);
      finish_avx2(w, b, a10, a11, out, out_stride, acc_out, p + 1);
      finish_avx2(w, b, a20, a21, out, out_stride, acc_out, p + 2);
      finish_avx2(w, b, a30, a31, out, out_stride, acc_out, p + 3);
    }
    for (; p < npix; ++p) {
      __m256i a0 = bias0, a1 = bias1;
      const int16_t* px = in + p * pixel_step;
      const int16_t* wp = wb;
      for (int t = 0; t < w.taps; ++t) {
        const int16_t* x0 = px + tap_offset[t];
        for (int i = 0; i < w.cp; i += 2, wp += 2 * kInt8Block) {
          __m256i v = _mm256_set1_epi32(load_i32(x0 + i));
          a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(v, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp))));
          a1 = _mm256_add_epi32(a1,
                                _mm256_madd_epi16(v, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 16))));
        }
      }
      finish_avx2(w, b, a0, a1, out, out_stride, acc_out, p);
    }
  }
}

__attribute__((target("avx2,avxvnni"))) void int8_gemm_avxvnni(const Int8GemmWeights& w, const void* base,
                                                               ptrdiff_t pixel_step, int npix,
                                                               const ptrdiff_t* tap_offset, int8_t* out,
                                                               ptrdiff_t out_stride, int32_t* acc_out) {
  const int k = w.k();
  const uint8_t* in = static_cast<const uint8_t*>(base);
  for (int b = 0; b < w.blocks; ++b) {
    const int8_t* wb = w.w8.data() + size_t(b) * k * kInt8Block;
    const __m256i bias0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&w.bias[size_t(b) * kInt8Block]));
    const __m256i bias1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&w.bias[size_t(b) * kInt8Block + 8]));
    int p = 0;
    for (; p + 4 <= npix; p += 4) {
      __m256i a00 = bias0, a01 = bias1, a10 = bias0, a11 = bias1, a20 = bias0, a21 = bias1, a30 = bias0,
              a31 = bias1;
      const uint8_t* px = in + p * pixel_step;
      const int8_t* wp = wb;
      for (int t = 0; t < w.taps; ++t) {
        const uint8_t* x0 = px + tap_offset[t];
        const uint8_t* x1 = x0 + pixel_step;
        const uint8_t* x2 = x1 + pixel_step;
        const uint8_t* x3 = x2 + pixel_step;
        for (int i = 0; i < w.cp; i += 4, wp += 4 * kInt8Block) {
          __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp));
          __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 32));
          __m256i v = _mm256_set1_epi32(load_i32(x0 + i));
          a00 = _mm256_dpbusd_avx_epi32(a00, v, w0);
          a01 = _mm256_dpbusd_avx_epi32(a01, v, w1);
          v = _mm256_set1_epi32(load_i32(x1 + i));
          a10 = _mm256_dpbusd_avx_epi32(a10, v, w0);
          a11 = _mm256_dpbusd_avx_epi32(a11, v, w1);
          v = _mm256_set1_epi32(load_i32(x2 + i));
          a20 = _mm256_dpbusd_avx_epi32(a20, v, w0);
          a21 = _mm256_dpbusd_avx_epi32(a21, v, w1);
          v = _mm256_set1_epi32(load_i32(x3 + i));
          a30 = _mm256_dpbusd_avx_epi32(a30, v, w0);
          a31 = _mm256_dpbusd_avx_epi32(a31, v, w1);
        }
      }
      finish_avx2(w, b, a00, a01, out, out_stride, acc_out, p);
      finish_avx2(w, b, a10, a11, out, out_stride, acc_out, p + 1);
      finish_avx2(w, b, a20, a21, out, out_stride, acc_out, p + 2);
      finish_avx2(w, b, a30, a31, out, out_stride, acc_out, p + 3);
    }
    for (; p < npix; ++p) {
      __m256i a0 = bias0, a1 = bias1;
      const uint8_t* px = in + p * pixel_step;
      const int8_t* wp = wb;
      for (int t = 0; t < w.taps; ++t) {
        const uint8_t* x0 = px + tap_offset[t];
        for (int i = 0; i < w.cp; i += 4, wp += 4 * kInt8Block) {
          __m256i v = _mm256_set1_epi32(load_i32(x0 + i));
          a0 = _mm256_dpbusd_avx_epi32(a0, v, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp)));
          a1 = _mm256_dpbusd_avx_epi32(a1, v, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 32)));
        }
      }
      finish_avx2(w, b, a0, a1, out, out_stride, acc_out, p);
    }
  }
}

__attribute__((target("sse4.1"))) void int8_gemm_sse41(const Int8GemmWeights& w, const void* base,
                                                       ptrdiff_t pixel_step, int npix, const ptrdiff_t* tap_offset,
                                                       int8_t* out, ptrdiff_t out_stride, int32_t* acc_out) {
  const int k = w.k();
  const int16_t* in = static_cast<const int16_t*>(base);
  for (int b = 0; b < w.blocks; ++b) {
    const int16_t* wb = w.w16.data() + size_t(b) * k * kInt8Block;
    const int32_t* bias = &w.bias[size_t(b) * kInt8Block];
    for (int p = 0; p < npix; p += 2) {
      const bool two = p + 1 < npix;
      __m128i a[2][4];
      for (int r = 0; r < 2; ++r)
        for (int q = 0; q < 4; ++q) a[r][q] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bias + 4 * q));
      const int16_t* px0 = in + p * pixel_step;
      const int16_t* px1 = two ? px0 + pixel_step : px0;
      const int16_t* wp = wb;
      for (int t = 0; t < w.taps; ++t) {
        const int16_t* x0 = px0 + tap_offset[t];
        const int16_t* x1 = px1 + tap_offset[t];
        for (int i = 0; i < w.cp; i += 2, wp += 2 * kInt8Block) {
          __m128i v0 = _mm_set1_epi32(load_i32(x0 + i)), v1 = _mm_set1_epi32(load_i32(x1 + i));
          for (int q = 0; q < 4; ++q) {
            __m128i wq = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wp + 8 * q));
            a[0][q] = _mm_add_epi32(a[0][q], _mm_madd_epi16(v0, wq));
            a[1][q] = _mm_add_epi32(a[1][q], _mm_madd_epi16(v1, wq));
          }
        }
      }
      for (int r = 0; r < (two ? 2 : 1); ++r) {
        alignas(16) int32_t acc[kInt8Block];
        for (int q = 0; q < 4; ++q) _mm_store_si128(reinterpret_cast<__m128i*>(acc + 4 * q), a[r][q]);
        if (acc_out)
          std::memcpy(acc_out + size_t(p + r) * w.blocks * kInt8Block + size_t(b) * kInt8Block, acc, sizeof acc);
        else
          requantize_block(w, b, acc, out + (p + r) * out_stride);
      }
    }
  }
}

#else  // not x86: never selected by best_int8_isa, kept linkable.

void requantize_row_avx2(const Int8GemmWeights& w, const int32_t* acc, int n, int8_t* out) {
  for (int c = 0; c < n; ++c) out[c] = requantize_one(acc[c], w.multiplier[c], w.out_zero, w.qmin, w.qmax);
}
void max_into_i32_avx2(int32_t* dst, const int32_t* src, int n) {
  for (int i = 0; i < n; ++i) dst[i] = src[i] > dst[i] ? src[i] : dst[i];
}

void int8_gemm_avx2(const Int8GemmWeights& w, const void* base, ptrdiff_t pixel_step, int npix,
                    const ptrdiff_t* tap_offset, int8_t* out, ptrdiff_t out_stride, int32_t* acc_out) {
  int8_gemm_scalar(w, base, pixel_step, npix, tap_offset, out, out_stride, acc_out);
}
void int8_gemm_avxvnni(const Int8GemmWeights& w, const void* base, ptrdiff_t pixel_step, int npix,
                       const ptrdiff_t* tap_offset, int8_t* out, ptrdiff_t out_stride, int32_t* acc_out) {
  int8_gemm_scalar(w, base, pixel_step, npix, tap_offset, out, out_stride, acc_out);
}
void int8_gemm_sse41(const Int8GemmWeights& w, const void* base, ptrdiff_t pixel_step, int npix,
                     const ptrdiff_t* tap_offset, int8_t* out, ptrdiff_t out_stride, int32_t* acc_out) {
  int8_gemm_scalar(w, base, pixel_step, npix, tap_offset, out, out_stride, acc_out);
}

#endif

}  // namespace melgenre::simd
