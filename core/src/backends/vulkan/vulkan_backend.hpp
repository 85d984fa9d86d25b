// The Vulkan compute backend's entry points beyond the registry's factory (backend_factories.hpp).
#pragma once

namespace melgenre {

// `--backend auto` hands work to the GPU only from this many segments on (a library scan, not one
// track): below it the fixed costs (device set-up, pipeline compilation, transfers) outweigh the gain.
constexpr long kVulkanAutoMinSegments = 2000;

// Whether a real (non-CPU) Vulkan device exists; Mesa's lavapipe does not count. Probed once per process.
bool vulkan_gpu_present();

}  // namespace melgenre
