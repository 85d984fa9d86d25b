#include "backends/vulkan/vulkan_kernels.hpp"

#include <utility>

#include "backends/vulkan/vulkan_spirv.hpp"

namespace melgenre::vk {

Expected<std::shared_ptr<Kernels>> Kernels::create(std::shared_ptr<Context> ctx) {
  std::shared_ptr<Kernels> k(new Kernels());
  k->ctx_ = std::move(ctx);
  VkDevice dev = k->ctx_->device();

  VkDescriptorSetLayoutBinding bindings[3]{};
  for (uint32_t i = 0; i < 3; ++i) {
    bindings[i].binding = i;
    bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    bindings[i].descriptorCount = 1;
    bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
  }
  VkDescriptorSetLayoutCreateInfo lci{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  lci.bindingCount = 3;
  lci.pBindings = bindings;
  VkResult r = vkCreateDescriptorSetLayout(dev, &lci, nullptr, &k->set_layout_);
  if (r != VK_SUCCESS) return vulkan_error("vkCreateDescriptorSetLayout", r);

  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, kPushConstantBytes};
  VkPipelineLayoutCreateInfo pci{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  pci.setLayoutCount = 1;
  pci.pSetLayouts = &k->set_layout_;
  pci.pushConstantRangeCount = 1;
  pci.pPushConstantRanges = &range;
  r = vkCreatePipelineLayout(dev, &pci, nullptr, &k->pipeline_layout_);
  if (r != VK_SUCCESS) return vulkan_error("vkCreatePipelineLayout", r);
  return k;
}

Kernels::~Kernels() {
  VkDevice dev = ctx_->device();
  for (auto& entry : pipelines_) vkDestroyPipeline(dev, entry.second, nullptr);
  if (pipeline_layout_) vkDestroyPipelineLayout(dev, pipeline_layout_, nullptr);
  if (set_layout_) vkDestroyDescriptorSetLayout(dev, set_layout_, nullptr);
}

Expected<VkPipeline> Kernels::pipeline(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = pipelines_.find(name);
  if (found != pipelines_.end()) return found->second;

  SpirvModule spirv = find_spirv(name.c_str());
  if (!spirv.words) return make_error(Status::internal, "vulkan: shader '" + name + "' is not embedded");
  VkDevice dev = ctx_->device();
  VkShaderModuleCreateInfo mci{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  mci.codeSize = spirv.count * sizeof(uint32_t);
  mci.pCode = spirv.words;
  VkShaderModule module = VK_NULL_HANDLE;
  VkResult r = vkCreateShaderModule(dev, &mci, nullptr, &module);
  if (r != VK_SUCCESS) return vulkan_error("vkCreateShaderModule(" + name + ")", r);

  VkComputePipelineCreateInfo cci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  cci.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  cci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  cci.stage.module = module;
  cci.stage.pName = "main";
  cci.layout = pipeline_layout_;
  VkPipeline pipeline = VK_NULL_HANDLE;
  r = vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cci, nullptr, &pipeline);
  vkDestroyShaderModule(dev, module, nullptr);
  if (r != VK_SUCCESS) return vulkan_error("vkCreateComputePipelines(" + name + ")", r);
  pipelines_[name] = pipeline;
  return pipeline;
}

}  // namespace melgenre::vk
