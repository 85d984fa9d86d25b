// Declarations of the four-lane KissFFT build come from the features module's private header; the
// code itself is compiled once, in features/real_fft_x4.cpp (kiss_fftr.c holds both directions).
#include "features/summary/inverse_real_fft_x4.hpp"

#include <string>

#include "features/real_fft_x4_kiss.hpp"

namespace melgenre {
namespace kiss4 {
#include "kiss_fftr.h"
}  // namespace kiss4

struct InverseRealFftX4::Plan {
  kiss4::kiss_fftr_cfg cfg = nullptr;
  ~Plan() { kiss4::kiss_fftr_free(cfg); }
};

InverseRealFftX4::InverseRealFftX4(int n, std::unique_ptr<Plan> plan) : n_(n), plan_(std::move(plan)) {}
InverseRealFftX4::InverseRealFftX4(InverseRealFftX4&&) noexcept = default;
InverseRealFftX4& InverseRealFftX4::operator=(InverseRealFftX4&&) noexcept = default;
InverseRealFftX4::~InverseRealFftX4() = default;

Expected<InverseRealFftX4> InverseRealFftX4::create(int n) {
  if (n < 2 || n % 2 || n > (1 << 20))
    return make_error(Status::invalid_argument, "inverse FFT size must be even and in [2, 1048576], got " + std::to_string(n));
  auto plan = std::make_unique<Plan>();
  plan->cfg = kiss4::kiss_fftr_alloc(n, 1, nullptr, nullptr);
  if (!plan->cfg) return make_error(Status::internal, "could not allocate a " + std::to_string(n) + "-point inverse FFT");
  return InverseRealFftX4(n, std::move(plan));
}

void InverseRealFftX4::inverse(const float* in, float* out) {
  kiss4::kiss_fftri(plan_->cfg, reinterpret_cast<const kiss4::kiss_fft_cpx*>(in), reinterpret_cast<kiss4::F32x4*>(out));
}

}  // namespace melgenre
