// The float32 convolution/dense engine of the simd backend, with the same tap/pixel addressing as the
// int8 GEMM (int8_gemm.hpp): a pixel's input row is `taps` runs of `cin` floats at base + tap_offset[t].
// Weights are packed [k][cout] so the inner loop runs over contiguous output channels, which the
// compiler vectorises on every target (SSE2 natively, SIMD128 in wasm) without fast-math.
#pragma once

#include <cstddef>
#include <vector>

namespace melgenre::simd {

struct FloatGemmWeights {
  int cout = 0, taps = 1, cin = 0;
  std::vector<float> w;     // [taps*cin][cout]
  std::vector<float> bias;  // [cout]
  bool relu = false;
};

// weight: [cout][taps][cin] (OHWI flattened); bias may be null.
FloatGemmWeights pack_float_weights(const float* weight, int cout, int taps, int cin, const float* bias, bool relu);

// npix output pixels of all channels into out (row stride out_stride floats).
void float_gemm(const FloatGemmWeights& w, const float* base, ptrdiff_t pixel_step, int npix,
                const ptrdiff_t* tap_offset, float* out, ptrdiff_t out_stride);

}  // namespace melgenre::simd
