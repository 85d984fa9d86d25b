// Internal to real_fft_x4*.cpp: the 4-lane scalar type and the renamed KissFFT entry points. Include
// this, then a KissFFT source (kiss_fft.c or kiss_fftr.c), inside namespace melgenre::kiss4. KissFFT's
// private header has no include guard, so each KissFFT source gets its own translation unit.
#pragma once

#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


namespace melgenre {
namespace kiss4 {

// Four float lanes. Alignment 4 so KissFFT's packed plan layout (structs placed right after other
// structs) never needs 16-byte alignment: loads are unaligned-safe on x86 and wasm.
typedef float F32x4Raw __attribute__((vector_size(16), aligned(4)));

struct F32x4 {
  F32x4Raw v;
  F32x4() = default;
  F32x4(double d) {  // KissFFT assigns scalars (twiddles, 0, -1): broadcast, rounded to float like the scalar build
    const float f = float(d);
    v = F32x4Raw{f, f, f, f};
  }
  explicit F32x4(F32x4Raw x) : v(x) {}
  friend F32x4 operator+(F32x4 a, F32x4 b) { return F32x4(a.v + b.v); }
  friend F32x4 operator-(F32x4 a, F32x4 b) { return F32x4(a.v - b.v); }
  friend F32x4 operator*(F32x4 a, F32x4 b) { return F32x4(a.v * b.v); }
  F32x4 operator-() const { return F32x4(-v); }
  F32x4& operator+=(F32x4 b) { v += b.v; return *this; }
  F32x4& operator-=(F32x4 b) { v -= b.v; return *this; }
  F32x4& operator*=(F32x4 b) { v *= b.v; return *this; }
};

}  // namespace kiss4
}  // namespace melgenre

// KissFFT's public C names get a prefix so this build links beside the scalar one.
#define kiss_fft_free melgenre_kiss4_fft_free
#define kiss_fft_alloc melgenre_kiss4_fft_alloc
#define kiss_fft_stride melgenre_kiss4_fft_stride
#define kiss_fft melgenre_kiss4_fft
#define kiss_fft_cleanup melgenre_kiss4_fft_cleanup
#define kiss_fft_next_fast_size melgenre_kiss4_fft_next_fast_size
#define kiss_fftr_free melgenre_kiss4_fftr_free
#define kiss_fftr_alloc melgenre_kiss4_fftr_alloc
#define kiss_fftr melgenre_kiss4_fftr
#define kiss_fftri melgenre_kiss4_fftri
#define kiss_fft_scalar ::melgenre::kiss4::F32x4

