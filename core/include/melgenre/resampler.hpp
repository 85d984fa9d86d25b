// Band-limited sample-rate conversion (windowed sinc), the one resampler of both targets.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "melgenre/error.hpp"

namespace melgenre {

class Resampler {
 public:
  static Expected<Resampler> create(int in_rate, int out_rate);
  Resampler(Resampler&&) noexcept;
  Resampler& operator=(Resampler&&) noexcept;
  ~Resampler();

  int in_rate() const;
  int out_rate() const;
  // Streaming: feed any number of samples, output is appended to `out`. flush() emits the tail.
  void process(const float* in, size_t n, std::vector<float>& out);
  void flush(std::vector<float>& out);
  void reset();

 private:
  struct State;
  explicit Resampler(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// One-shot: output length is round(n * out_rate / in_rate), aligned with the input (no delay).
Expected<std::vector<float>> resample(const float* in, size_t n, int in_rate, int out_rate);

}  // namespace melgenre
