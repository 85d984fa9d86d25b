// The int8 convolution/dense engine of the simd backend: an im2col-free GEMM over NHWC.
//
// An output pixel's input row is the concatenation of `taps` runs of `cp` values, run t starting at
// `base + tap_offset[t]`; consecutive pixels of one call are `pixel_step` values apart. A padded input
// image [Hp][Wp][cp] makes every conv tap a plain offset (no bounds checks); a dense layer is one tap
// per batch row; a conv with few input channels is first unrolled (im2col) into one tap per pixel.
//
// Two kernel families share this interface and differ in how activations are stored:
//   i16: activation value x - in_zero as int16 (padding 0), weights int16 in pairs; pmaddwd-style
//        kernels (scalar, SSE4.1, AVX2, WebAssembly SIMD128 i32x4.dot_i16x8).
//   u8:  activation value x + 128 as uint8 (padding in_zero + 128), weights int8 in quads; dot-product
//        kernels (AVX-VNNI vpdpbusd). The shift is removed through the bias: bias - (128 + in_zero) *
//        sum(w), which is why padding holds the zero point, not 0.
// Requantisation (models/FORMAT.md): q = round_half_away(acc * multiplier[c]) + out_zero, clamped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace melgenre::simd {

enum class Int8Family { i16, u8 };
enum class Int8Isa { scalar, sse41, avx2, avxvnni, wasm128 };

// Channel block of every packed layout (outputs are computed 16 channels at a time).
constexpr int kInt8Block = 16;

struct Int8GemmWeights {
  Int8Family family = Int8Family::i16;
  Int8Isa isa = Int8Isa::scalar;
  int cout = 0;        // real output channels
  int blocks = 0;      // ceil(cout / 16)
  int taps = 1;
  int cp = 0;          // values per tap, a multiple of 4 (zero weights beyond the real channels)
  int k() const { return taps * cp; }
  // i16: [block][k/2][16][2] int16; u8: [block][k/4][16][4] int8.
  std::vector<int16_t> w16;
  std::vector<int8_t> w8;
  std::vector<int32_t> bias;       // [blocks*16], shift-corrected for the u8 family
  std::vector<float> multiplier;   // [blocks*16]
  int out_zero = 0, qmin = -128, qmax = 127;
};

// The best family/ISA this process can run (runtime CPU detection natively; SIMD128 in wasm).
Int8Isa best_int8_isa();
bool int8_isa_supported(Int8Isa isa);
Int8Family family_of(Int8Isa isa);
const char* int8_isa_name(Int8Isa isa);

// weight: [cout][taps][cin] int8 (OHWI flattened), laid into runs of cp >= cin values per tap.
// bias: [cout] int32 or null. multiplier[c] = in_scale * weight_scale[c] / out_scale.
Int8GemmWeights pack_int8_weights(Int8Isa isa, const int8_t* weight, int cout, int taps, int cin, int cp,
                                  const int32_t* bias, const float* multiplier, int in_zero, int out_zero,
                                  int qmin, int qmax);

// Computes npix output pixels of all channels into out (npix x cout int8, row stride out_stride).
// base points to i16 or u8 activations according to the family. With acc_out, the raw int32
// accumulators (bias included) go there instead (npix x blocks*16), for a fused max pooling that
// requantises only the pooled maxima (requantisation is monotonic, so the result is the same).
void int8_gemm(const Int8GemmWeights& w, const void* base, ptrdiff_t pixel_step, int npix,
               const ptrdiff_t* tap_offset, int8_t* out, ptrdiff_t out_stride,
               int32_t* acc_out = nullptr);

// Kernels per ISA (int8_gemm_*.cpp); each processes any npix, all channel blocks.
void int8_gemm_scalar(const Int8GemmWeights& w, const void* base, ptrdiff_t pixel_step, int npix,
                      const ptrdiff_t* tap_offset, int8_t* out, ptrdiff_t out_stride, int32_t* acc_out);
void int8_gemm_sse41(const Int8GemmWeights& w, const void* base, ptrdiff_t pixel_step, int npix,
                     const ptrdiff_t* tap_offset, int8_t* out, ptrdiff_t out_stride, int32_t* acc_out);
void int8_gemm_avx2(const Int8GemmWeights& w, const void* base, ptrdiff_t pixel_step, int npix,
                    const ptrdiff_t* tap_offset, int8_t* out, ptrdiff_t out_stride, int32_t* acc_out);
void int8_gemm_avxvnni(const Int8GemmWeights& w, const void* base, ptrdiff_t pixel_step, int npix,
                       const ptrdiff_t* tap_offset, int8_t* out, ptrdiff_t out_stride, int32_t* acc_out);
void int8_gemm_wasm128(const Int8GemmWeights& w, const void* base, ptrdiff_t pixel_step, int npix,
                       const ptrdiff_t* tap_offset, int8_t* out, ptrdiff_t out_stride, int32_t* acc_out);

// Shared tail: requantise 16 int32 accumulators of channel block b into out (only real channels).
void requantize_block(const Int8GemmWeights& w, int block, const int32_t* acc, int8_t* out);
// Requantises n accumulators (channel c uses multiplier[c]) into out; vectorised where the CPU allows.
void requantize_row(const Int8GemmWeights& w, const int32_t* acc, int n, int8_t* out);
// dst[i] = max(dst[i], src[i]) over n int32 values.
void max_into_i32(Int8Isa isa, int32_t* dst, const int32_t* src, int n);
// Per-ISA versions of the two above (same files as the GEMM kernels).
void requantize_row_avx2(const Int8GemmWeights& w, const int32_t* acc, int n, int8_t* out);
void requantize_row_wasm128(const Int8GemmWeights& w, const int32_t* acc, int n, int8_t* out);
void max_into_i32_avx2(int32_t* dst, const int32_t* src, int n);
void max_into_i32_wasm128(int32_t* dst, const int32_t* src, int n);

// Round half away from zero, then add zero point and clamp: the FORMAT.md rule for one value.
inline int8_t requantize_one(int32_t acc, float multiplier, int out_zero, int qmin, int qmax) {
  float v = float(acc) * multiplier;
  v = v < -1e6f ? -1e6f : (v > 1e6f ? 1e6f : v);  // keeps the conversion defined for absurd scales
  long r = long(v + (v >= 0.f ? 0.5f : -0.5f));
  r += out_zero;
  if (r < qmin) r = qmin;
  if (r > qmax) r = qmax;
  return int8_t(r);
}

}  // namespace melgenre::simd
