// Orthonormal DCT-II (scipy.fft.dct(type=2, norm='ortho')) as a precomputed basis; only the kept
// coefficients are computed.
#include <algorithm>
#include <cmath>
#include <string>

#include "features/simd4.hpp"
#include "melgenre/features.hpp"

namespace melgenre {

Expected<Dct> Dct::create(int n_in, int n_out) {
  if (n_in < 1 || n_in > 65536)
    return make_error(Status::invalid_argument, "DCT input size must be in [1, 65536], got " + std::to_string(n_in));
  if (n_out < 1 || n_out > n_in)
    return make_error(Status::invalid_argument, "DCT must keep between 1 and " + std::to_string(n_in) +
                                                    " coefficients, got " + std::to_string(n_out));
  Dct d;
  d.n_in_ = n_in;
  d.n_out_ = n_out;
  // [in][out], each row padded to a multiple of 4 outputs (zeros) so the apply loop is whole vectors.
  const size_t stride = (size_t(n_out) + 3) / 4 * 4;
  d.basis_.assign(size_t(n_in) * stride, 0.f);
  const double pi = 3.14159265358979323846;
  for (int i = 0; i < n_in; ++i)
    for (int k = 0; k < n_out; ++k) {
      const double scale = std::sqrt((k == 0 ? 1.0 : 2.0) / double(n_in));
      d.basis_[size_t(i) * stride + size_t(k)] = float(scale * std::cos(pi * double(k) * (2.0 * i + 1.0) / (2.0 * n_in)));
    }
  return d;
}

void Dct::apply_frame(const float* in, float* out) const {
  using simd4::F32x4;
  const size_t stride = (size_t(n_out_) + 3) / 4 * 4;
  // Up to 16 outputs per pass, accumulated in registers over all inputs (in input order, as the scalar sum).
  for (size_t k0 = 0; k0 < stride; k0 += 16) {
    const size_t vecs = std::min<size_t>(4, (stride - k0) / 4);
    F32x4 acc[4] = {simd4::splat(0.f), simd4::splat(0.f), simd4::splat(0.f), simd4::splat(0.f)};
    const float* b = basis_.data() + k0;
    for (int i = 0; i < n_in_; ++i, b += stride) {
      const F32x4 x = simd4::splat(in[i]);
      for (size_t v = 0; v < vecs; ++v) acc[v] += simd4::load(b + 4 * v) * x;
    }
    float buf[16];
    for (size_t v = 0; v < vecs; ++v) simd4::store(buf + 4 * v, acc[v]);
    const size_t n = std::min<size_t>(16, size_t(n_out_) - k0);
    std::copy(buf, buf + n, out + k0);
  }
}

void Dct::apply(const FeatureMatrix& in, FeatureMatrix& out) const {
  out.resize(in.n_frames, n_out_);
  if (in.n_bins != n_in_) return;  // precondition violated: leave zeros rather than read out of range
  for (int t = 0; t < in.n_frames; ++t) apply_frame(in.frame(t), out.frame(t));
}

}  // namespace melgenre
