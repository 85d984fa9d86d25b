// The `vulkan` backend: float32 (and exact int8) compute shaders on the best Vulkan device.
// An explicit `--backend vulkan` accepts a software device (Mesa's lavapipe: for correctness tests, not
// speed); `auto` chooses Vulkan only for a real GPU and a large enough job (vulkan_worth_it).
#include "backends/vulkan/vulkan_backend.hpp"

#include <memory>
#include <string>
#include <utility>

#include "backends/backend_factories.hpp"
#include "backends/vulkan/vulkan_context.hpp"
#include "backends/vulkan/vulkan_kernels.hpp"
#include "backends/vulkan/vulkan_network.hpp"

namespace melgenre {
namespace {

class VulkanBackend final : public Backend {
 public:
  VulkanBackend(std::shared_ptr<vk::Context> ctx, std::shared_ptr<vk::Kernels> kernels)
      : ctx_(std::move(ctx)), kernels_(std::move(kernels)) {}

  std::string name() const override { return "vulkan"; }

  Expected<std::unique_ptr<CompiledNetwork>> compile(const Network& network, int max_batch) override {
    auto acts = infer_activations(network);
    if (!acts) return acts.error();
    auto checked = check_batch_memory(*acts, max_batch);
    if (!checked) return checked.error();
    return vk::compile_network(ctx_, kernels_, network, max_batch);
  }

 private:
  std::shared_ptr<vk::Context> ctx_;
  std::shared_ptr<vk::Kernels> kernels_;
};

bool probe_gpu() {
  auto devices = vk::list_devices();
  if (!devices) return false;
  for (const auto& d : *devices)
    if (!d.is_cpu() && d.has_compute_queue) return true;
  return false;
}

}  // namespace

bool vulkan_gpu_present() {
  static const bool present = probe_gpu();  // immutable once computed: the devices do not change
  return present;
}

bool vulkan_worth_it(long work_hint) {
  return work_hint >= kVulkanAutoMinSegments && vulkan_gpu_present();
}

Expected<std::unique_ptr<Backend>> make_vulkan_backend(const BackendOptions&) {
  auto ctx = vk::Context::create(/*allow_cpu_device=*/true);
  if (!ctx) return ctx.error();
  auto kernels = vk::Kernels::create(*ctx);
  if (!kernels) return kernels.error();
  return std::unique_ptr<Backend>(new VulkanBackend(std::move(*ctx), std::move(*kernels)));
}

}  // namespace melgenre
