#include "features/real_fft_x4.hpp"

#include <string>

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
#include "kiss_fftr.c"
}  // namespace kiss4
}  // namespace melgenre
#pragma GCC diagnostic pop
namespace melgenre {

static_assert(sizeof(kiss4::kiss_fft_cpx) == 8 * sizeof(float), "a 4-lane complex is 8 floats");

struct RealFftX4::State {
  int n = 0;
  kiss4::kiss_fftr_cfg plan = nullptr;
  ~State() { kiss4::kiss_fftr_free(plan); }
};

RealFftX4::RealFftX4(std::unique_ptr<State> state) : state_(std::move(state)) {}
RealFftX4::RealFftX4(RealFftX4&&) noexcept = default;
RealFftX4& RealFftX4::operator=(RealFftX4&&) noexcept = default;
RealFftX4::~RealFftX4() = default;

Expected<RealFftX4> RealFftX4::create(int n) {
  if (n < 2 || n % 2 != 0 || n > (1 << 24))
    return make_error(Status::invalid_argument, "4-lane FFT size must be even and in [2, 16777216], got " +
                                                    std::to_string(n));
  auto s = std::make_unique<State>();
  s->n = n;
  s->plan = kiss4::kiss_fftr_alloc(n, 0, nullptr, nullptr);
  if (!s->plan) return make_error(Status::resource_limit, "out of memory for an FFT plan");
  return RealFftX4(std::move(s));
}

int RealFftX4::size() const { return state_->n; }

void RealFftX4::forward(const float* in, float* out) {
  kiss4::kiss_fftr(state_->plan, reinterpret_cast<const kiss4::F32x4*>(in),
                   reinterpret_cast<kiss4::kiss_fft_cpx*>(out));
}

}  // namespace melgenre
