#include "features/real_fft.hpp"

#include <string>
#include <vector>

#include "kiss_fft.h"
#include "kiss_fftr.h"

namespace melgenre {

static_assert(sizeof(kiss_fft_cpx) == sizeof(std::complex<float>), "kiss_fft_cpx must be two floats");

struct RealFft::State {
  int n = 0;
  kiss_fftr_cfg real_fwd = nullptr, real_inv = nullptr;  // even n
  kiss_fft_cfg cpx_fwd = nullptr, cpx_inv = nullptr;     // odd n
  std::vector<kiss_fft_cpx> buf_in, buf_out;             // odd n: full complex spectra

  ~State() {
    kiss_fftr_free(real_fwd);
    kiss_fftr_free(real_inv);
    kiss_fft_free(cpx_fwd);
    kiss_fft_free(cpx_inv);
  }
};

RealFft::RealFft(std::unique_ptr<State> state) : state_(std::move(state)) {}
RealFft::RealFft(RealFft&&) noexcept = default;
RealFft& RealFft::operator=(RealFft&&) noexcept = default;
RealFft::~RealFft() = default;

Expected<RealFft> RealFft::create(int n) {
  if (n < 1 || n > (1 << 24))
    return make_error(Status::invalid_argument, "FFT size must be in [1, 16777216], got " + std::to_string(n));
  auto s = std::make_unique<State>();
  s->n = n;
  if (n % 2 == 0) {
    s->real_fwd = kiss_fftr_alloc(n, 0, nullptr, nullptr);
    s->real_inv = kiss_fftr_alloc(n, 1, nullptr, nullptr);
    if (!s->real_fwd || !s->real_inv) return make_error(Status::resource_limit, "out of memory for an FFT plan");
  } else {
    s->cpx_fwd = kiss_fft_alloc(n, 0, nullptr, nullptr);
    s->cpx_inv = kiss_fft_alloc(n, 1, nullptr, nullptr);
    if (!s->cpx_fwd || !s->cpx_inv) return make_error(Status::resource_limit, "out of memory for an FFT plan");
    s->buf_in.resize(size_t(n));
    s->buf_out.resize(size_t(n));
  }
  return RealFft(std::move(s));
}

int RealFft::size() const { return state_->n; }

void RealFft::forward(const float* in, std::complex<float>* out) {
  State& s = *state_;
  if (s.real_fwd) {
    kiss_fftr(s.real_fwd, in, reinterpret_cast<kiss_fft_cpx*>(out));
    return;
  }
  for (int i = 0; i < s.n; ++i) s.buf_in[size_t(i)] = kiss_fft_cpx{in[i], 0.f};
  kiss_fft(s.cpx_fwd, s.buf_in.data(), s.buf_out.data());
  for (int k = 0; k <= s.n / 2; ++k) out[k] = {s.buf_out[size_t(k)].r, s.buf_out[size_t(k)].i};
}

void RealFft::inverse(const std::complex<float>* in, float* out) {
  State& s = *state_;
  const float scale = 1.f / float(s.n);
  if (s.real_inv) {
    kiss_fftri(s.real_inv, reinterpret_cast<const kiss_fft_cpx*>(in), out);
    for (int i = 0; i < s.n; ++i) out[i] *= scale;
    return;
  }
  // Odd size: rebuild the Hermitian spectrum (DC imaginary part dropped, as irfft does).
  s.buf_in[0] = kiss_fft_cpx{in[0].real(), 0.f};
  for (int k = 1; k <= s.n / 2; ++k) {
    s.buf_in[size_t(k)] = kiss_fft_cpx{in[k].real(), in[k].imag()};
    s.buf_in[size_t(s.n - k)] = kiss_fft_cpx{in[k].real(), -in[k].imag()};
  }
  kiss_fft(s.cpx_inv, s.buf_in.data(), s.buf_out.data());
  for (int i = 0; i < s.n; ++i) out[i] = s.buf_out[size_t(i)].r * scale;
}

}  // namespace melgenre
