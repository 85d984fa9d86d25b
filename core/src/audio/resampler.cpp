// Kaiser-windowed sinc resampler. For a reduced ratio L/M = out/in with a small L, the L filter phases
// are tabulated exactly (polyphase); otherwise a table of kMaxPhases phases is interpolated linearly
// between the two phases around each output's position. One design for both: passband to 0.9 x the
// lower Nyquist, stopband from the lower Nyquist, designed for 96 dB attenuation.
#include "melgenre/resampler.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace melgenre {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kAttenuationDb = 96.0;
constexpr double kPassbandEdge = 0.9;        // of the lower Nyquist
constexpr size_t kMaxTableFloats = 1 << 21;  // 8 MB of polyphase taps at most
constexpr int64_t kMaxPhases = 4096;         // phases tabulated when L is larger (then interpolated)
constexpr int kMaxRate = 1000000;
constexpr size_t kLanes = 8;                 // taps are padded to a multiple of this for the dot product

double bessel_i0(double x) {
  double sum = 1.0, term = 1.0;
  const double q = x * x / 4.0;
  for (int k = 1; k < 200; ++k) {
    term *= q / (double(k) * double(k));
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

// The continuous kernel in input-sample units: a windowed sinc of cutoff fc (cycles/sample).
struct KernelDesign {
  double cutoff = 0;      // cycles per input sample
  double half_width = 0;  // the window spans (-half_width, half_width) input samples
  double beta = 0;
  double i0_beta = 1;

  double operator()(double t) const {
    const double u = t / half_width;
    if (u <= -1.0 || u >= 1.0) return 0.0;
    const double x = 2.0 * cutoff * t;
    const double sinc = std::fabs(x) < 1e-12 ? 1.0 : std::sin(kPi * x) / (kPi * x);
    return 2.0 * cutoff * sinc * bessel_i0(beta * std::sqrt(1.0 - u * u)) / i0_beta;
  }
};

KernelDesign design_kernel(int in_rate, int out_rate) {
  const double scale = std::min(1.0, double(out_rate) / double(in_rate));
  const double pass = 0.5 * kPassbandEdge * scale, stop = 0.5 * scale;
  KernelDesign k;
  k.cutoff = 0.5 * (pass + stop);
  const double transition = 2.0 * kPi * (stop - pass);  // radians per input sample
  // Kaiser's estimates for the window length and shape at the wanted attenuation.
  const double length = (kAttenuationDb - 7.95) / (2.285 * transition) + 1.0;
  k.half_width = 0.5 * length;
  k.beta = 0.1102 * (kAttenuationDb - 8.7);
  k.i0_beta = bessel_i0(k.beta);
  return k;
}

// The filter's inner product, written as kLanes independent sums so compilers vectorise it; every
// build (and the AVX2 clone below) sums in this order, so results do not depend on the CPU.
inline float dot_lanes(const float* x, const float* c, size_t n) {
  float acc[kLanes] = {};
  for (size_t j = 0; j < n; j += kLanes) {
    for (size_t l = 0; l < kLanes; ++l) acc[l] += x[j + l] * c[j + l];
  }
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

using DotFn = float (*)(const float*, const float*, size_t);

float dot_portable(const float* x, const float* c, size_t n) { return dot_lanes(x, c, n); }

#if defined(__x86_64__) && !defined(__EMSCRIPTEN__) && defined(__GNUC__)
// Same arithmetic in one 8-wide register (no FMA: contraction would change the rounding).
__attribute__((target("avx2"))) float dot_avx2(const float* x, const float* c, size_t n) {
  return dot_lanes(x, c, n);
}
DotFn pick_dot() { return __builtin_cpu_supports("avx2") ? dot_avx2 : dot_portable; }
#else
DotFn pick_dot() { return dot_portable; }
#endif

}  // namespace

struct Resampler::State {
  int in_rate = 0, out_rate = 0;
  int64_t up = 1, down = 1;  // out/in reduced: L and M
  KernelDesign kernel;
  int64_t history = 0;       // inputs before n0 that an output uses (K-1)
  size_t taps = 0;           // inputs per output, padded to kLanes
  int64_t phases = 1;        // rows of `table` that cover [0, 1) input samples
  bool exact = true;         // rows are the L exact phases (else `phases` + 1 rows interpolated)
  std::vector<float> table;  // taps [row][tap]
  DotFn dot = dot_portable;

  // Stream position.
  std::vector<float> buffer;  // inputs from absolute index buffer_start on
  int64_t buffer_start = 0;
  int64_t next_base = 0;      // n0 of the next output
  int64_t next_phase = 0;     // (m * M) mod L of the next output
  uint64_t inputs = 0, outputs = 0;

  void restart() {
    buffer.assign(size_t(history), 0.0f);
    buffer_start = -history;
    next_base = 0;
    next_phase = 0;
    inputs = outputs = 0;
  }

  float output_at(const float* x, int64_t phase) const {
    if (exact) return dot(x, table.data() + size_t(phase) * taps, taps);
    // Position between two tabulated phases: blend their outputs (same as blending the taps).
    const double pos = double(phase) * double(phases) / double(up);
    const int64_t row = int64_t(pos);
    const float a = float(pos - double(row));
    const float y0 = dot(x, table.data() + size_t(row) * taps, taps);
    const float y1 = dot(x, table.data() + size_t(row + 1) * taps, taps);
    return y0 + a * (y1 - y0);
  }

  // Emits every output whose taps lie inside the buffer, stopping at `limit` outputs in total.
  void emit(std::vector<float>& out, uint64_t limit) {
    const int64_t end = buffer_start + int64_t(buffer.size());
    while (outputs < limit && next_base - history + int64_t(taps) <= end) {
      const float* x = buffer.data() + (next_base - history - buffer_start);
      out.push_back(output_at(x, next_phase));
      ++outputs;
      next_phase += down;
      next_base += next_phase / up;
      next_phase %= up;
    }
    // Drop inputs no later output can use, in large steps so the copy stays cheap.
    const int64_t unused = next_base - history - buffer_start;
    if (unused > 0 && size_t(unused) >= std::max<size_t>(4096, buffer.size() / 2)) {
      buffer.erase(buffer.begin(), buffer.begin() + unused);
      buffer_start += unused;
    }
  }
};

Resampler::Resampler(std::unique_ptr<State> state) : state_(std::move(state)) {}
Resampler::Resampler(Resampler&&) noexcept = default;
Resampler& Resampler::operator=(Resampler&&) noexcept = default;
Resampler::~Resampler() = default;

Expected<Resampler> Resampler::create(int in_rate, int out_rate) {
  if (in_rate <= 0 || out_rate <= 0 || in_rate > kMaxRate || out_rate > kMaxRate) {
    return make_error(Status::invalid_argument, "resampling " + std::to_string(in_rate) + " Hz to " +
                                                    std::to_string(out_rate) + " Hz: rates must be 1.." +
                                                    std::to_string(kMaxRate) + " Hz");
  }
  auto s = std::make_unique<State>();
  s->in_rate = in_rate;
  s->out_rate = out_rate;
  const int64_t g = std::gcd(int64_t(in_rate), int64_t(out_rate));
  s->up = out_rate / g;
  s->down = in_rate / g;
  s->kernel = design_kernel(in_rate, out_rate);
  const int64_t reach = int64_t(std::ceil(s->kernel.half_width));  // K
  s->history = reach - 1;
  s->taps = (size_t(2 * reach) + kLanes - 1) / kLanes * kLanes;

  s->exact = size_t(s->up) * s->taps <= kMaxTableFloats;
  // Interpolated rows: as many as the memory cap allows (wide kernels of big down-ratios need fewer).
  s->phases = s->exact ? s->up : std::max<int64_t>(2, std::min<int64_t>(kMaxPhases, int64_t(kMaxTableFloats / s->taps) - 1));
  const int64_t rows = s->exact ? s->phases : s->phases + 1;
  s->table.resize(size_t(rows) * s->taps);
  for (int64_t p = 0; p < rows; ++p) {
    const double frac = double(p) / double(s->phases);
    for (size_t j = 0; j < s->taps; ++j) {
      s->table[size_t(p) * s->taps + j] = float(s->kernel(frac + double(s->history) - double(j)));
    }
  }
  s->dot = pick_dot();
  s->restart();
  return Resampler(std::move(s));
}

int Resampler::in_rate() const { return state_->in_rate; }
int Resampler::out_rate() const { return state_->out_rate; }

void Resampler::process(const float* in, size_t n, std::vector<float>& out) {
  State& s = *state_;
  s.buffer.insert(s.buffer.end(), in, in + n);
  s.inputs += n;
  s.emit(out, UINT64_MAX);
}

void Resampler::flush(std::vector<float>& out) {
  State& s = *state_;
  // round(inputs * L / M) outputs in all: the same length as the one-shot path.
  const uint64_t total = (s.inputs * uint64_t(2 * s.up) + uint64_t(s.down)) / uint64_t(2 * s.down);
  s.buffer.insert(s.buffer.end(), s.taps + size_t(s.history) + 1, 0.0f);
  s.emit(out, total);
  s.restart();
}

void Resampler::reset() { state_->restart(); }

Expected<std::vector<float>> resample(const float* in, size_t n, int in_rate, int out_rate) {
  auto r = Resampler::create(in_rate, out_rate);
  if (!r) return r.error();
  if (in_rate == out_rate) return std::vector<float>(in, in + n);
  std::vector<float> out;
  out.reserve(size_t(double(n) * out_rate / in_rate) + 2);
  r->process(in, n, out);
  r->flush(out);
  return out;
}

}  // namespace melgenre
