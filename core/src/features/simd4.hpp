// Four-float vectors for the spectral hot loops, written with GCC/Clang vector extensions so the same code
// becomes SSE natively and SIMD128 under Emscripten. Lanes are independent frames (bit-identical to the
// scalar code: no reassociation).
#pragma once

#include <cstdint>
#include <cstring>

namespace melgenre::simd4 {

typedef float F32x4 __attribute__((vector_size(16)));
typedef int32_t I32x4 __attribute__((vector_size(16)));

inline F32x4 load(const float* p) {
  F32x4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, F32x4 v) { std::memcpy(p, &v, sizeof v); }
inline F32x4 splat(float x) { return F32x4{x, x, x, x}; }
// mask lanes are all-ones (true) or zero, as vector comparisons return.
inline F32x4 select(I32x4 mask, F32x4 a, F32x4 b) { return (F32x4)((mask & (I32x4)a) | (~mask & (I32x4)b)); }
// max/min that return `b` when `a` is NaN (so NaN inputs are replaced, never propagated).
inline F32x4 max_or(F32x4 a, F32x4 b) { return select(a > b, a, b); }
inline F32x4 min_or(F32x4 a, F32x4 b) { return select(a < b, a, b); }

}  // namespace melgenre::simd4
