// The simd backend: the core's own kernels (int8 GEMM with per-ISA kernels chosen at run time, float
// kernels the compiler vectorises) on a small thread pool owned by the backend.
#include <memory>

#include "backends/backend_factories.hpp"
#include "backends/simd/int8_gemm.hpp"
#include "backends/simd/simd_backend.hpp"
#include "backends/simd/simd_network.hpp"
#include "backends/simd/thread_pool.hpp"

namespace melgenre {
namespace {

class SimdBackend final : public Backend {
 public:
  SimdBackend(int threads, simd::Int8Isa isa) : isa_(isa), pool_(std::make_shared<simd::ThreadPool>(threads)) {}

  std::string name() const override { return "simd"; }

  Expected<std::unique_ptr<CompiledNetwork>> compile(const Network& network, int max_batch) override {
    return simd::SimdNetwork::compile(network, max_batch, isa_, pool_);
  }

 private:
  simd::Int8Isa isa_;
  std::shared_ptr<simd::ThreadPool> pool_;  // shared by every network this backend compiles
};

}  // namespace

Expected<std::unique_ptr<Backend>> make_simd_backend(const BackendOptions& options) {
  if (options.threads < 1) return make_error(Status::invalid_argument, "simd backend: threads must be >= 1");
  return std::unique_ptr<Backend>(new SimdBackend(options.threads, simd::best_int8_isa()));
}

std::unique_ptr<Backend> simd::make_simd_backend_for_isa(int threads, Int8Isa isa) {
  return std::unique_ptr<Backend>(new SimdBackend(threads < 1 ? 1 : threads, isa));
}

}  // namespace melgenre
