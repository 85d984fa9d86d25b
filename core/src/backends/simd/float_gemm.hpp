// The float32 convolution/dense engine of the simd backend, with the same tap/pixel addressing as the
// int8 GEMM (int8_gemm.hpp): a pixel's input row is `taps` runs of `cin` floats at base + tap_offset[t].
// Weights are packed in blocks of 16 output channels [block][k][16], so the inner loop runs over 16
// contiguous channels with 4 pixels of accumulators, which the compiler vectorises and keeps in
// registers (AVX2 clone natively, SIMD128 in wasm) without fast-math.
#pragma once

#include <cstddef>
#include <vector>

namespace melgenre::simd {

constexpr int kFloatBlock = 16;  // output channels per register block

struct FloatGemmWeights {
  int cout = 0, taps = 1, cin = 0;
  int padded = 0;           // cout rounded up to kFloatBlock
  std::vector<float> w;     // [cout/16][taps*cin][16]
  std::vector<float> bias;  // [padded]
  bool relu = false;
  bool avx2_fma = false;    // use the hand-written x86 kernel (runtime CPU check at pack time)
};

// weight: [cout][taps][cin] (OHWI flattened); bias may be null.
FloatGemmWeights pack_float_weights(const float* weight, int cout, int taps, int cin, const float* bias, bool relu);

// npix output pixels of all channels into out (row stride out_stride floats).
void float_gemm(const FloatGemmWeights& w, const float* base, ptrdiff_t pixel_step, int npix,
                const ptrdiff_t* tap_offset, float* out, ptrdiff_t out_stride);

// The x86 AVX2+FMA kernel (float_gemm_x86.cpp); same contract, used when avx2_fma is set.
void float_gemm_avx2_fma(const FloatGemmWeights& w, const float* base, ptrdiff_t pixel_step, int npix,
                         const ptrdiff_t* tap_offset, float* out, ptrdiff_t out_stride);
bool cpu_has_avx2_fma();
#ifdef __wasm_simd128__
// The WebAssembly SIMD128 kernel (float_gemm_wasm.cpp), always used in wasm builds.
void float_gemm_wasm128(const FloatGemmWeights& w, const float* base, ptrdiff_t pixel_step, int npix,
                        const ptrdiff_t* tap_offset, float* out, ptrdiff_t out_stride);
#endif

}  // namespace melgenre::simd
