#include "backends/simd/float_gemm.hpp"

#include <algorithm>
#include <cstring>

namespace melgenre::simd {

FloatGemmWeights pack_float_weights(const float* weight, int cout, int taps, int cin, const float* bias, bool relu) {
  FloatGemmWeights w;
  w.cout = cout;
  w.taps = taps;
  w.cin = cin;
  w.relu = relu;
  const int k = taps * cin;
  w.w.resize(size_t(k) * cout);
  for (int c = 0; c < cout; ++c)
    for (int kk = 0; kk < k; ++kk) w.w[size_t(kk) * cout + c] = weight[size_t(c) * k + kk];
  w.bias.assign(cout, 0.f);
  if (bias) std::copy(bias, bias + cout, w.bias.begin());
  return w;
}

namespace {

// Output channel chunk and pixel block: 4 pixels x 32 channels of accumulators stay in registers
// (or at worst in L1) while each weight row is read once per 4 pixels.
constexpr int kChunk = 32;
constexpr int kPix = 4;

template <int NP>
void block(const FloatGemmWeights& w, const float* const* px, const ptrdiff_t* tap_offset, int c0, int nc,
           float* const* out) {
  float acc[NP][kChunk];
  for (int p = 0; p < NP; ++p)
    for (int j = 0; j < kChunk; ++j) acc[p][j] = j < nc ? w.bias[c0 + j] : 0.f;
  const float* wrow = w.w.data() + c0;
  for (int t = 0; t < w.taps; ++t) {
    for (int i = 0; i < w.cin; ++i, wrow += w.cout) {
      float wv[kChunk];
      for (int j = 0; j < kChunk; ++j) wv[j] = j < nc ? wrow[j] : 0.f;
      for (int p = 0; p < NP; ++p) {
        const float x = px[p][tap_offset[t] + i];
        for (int j = 0; j < kChunk; ++j) acc[p][j] += x * wv[j];
      }
    }
  }
  for (int p = 0; p < NP; ++p) {
    if (w.relu)
      for (int j = 0; j < kChunk; ++j) acc[p][j] = acc[p][j] > 0.f ? acc[p][j] : 0.f;
    std::memcpy(out[p] + c0, acc[p], sizeof(float) * size_t(nc));
  }
}

}  // namespace

void float_gemm(const FloatGemmWeights& w, const float* base, ptrdiff_t pixel_step, int npix,
                const ptrdiff_t* tap_offset, float* out, ptrdiff_t out_stride) {
  for (int c0 = 0; c0 < w.cout; c0 += kChunk) {
    const int nc = std::min(kChunk, w.cout - c0);
    int p = 0;
    for (; p + kPix <= npix; p += kPix) {
      const float* px[kPix];
      float* o[kPix];
      for (int q = 0; q < kPix; ++q) {
        px[q] = base + (p + q) * pixel_step;
        o[q] = out + (p + q) * out_stride;
      }
      block<kPix>(w, px, tap_offset, c0, nc, o);
    }
    for (; p < npix; ++p) {
      const float* px[1] = {base + p * pixel_step};
      float* o[1] = {out + p * out_stride};
      block<1>(w, px, tap_offset, c0, nc, o);
    }
  }
}

}  // namespace melgenre::simd
