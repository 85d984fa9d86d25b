// The compute pipelines of the embedded shaders. Every shader uses the same interface (three storage
// buffers: input, output, params; up to 128 bytes of push constants), so one descriptor-set layout and
// one pipeline layout serve all; pipelines are built on first use and cached for the backend's lifetime.
#pragma once

#include <vulkan/vulkan.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "backends/vulkan/vulkan_context.hpp"
#include "melgenre/error.hpp"

namespace melgenre::vk {

constexpr uint32_t kPushConstantBytes = 128;  // the minimum every Vulkan device guarantees
constexpr uint32_t kWorkGroupSize = 64;       // local_size_x in shaders/common.glsl

class Kernels {
 public:
  static Expected<std::shared_ptr<Kernels>> create(std::shared_ptr<Context> ctx);
  ~Kernels();
  Kernels(const Kernels&) = delete;
  Kernels& operator=(const Kernels&) = delete;

  VkDescriptorSetLayout set_layout() const { return set_layout_; }
  VkPipelineLayout pipeline_layout() const { return pipeline_layout_; }
  // name: a shader's base name (shaders/<name>.comp).
  Expected<VkPipeline> pipeline(const std::string& name);

 private:
  Kernels() = default;
  std::shared_ptr<Context> ctx_;
  VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
  VkPipelineLayout pipeline_layout_ = VK_NULL_HANDLE;
  std::mutex mutex_;
  std::map<std::string, VkPipeline> pipelines_;
};

}  // namespace melgenre::vk
