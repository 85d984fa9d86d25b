#include "backends/vulkan/vulkan_context.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

#if defined(__SANITIZE_ADDRESS__)
#define MELGENRE_WITH_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MELGENRE_WITH_LSAN 1
#endif
#endif
#ifdef MELGENRE_WITH_LSAN
#include <sanitizer/lsan_interface.h>
#endif

namespace melgenre::vk {

const char* result_name(VkResult result) {
  switch (result) {
    case VK_SUCCESS: return "VK_SUCCESS";
    case VK_TIMEOUT: return "VK_TIMEOUT";
    case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_MEMORY_MAP_FAILED: return "VK_ERROR_MEMORY_MAP_FAILED";
    case VK_ERROR_LAYER_NOT_PRESENT: return "VK_ERROR_LAYER_NOT_PRESENT";
    case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
    case VK_ERROR_TOO_MANY_OBJECTS: return "VK_ERROR_TOO_MANY_OBJECTS";
    case VK_ERROR_OUT_OF_POOL_MEMORY: return "VK_ERROR_OUT_OF_POOL_MEMORY";
    default: return "VkResult error";
  }
}

Error vulkan_error(const std::string& what, VkResult result) {
  Status status = result == VK_ERROR_OUT_OF_DEVICE_MEMORY || result == VK_ERROR_OUT_OF_HOST_MEMORY
                      ? Status::resource_limit
                      : Status::backend_unavailable;
  return make_error(status, "vulkan: " + what + " failed (" + result_name(result) + " = " +
                                std::to_string(int(result)) + ")");
}

namespace {

// Owns an instance until it is handed over to a Context (or destroyed on an early error return).
struct InstanceHolder {
  VkInstance instance = VK_NULL_HANDLE;
  ~InstanceHolder() {
    if (instance) vkDestroyInstance(instance, nullptr);
  }
  VkInstance release() {
    VkInstance i = instance;
    instance = VK_NULL_HANDLE;
    return i;
  }
};

Expected<VkInstance> create_instance() {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "melgenre";
  app.apiVersion = VK_API_VERSION_1_0;
  VkInstanceCreateInfo ci{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  ci.pApplicationInfo = &app;
  VkInstance instance = VK_NULL_HANDLE;
  VkResult r = vkCreateInstance(&ci, nullptr, &instance);
  if (r == VK_ERROR_INCOMPATIBLE_DRIVER)
    return make_error(Status::backend_unavailable,
                      "vulkan: no Vulkan driver found (install a GPU driver, or mesa-vulkan-drivers for the "
                      "software device lavapipe)");
  if (r != VK_SUCCESS) return vulkan_error("vkCreateInstance", r);
  return instance;
}

// Mesa's Vulkan drivers (22.3) leak 128 bytes per instance while enumerating devices, in a driver the
// loader unloads before exit (so LeakSanitizer cannot even name it): keep it out of our sanitizer runs.
struct [[maybe_unused]] DriverLeakScope {
#ifdef MELGENRE_WITH_LSAN
  DriverLeakScope() { __lsan_disable(); }
  ~DriverLeakScope() { __lsan_enable(); }
#endif
};

std::vector<VkPhysicalDevice> physical_devices(VkInstance instance) {
  [[maybe_unused]] DriverLeakScope not_ours;  // empty unless built with LeakSanitizer
  uint32_t n = 0;
  if (vkEnumeratePhysicalDevices(instance, &n, nullptr) != VK_SUCCESS) return {};
  std::vector<VkPhysicalDevice> devices(n);
  if (vkEnumeratePhysicalDevices(instance, &n, devices.data()) != VK_SUCCESS) return {};
  devices.resize(n);
  return devices;
}

int compute_queue_family(VkPhysicalDevice device) {
  uint32_t n = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(device, &n, nullptr);
  std::vector<VkQueueFamilyProperties> families(n);
  vkGetPhysicalDeviceQueueFamilyProperties(device, &n, families.data());
  for (uint32_t i = 0; i < n; ++i)
    if ((families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) && families[i].queueCount > 0) return int(i);
  return -1;
}

DeviceInfo describe(VkPhysicalDevice device) {
  VkPhysicalDeviceProperties p;
  vkGetPhysicalDeviceProperties(device, &p);
  DeviceInfo info;
  info.name = p.deviceName;
  info.type = p.deviceType;
  info.has_compute_queue = compute_queue_family(device) >= 0;
  return info;
}

// Lower is better; -1 = not usable.
int preference(const DeviceInfo& info, bool allow_cpu) {
  if (!info.has_compute_queue) return -1;
  switch (info.type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return allow_cpu ? 4 : -1;
    default: return 3;
  }
}

}  // namespace

Expected<std::vector<DeviceInfo>> list_devices() {
  auto instance = create_instance();
  if (!instance) return instance.error();
  InstanceHolder holder{*instance};
  std::vector<DeviceInfo> out;
  for (VkPhysicalDevice d : physical_devices(holder.instance)) out.push_back(describe(d));
  return out;
}

Expected<std::shared_ptr<Context>> Context::create(bool allow_cpu_device) {
  auto instance = create_instance();
  if (!instance) return instance.error();
  InstanceHolder holder{*instance};

  // MELGENRE_VULKAN_DEVICE=<part of a device name> restricts the choice (several GPUs, or tests).
  const char* wanted_env = std::getenv("MELGENRE_VULKAN_DEVICE");
  const std::string wanted = wanted_env ? wanted_env : "";
  VkPhysicalDevice best = VK_NULL_HANDLE;
  int best_rank = -1;
  std::string seen;
  for (VkPhysicalDevice d : physical_devices(holder.instance)) {
    DeviceInfo info = describe(d);
    seen += (seen.empty() ? "" : ", ") + info.name + (info.is_cpu() ? " (CPU)" : "");
    if (!wanted.empty() && info.name.find(wanted) == std::string::npos) continue;
    int rank = preference(info, allow_cpu_device);
    if (rank >= 0 && (best_rank < 0 || rank < best_rank)) {
      best = d;
      best_rank = rank;
    }
  }
  if (!best) {
    std::string msg = seen.empty() ? "vulkan: no Vulkan device found"
                                   : "vulkan: no usable Vulkan device (found: " + seen + ")";
    if (!wanted.empty()) msg += "; MELGENRE_VULKAN_DEVICE=" + wanted + " matches none of them";
    msg += allow_cpu_device ? "; install a GPU driver, or mesa-vulkan-drivers for the software device lavapipe"
                            : "; software devices are used only with an explicit --backend vulkan";
    return make_error(Status::backend_unavailable, msg);
  }

  std::shared_ptr<Context> ctx(new Context());
  ctx->instance_ = holder.release();
  ctx->physical_ = best;
  ctx->info_ = describe(best);
  ctx->queue_family_ = uint32_t(compute_queue_family(best));
  vkGetPhysicalDeviceProperties(best, &ctx->properties_);
  vkGetPhysicalDeviceMemoryProperties(best, &ctx->memory_);

  float priority = 1.f;
  VkDeviceQueueCreateInfo qci{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  qci.queueFamilyIndex = ctx->queue_family_;
  qci.queueCount = 1;
  qci.pQueuePriorities = &priority;
  VkDeviceCreateInfo dci{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  dci.queueCreateInfoCount = 1;
  dci.pQueueCreateInfos = &qci;
  VkResult r = vkCreateDevice(best, &dci, nullptr, &ctx->device_);
  if (r != VK_SUCCESS) return vulkan_error("vkCreateDevice on " + ctx->info_.name, r);
  vkGetDeviceQueue(ctx->device_, ctx->queue_family_, 0, &ctx->queue_);

  VkCommandPoolCreateInfo pci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pci.queueFamilyIndex = ctx->queue_family_;
  r = vkCreateCommandPool(ctx->device_, &pci, nullptr, &ctx->pool_);
  if (r != VK_SUCCESS) return vulkan_error("vkCreateCommandPool", r);
  return ctx;
}

Context::~Context() {
  if (device_) {
    vkDeviceWaitIdle(device_);
    if (pool_) vkDestroyCommandPool(device_, pool_, nullptr);
    vkDestroyDevice(device_, nullptr);
  }
  if (instance_) vkDestroyInstance(instance_, nullptr);
}

Expected<uint32_t> Context::memory_type(uint32_t type_bits, VkMemoryPropertyFlags required,
                                        VkMemoryPropertyFlags preferred) const {
  int fallback = -1;
  for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i) {
    if (!(type_bits & (1u << i))) continue;
    VkMemoryPropertyFlags f = memory_.memoryTypes[i].propertyFlags;
    if ((f & required) != required) continue;
    if ((f & preferred) == preferred) return i;
    if (fallback < 0) fallback = int(i);
  }
  if (fallback < 0)
    return make_error(Status::backend_unavailable, "vulkan: " + info_.name + " has no suitable memory type");
  return uint32_t(fallback);
}

VkMemoryPropertyFlags Context::memory_flags(uint32_t type_index) const {
  return memory_.memoryTypes[type_index].propertyFlags;
}

Expected<void> Context::submit_and_wait(VkCommandBuffer commands, VkFence fence) {
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &commands;
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    VkResult r = vkQueueSubmit(queue_, 1, &si, fence);
    if (r != VK_SUCCESS) return vulkan_error("vkQueueSubmit", r);
  }
  // A bound so that a hung device turns into an error instead of a hang; generous because a software
  // device may take minutes for a batch of thousands of segments (a lost device reports at once).
  const uint64_t timeout_ns = 3600ull * 1000 * 1000 * 1000;
  VkResult r = vkWaitForFences(device_, 1, &fence, VK_TRUE, timeout_ns);
  if (r != VK_SUCCESS) return vulkan_error("waiting for the GPU (vkWaitForFences)", r);
  r = vkResetFences(device_, 1, &fence);
  if (r != VK_SUCCESS) return vulkan_error("vkResetFences", r);
  return {};
}

}  // namespace melgenre::vk
