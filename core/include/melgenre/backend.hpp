// The one interface every inference backend implements (reference, simd, xnnpack, vulkan, cuda).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "melgenre/error.hpp"
#include "melgenre/model.hpp"

namespace melgenre {

struct BackendOptions {
  int threads = 1;  // worker threads the backend may use (its own pool, owned by the backend object)
};

// A network prepared by a backend for batches of up to max_batch items: weights packed, scratch
// allocated once. Not thread-safe: one caller at a time.
class CompiledNetwork {
 public:
  virtual ~CompiledNetwork() = default;
  virtual int max_batch() const = 0;
  // input: batch items of Network::input_shape() floats each, already normalised.
  // output: batch items of the last layer's output, as float (int8 outputs dequantised).
  virtual Expected<void> run(const float* input, int batch, float* output) = 0;
  virtual size_t output_size() const = 0;  // floats per item
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // Any sequence of layers (a one-layer network is how operators are tested).
  virtual Expected<std::unique_ptr<CompiledNetwork>> compile(const Network& network, int max_batch) = 0;
};

// name: "reference", "simd", "xnnpack", "vulkan", "cuda", or "auto" (the fastest CPU backend built in;
// a GPU only when a real device exists and `work_hint` segments are enough to pay off).
Expected<std::unique_ptr<Backend>> create_backend(const std::string& name, const BackendOptions& options,
                                                  long work_hint = 0);
// The backends compiled into this build (whether or not a device exists).
std::vector<std::string> built_backends();

}  // namespace melgenre
