// KissFFT's complex FFT (kiss_fft.c from npm) in the 4-lane build used by real_fft_x4.cpp.
#include "features/real_fft_x4_kiss.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wclass-memaccess"  // GCC only: clang has no such group
#endif
namespace melgenre {
namespace kiss4 {
#include "kiss_fft.c"
}  // namespace kiss4
}  // namespace melgenre
#pragma GCC diagnostic pop
