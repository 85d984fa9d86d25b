// Weight packing, ISA choice and the portable scalar kernel of the int8 GEMM (see int8_gemm.hpp).
#include "backends/simd/int8_gemm.hpp"

#include <algorithm>
#include <cstring>

namespace melgenre::simd {

Int8Family family_of(Int8Isa isa) { return isa == Int8Isa::avxvnni ? Int8Family::u8 : Int8Family::i16; }

const char* int8_isa_name(Int8Isa isa) {
  switch (isa) {
    case Int8Isa::scalar: return "scalar";
    case Int8Isa::sse41: return "sse4.1";
    case Int8Isa::avx2: return "avx2";
    case Int8Isa::avxvnni: return "avx-vnni";
    case Int8Isa::wasm128: return "wasm-simd128";
  }
  return "?";
}

Int8Isa best_int8_isa() {
#if defined(__wasm_simd128__)
  return Int8Isa::wasm128;
#elif (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  for (Int8Isa isa : {Int8Isa::avxvnni, Int8Isa::avx2, Int8Isa::sse41})
    if (int8_isa_supported(isa)) return isa;
  return Int8Isa::scalar;
#else
  return Int8Isa::scalar;
#endif
}

bool int8_isa_supported(Int8Isa isa) {
  if (isa == Int8Isa::scalar) return true;
#if defined(__wasm_simd128__)
  return isa == Int8Isa::wasm128;
#elif (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  __builtin_cpu_init();
  switch (isa) {
    case Int8Isa::sse41: return __builtin_cpu_supports("sse4.1");
    case Int8Isa::avx2: return __builtin_cpu_supports("avx2");
    case Int8Isa::avxvnni: return __builtin_cpu_supports("avxvnni") && __builtin_cpu_supports("avx2");
    default: return false;
  }
#else
  return false;
#endif
}

Int8GemmWeights pack_int8_weights(Int8Isa isa, const int8_t* weight, int cout, int taps, int cin, int cp,
                                  const int32_t* bias, const float* multiplier, int in_zero, int out_zero,
                                  int qmin, int qmax) {
  Int8GemmWeights w;
  w.isa = isa;
  w.family = family_of(isa);
  w.cout = cout;
  w.blocks = (cout + kInt8Block - 1) / kInt8Block;
  w.taps = taps;
  w.cp = cp;
  w.out_zero = out_zero;
  w.qmin = qmin;
  w.qmax = qmax;
  const int k = w.k();
  const int padded = w.blocks * kInt8Block;
  w.bias.assign(padded, 0);
  w.multiplier.assign(padded, 0.f);
  // value(c, kk): weight of channel c at packed position kk (0 beyond real channels/inputs).
  auto value = [&](int c, int kk) -> int {
    if (c >= cout) return 0;
    int t = kk / cp, i = kk % cp;
    return i < cin ? weight[(size_t(c) * taps + t) * cin + i] : 0;
  };
  for (int c = 0; c < cout; ++c) {
    long sum = 0;
    for (int kk = 0; kk < taps * cin; ++kk) sum += weight[size_t(c) * taps * cin + kk];
    int32_t b = bias ? bias[c] : 0;
    if (w.family == Int8Family::u8) b -= int32_t((128 + in_zero) * sum);
    w.bias[c] = b;
    w.multiplier[c] = multiplier[c];
  }
  if (w.family == Int8Family::i16) {
    w.w16.resize(size_t(w.blocks) * k * kInt8Block);
    int16_t* p = w.w16.data();
    for (int b = 0; b < w.blocks; ++b)
      for (int kk = 0; kk < k; kk += 2)
        for (int j = 0; j < kInt8Block; ++j) {
          *p++ = int16_t(value(b * kInt8Block + j, kk));
          *p++ = int16_t(value(b * kInt8Block + j, kk + 1));
        }
  } else {
    w.w8.resize(size_t(w.blocks) * k * kInt8Block);
    int8_t* p = w.w8.data();
    for (int b = 0; b < w.blocks; ++b)
      for (int kk = 0; kk < k; kk += 4)
        for (int j = 0; j < kInt8Block; ++j)
          for (int q = 0; q < 4; ++q) *p++ = int8_t(value(b * kInt8Block + j, kk + q));
  }
  return w;
}

void requantize_block(const Int8GemmWeights& w, int block, const int32_t* acc, int8_t* out) {
  int c0 = block * kInt8Block;
  int n = std::min(kInt8Block, w.cout - c0);
  for (int j = 0; j < n; ++j) out[c0 + j] = requantize_one(acc[j], w.multiplier[c0 + j], w.out_zero, w.qmin, w.qmax);
}

void requantize_row(const Int8GemmWeights& w, const int32_t* acc, int n, int8_t* out) {
  switch (w.isa) {
    case Int8Isa::avx2:
    case Int8Isa::avxvnni: return requantize_row_avx2(w, acc, n, out);
    case Int8Isa::wasm128: return requantize_row_wasm128(w, acc, n, out);
    default: break;
  }
  for (int c = 0; c < n; ++c) out[c] = requantize_one(acc[c], w.multiplier[c], w.out_zero, w.qmin, w.qmax);
}

void max_into_i32(Int8Isa isa, int32_t* dst, const int32_t* src, int n) {
  switch (isa) {
    case Int8Isa::avx2:
    case Int8Isa::avxvnni: return max_into_i32_avx2(dst, src, n);
    case Int8Isa::wasm128: return max_into_i32_wasm128(dst, src, n);
    default: break;
  }
  for (int i = 0; i < n; ++i) dst[i] = src[i] > dst[i] ? src[i] : dst[i];
}

void int8_gemm_scalar(const Int8GemmWeights& w, const void* base, ptrdiff_t pixel_step, int npix,
                      const ptrdiff_t* tap_offset, int8_t* out, ptrdiff_t out_stride, int32_t* acc_out) {
  const int k = w.k();
  for (int b = 0; b < w.blocks; ++b) {
    for (int p = 0; p < npix; ++p) {
      int32_t acc[kInt8Block];
      std::memcpy(acc, &w.bias[size_t(b) * kInt8Block], sizeof acc);
      if (w.family == Int8Family::i16) {
        const int16_t* wp = w.w16.data() + size_t(b) * k * kInt8Block;
        const int16_t* px = static_cast<const int16_t*>(base) + p * pixel_step;
        for (int t = 0; t < w.taps; ++t) {
          const int16_t* x = px + tap_offset[t];
          for (int i = 0; i < w.cp; i += 2, wp += 2 * kInt8Block)
            for (int j = 0; j < kInt8Block; ++j) acc[j] += x[i] * wp[2 * j] + x[i + 1] * wp[2 * j + 1];
        }
      } else {
        const int8_t* wp = w.w8.data() + size_t(b) * k * kInt8Block;
        const uint8_t* px = static_cast<const uint8_t*>(base) + p * pixel_step;
        for (int t = 0; t < w.taps; ++t) {
          const uint8_t* x = px + tap_offset[t];
          for (int i = 0; i < w.cp; i += 4, wp += 4 * kInt8Block)
            for (int j = 0; j < kInt8Block; ++j)
              for (int q = 0; q < 4; ++q) acc[j] += int32_t(x[i + q]) * wp[4 * j + q];
        }
      }
      if (acc_out)
        std::memcpy(acc_out + size_t(p) * w.blocks * kInt8Block + size_t(b) * kInt8Block, acc, sizeof acc);
      else
        requantize_block(w, b, acc, out + p * out_stride);
    }
  }
}

void int8_gemm(const Int8GemmWeights& w, const void* base, ptrdiff_t pixel_step, int npix,
               const ptrdiff_t* tap_offset, int8_t* out, ptrdiff_t out_stride, int32_t* acc_out) {
  switch (w.isa) {
    case Int8Isa::sse41: return int8_gemm_sse41(w, base, pixel_step, npix, tap_offset, out, out_stride, acc_out);
    case Int8Isa::avx2: return int8_gemm_avx2(w, base, pixel_step, npix, tap_offset, out, out_stride, acc_out);
    case Int8Isa::avxvnni: return int8_gemm_avxvnni(w, base, pixel_step, npix, tap_offset, out, out_stride, acc_out);
    case Int8Isa::wasm128: return int8_gemm_wasm128(w, base, pixel_step, npix, tap_offset, out, out_stride, acc_out);
    case Int8Isa::scalar: break;
  }
  int8_gemm_scalar(w, base, pixel_step, npix, tap_offset, out, out_stride, acc_out);
}

}  // namespace melgenre::simd
