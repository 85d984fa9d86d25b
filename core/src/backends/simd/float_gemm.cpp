#include "backends/simd/float_gemm.hpp"

#include <algorithm>
#include <cstring>

#include "backends/simd/clones.hpp"

namespace melgenre::simd {

FloatGemmWeights pack_float_weights(const float* weight, int cout, int taps, int cin, const float* bias, bool relu) {
  FloatGemmWeights w;
  w.cout = cout;
  w.taps = taps;
  w.cin = cin;
  w.relu = relu;
  w.padded = (cout + kFloatBlock - 1) / kFloatBlock * kFloatBlock;
  const int k = taps * cin;
  // [block][k][16]: one block's weights are contiguous, zero beyond cout.
  w.w.assign(size_t(k) * w.padded, 0.f);
  for (int c = 0; c < cout; ++c)
    for (int kk = 0; kk < k; ++kk)
      w.w[(size_t(c / kFloatBlock) * k + kk) * kFloatBlock + c % kFloatBlock] = weight[size_t(c) * k + kk];
  w.bias.assign(w.padded, 0.f);
  if (bias) std::copy(bias, bias + cout, w.bias.begin());
  w.avx2_fma = cpu_has_avx2_fma();
  return w;
}

namespace {

// NP pixels x one block of 16 channels: NP*16 accumulators (registers with AVX2 / SIMD128).
template <int NP>
inline void block(const FloatGemmWeights& w, const float* const* px, const ptrdiff_t* tap_offset, int b,
                  float* const* out) {
  constexpr int B = kFloatBlock;
  float acc[NP][B];
  for (int p = 0; p < NP; ++p)
    for (int j = 0; j < B; ++j) acc[p][j] = w.bias[size_t(b) * B + j];
  const float* wrow = w.w.data() + size_t(b) * w.taps * w.cin * B;
  for (int t = 0; t < w.taps; ++t) {
    const ptrdiff_t off = tap_offset[t];
    for (int i = 0; i < w.cin; ++i, wrow += B) {
      for (int p = 0; p < NP; ++p) {
        const float x = px[p][off + i];
        for (int j = 0; j < B; ++j) acc[p][j] += x * wrow[j];
      }
    }
  }
  const int c0 = b * B;
  const int nc = w.cout - c0 < B ? w.cout - c0 : B;
  for (int p = 0; p < NP; ++p) {
    if (w.relu)
      for (int j = 0; j < B; ++j) acc[p][j] = acc[p][j] > 0.f ? acc[p][j] : 0.f;
    std::memcpy(out[p] + c0, acc[p], sizeof(float) * size_t(nc));
  }
}

}  // namespace

MELGENRE_CLONES void float_gemm(const FloatGemmWeights& w, const float* base, ptrdiff_t pixel_step, int npix,
                                const ptrdiff_t* tap_offset, float* out, ptrdiff_t out_stride) {
#ifdef __wasm_simd128__
  return float_gemm_wasm128(w, base, pixel_step, npix, tap_offset, out, out_stride);
#endif
  if (w.avx2_fma) return float_gemm_avx2_fma(w, base, pixel_step, npix, tap_offset, out, out_stride);
  constexpr int kPix = 4;
  const int blocks = w.padded / kFloatBlock;
  for (int b = 0; b < blocks; ++b) {
    int p = 0;
    for (; p + kPix <= npix; p += kPix) {
      const float* px[kPix];
      float* o[kPix];
      for (int q = 0; q < kPix; ++q) {
        px[q] = base + (p + q) * pixel_step;
        o[q] = out + (p + q) * out_stride;
      }
      block<kPix>(w, px, tap_offset, b, o);
    }
    for (; p < npix; ++p) {
      const float* px[1] = {base + p * pixel_step};
      float* o[1] = {out + p * out_stride};
      block<1>(w, px, tap_offset, b, o);
    }
  }
}

}  // namespace melgenre::simd
