// One Vulkan instance + logical device + compute queue, shared (shared_ptr) by a backend and the
// networks it compiles so that the device outlives every buffer and pipeline made on it.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "melgenre/error.hpp"

namespace melgenre::vk {

// Text of a VkResult for messages ("VK_ERROR_OUT_OF_DEVICE_MEMORY").
const char* result_name(VkResult result);
Error vulkan_error(const std::string& what, VkResult result);

struct DeviceInfo {
  std::string name;
  VkPhysicalDeviceType type = VK_PHYSICAL_DEVICE_TYPE_OTHER;
  bool has_compute_queue = false;
  bool is_cpu() const { return type == VK_PHYSICAL_DEVICE_TYPE_CPU; }
};

// The devices the Vulkan loader sees (an error when there is no driver at all).
Expected<std::vector<DeviceInfo>> list_devices();

class Context {
 public:
  // Picks a discrete GPU, else an integrated one, else a virtual/other one; a CPU device (Mesa's
  // lavapipe) only when allow_cpu_device is true (an explicit `--backend vulkan`).
  static Expected<std::shared_ptr<Context>> create(bool allow_cpu_device);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  VkDevice device() const { return device_; }
  const VkPhysicalDeviceProperties& properties() const { return properties_; }
  const DeviceInfo& info() const { return info_; }

  // A memory type allowed by type_bits with all `required` flags, preferring one that also has `preferred`.
  Expected<uint32_t> memory_type(uint32_t type_bits, VkMemoryPropertyFlags required,
                                 VkMemoryPropertyFlags preferred) const;
  VkMemoryPropertyFlags memory_flags(uint32_t type_index) const;

  // Submits one command buffer and waits for it (the queue is shared: submissions are serialised).
  Expected<void> submit_and_wait(VkCommandBuffer commands, VkFence fence);
  uint32_t queue_family() const { return queue_family_; }
  VkCommandPool command_pool() const { return pool_; }
  // Command pools are externally synchronised: hold this while allocating/freeing/recording from it.
  std::mutex& pool_mutex() { return pool_mutex_; }

 private:
  Context() = default;
  VkInstance instance_ = VK_NULL_HANDLE;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queue_family_ = 0;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkPhysicalDeviceProperties properties_{};
  VkPhysicalDeviceMemoryProperties memory_{};
  DeviceInfo info_;
  std::mutex queue_mutex_, pool_mutex_;
};

}  // namespace melgenre::vk
