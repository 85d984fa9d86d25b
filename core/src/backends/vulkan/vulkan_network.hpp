// A network compiled for the Vulkan backend: parameters uploaded once, activations ping-ponging between
// two device buffers sized for max_batch items, one descriptor set per dispatch, and one command buffer
// that records the whole network (re-recorded only when the batch size changes).
#pragma once

#include <memory>

#include "backends/vulkan/vulkan_kernels.hpp"
#include "melgenre/backend.hpp"

namespace melgenre::vk {

// max_batch may be lowered so that no activation buffer exceeds the device's storage-buffer range;
// callers read CompiledNetwork::max_batch().
Expected<std::unique_ptr<CompiledNetwork>> compile_network(std::shared_ptr<Context> ctx,
                                                           std::shared_ptr<Kernels> kernels,
                                                           const Network& network, int max_batch);

}  // namespace melgenre::vk
