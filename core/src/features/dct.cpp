// Orthonormal DCT-II (scipy.fft.dct(type=2, norm='ortho')) as a precomputed basis; only the kept
// coefficients are computed.
#include <cmath>
#include <string>

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
  d.basis_.resize(size_t(n_in) * size_t(n_out));
  const double pi = 3.14159265358979323846;
  for (int i = 0; i < n_in; ++i)
    for (int k = 0; k < n_out; ++k) {
      const double scale = std::sqrt((k == 0 ? 1.0 : 2.0) / double(n_in));
      d.basis_[size_t(i) * size_t(n_out) + size_t(k)] =
          float(scale * std::cos(pi * double(k) * (2.0 * i + 1.0) / (2.0 * n_in)));
    }
  return d;
}

void Dct::apply_frame(const float* in, float* out) const {
  for (int k = 0; k < n_out_; ++k) out[k] = 0.f;
  for (int i = 0; i < n_in_; ++i) {
    const float x = in[i];
    const float* b = basis_.data() + size_t(i) * size_t(n_out_);
    for (int k = 0; k < n_out_; ++k) out[k] += b[k] * x;
  }
}

void Dct::apply(const FeatureMatrix& in, FeatureMatrix& out) const {
  out.resize(in.n_frames, n_out_);
  if (in.n_bins != n_in_) return;  // precondition violated: leave zeros rather than read out of range
  for (int t = 0; t < in.n_frames; ++t) apply_frame(in.frame(t), out.frame(t));
}

}  // namespace melgenre
