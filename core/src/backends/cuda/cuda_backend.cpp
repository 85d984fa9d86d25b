// The optional `cuda` backend (-DMELGENRE_CUDA=ON): cuDNN + cuBLAS on the first CUDA device.
// Without a device (or driver) the factory says so; `auto` uses it only for large jobs.
#include <memory>
#include <string>
#include <utility>

#include "backends/backend_factories.hpp"
#include "backends/cuda/cuda_network.hpp"
#include "backends/cuda/cuda_support.hpp"

namespace melgenre {
namespace {

// As for Vulkan: below this many segments the set-up and transfers cost more than the GPU saves.
constexpr long kCudaAutoMinSegments = 2000;

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(std::shared_ptr<cuda::Handles> h) : h_(std::move(h)) {}
  std::string name() const override { return "cuda"; }
  Expected<std::unique_ptr<CompiledNetwork>> compile(const Network& network, int max_batch) override {
    auto acts = infer_activations(network);
    if (!acts) return acts.error();
    auto checked = check_batch_memory(*acts, max_batch);
    if (!checked) return checked.error();
    return cuda::compile_network(h_, network, max_batch);
  }

 private:
  std::shared_ptr<cuda::Handles> h_;
};

Expected<void> device_present() {
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess || n == 0)
    return make_error(Status::backend_unavailable,
                      std::string("cuda: no CUDA device (") + (e != cudaSuccess ? cudaGetErrorString(e) : "0 devices") + ")");
  return {};
}

}  // namespace

bool cuda_worth_it(long work_hint) {
  static const bool present = device_present().ok();  // immutable once probed
  return work_hint >= kCudaAutoMinSegments && present;
}

Expected<std::unique_ptr<Backend>> make_cuda_backend(const BackendOptions&) {
  auto present = device_present();
  if (!present) return present.error();
  auto h = cuda::Handles::create();
  if (!h) return h.error();
  return std::unique_ptr<Backend>(new CudaBackend(std::move(*h)));
}

}  // namespace melgenre
