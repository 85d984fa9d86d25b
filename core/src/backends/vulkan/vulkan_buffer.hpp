// A storage buffer with its own memory allocation (a network needs only a handful, so no sub-allocator).
#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <memory>

#include "backends/vulkan/vulkan_context.hpp"
#include "melgenre/error.hpp"

namespace melgenre::vk {

enum class BufferPlace {
  device,     // activations, weights: device-local memory (host-visible too where the device has it)
  host_io,    // network input/output: host-visible, coherent, cached when possible, persistently mapped
};

class Buffer {
 public:
  static Expected<std::unique_ptr<Buffer>> create(std::shared_ptr<Context> ctx, size_t bytes, BufferPlace place);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  VkBuffer handle() const { return buffer_; }
  size_t size() const { return size_; }
  void* mapped() const { return mapped_; }  // null when the memory is not host-visible

  // Copies bytes to the start of the buffer: directly when mapped, else through a staging buffer.
  Expected<void> upload(const void* data, size_t bytes);

 private:
  Buffer() = default;
  std::shared_ptr<Context> ctx_;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  size_t size_ = 0;
  void* mapped_ = nullptr;
};

}  // namespace melgenre::vk
