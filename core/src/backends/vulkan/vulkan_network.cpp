#include "backends/vulkan/vulkan_network.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "backends/vulkan/vulkan_buffer.hpp"
#include "backends/vulkan/vulkan_plan.hpp"

namespace melgenre::vk {
namespace {

enum class Slot { input, output, ping, pong };

struct Dispatch {
  Step step;
  VkPipeline pipeline = VK_NULL_HANDLE;
  VkDescriptorSet set = VK_NULL_HANDLE;
  Slot src = Slot::input, dst = Slot::output;
};

// Upper bound on one activation buffer: the device's storage-buffer range, and 256 MiB so a large
// max_batch cannot claim all of a GPU's (or, with lavapipe, the host's) memory.
size_t buffer_limit(const Context& ctx) {
  return std::min<size_t>(ctx.properties().limits.maxStorageBufferRange, size_t(256) << 20);
}

class VulkanNetwork final : public CompiledNetwork {
 public:
  VulkanNetwork(std::shared_ptr<Context> ctx, std::shared_ptr<Kernels> kernels)
      : ctx_(std::move(ctx)), kernels_(std::move(kernels)) {}

  ~VulkanNetwork() override {
    VkDevice dev = ctx_->device();
    if (fence_) vkDestroyFence(dev, fence_, nullptr);
    if (pool_) vkDestroyCommandPool(dev, pool_, nullptr);  // frees its command buffer
    if (descriptors_) vkDestroyDescriptorPool(dev, descriptors_, nullptr);
  }

  Expected<void> init(const Network& network, int requested_batch);

  int max_batch() const override { return max_batch_; }
  size_t output_size() const override { return plan_.output_per_item; }

  Expected<void> run(const float* input, int batch, float* output) override {
    if (batch < 1 || batch > max_batch_)
      return make_error(Status::invalid_argument, "batch of " + std::to_string(batch) +
                                                      " items, this network was compiled for 1.." +
                                                      std::to_string(max_batch_));
    if (!input || !output) return make_error(Status::invalid_argument, "vulkan: null input or output");
    std::memcpy(input_->mapped(), input, plan_.input_per_item * size_t(batch) * sizeof(float));
    if (batch != recorded_batch_) {
      auto recorded = record(batch);
      if (!recorded) return recorded;
    }
    auto done = ctx_->submit_and_wait(commands_, fence_);
    if (!done) return done;
    std::memcpy(output, output_->mapped(), plan_.output_per_item * size_t(batch) * sizeof(float));
    return {};
  }

 private:
  VkBuffer buffer(Slot s) const {
    switch (s) {
      case Slot::input: return input_->handle();
      case Slot::output: return output_->handle();
      case Slot::ping: return ping_->handle();
      case Slot::pong: return pong_->handle();
    }
    return VK_NULL_HANDLE;
  }

  Expected<void> record(int batch);

  std::shared_ptr<Context> ctx_;
  std::shared_ptr<Kernels> kernels_;
  Plan plan_;
  int max_batch_ = 1;
  std::unique_ptr<Buffer> input_, output_, ping_, pong_, params_;
  std::vector<Dispatch> dispatches_;
  VkDescriptorPool descriptors_ = VK_NULL_HANDLE;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkCommandBuffer commands_ = VK_NULL_HANDLE;
  VkFence fence_ = VK_NULL_HANDLE;
  int recorded_batch_ = 0;  // batch size the command buffer holds (0 = none yet)
};

Expected<void> VulkanNetwork::init(const Network& network, int requested_batch) {
  auto plan = plan_network(network);
  if (!plan) return plan.error();
  plan_ = std::move(*plan);

  const size_t item_bytes = plan_.largest_per_item * sizeof(float);
  const size_t limit = buffer_limit(*ctx_);
  if (item_bytes > limit)
    return make_error(Status::resource_limit, "vulkan: one item needs " + std::to_string(item_bytes >> 20) +
                                                  " MiB of activations, more than the device allows in a buffer");
  max_batch_ = int(std::min<size_t>(size_t(requested_batch), limit / item_bytes));

  // Route the steps through the buffers: the first reads the input, the last writes the output, the
  // rest alternate between ping and pong. A flatten only relabels its input, unless it is the last step.
  Slot cur = Slot::input;
  for (size_t i = 0; i < plan_.steps.size(); ++i) {
    const Step& s = plan_.steps[i];
    const bool last = i + 1 == plan_.steps.size();
    if (s.layout_only && !last) continue;
    Dispatch d;
    d.step = s;
    d.src = cur;
    d.dst = last ? Slot::output : cur == Slot::ping ? Slot::pong : Slot::ping;
    auto pipeline = kernels_->pipeline(s.shader);
    if (!pipeline) return pipeline.error();
    d.pipeline = *pipeline;
    dispatches_.push_back(d);
    cur = d.dst;
  }

  const size_t batch = size_t(max_batch_);
  auto make = [&](size_t floats, BufferPlace place, std::unique_ptr<Buffer>& into) -> Expected<void> {
    auto b = Buffer::create(ctx_, floats * sizeof(float), place);
    if (!b) return b.error();
    into = std::move(*b);
    return {};
  };
  for (auto r : {make(plan_.input_per_item * batch, BufferPlace::host_io, input_),
                 make(plan_.output_per_item * batch, BufferPlace::host_io, output_),
                 make(plan_.largest_per_item * batch, BufferPlace::device, ping_),
                 make(plan_.largest_per_item * batch, BufferPlace::device, pong_),
                 make(plan_.params.size(), BufferPlace::device, params_)})
    if (!r) return r;
  auto uploaded = params_->upload(plan_.params.data(), plan_.params.size() * sizeof(uint32_t));
  if (!uploaded) return uploaded;

  VkDevice dev = ctx_->device();
  const uint32_t n_sets = uint32_t(dispatches_.size());
  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 3 * n_sets};
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpi.maxSets = n_sets;
  dpi.poolSizeCount = 1;
  dpi.pPoolSizes = &size;
  VkResult r = vkCreateDescriptorPool(dev, &dpi, nullptr, &descriptors_);
  if (r != VK_SUCCESS) return vulkan_error("vkCreateDescriptorPool", r);
  for (Dispatch& d : dispatches_) {
    VkDescriptorSetLayout layout = kernels_->set_layout();
    VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    ai.descriptorPool = descriptors_;
    ai.descriptorSetCount = 1;
    ai.pSetLayouts = &layout;
    r = vkAllocateDescriptorSets(dev, &ai, &d.set);
    if (r != VK_SUCCESS) return vulkan_error("vkAllocateDescriptorSets", r);
    VkDescriptorBufferInfo infos[3] = {{buffer(d.src), 0, VK_WHOLE_SIZE},
                                       {buffer(d.dst), 0, VK_WHOLE_SIZE},
                                       {params_->handle(), 0, VK_WHOLE_SIZE}};
    VkWriteDescriptorSet writes[3]{};
    for (uint32_t b = 0; b < 3; ++b) {
      writes[b].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
      writes[b].dstSet = d.set;
      writes[b].dstBinding = b;
      writes[b].descriptorCount = 1;
      writes[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      writes[b].pBufferInfo = &infos[b];
    }
    vkUpdateDescriptorSets(dev, 3, writes, 0, nullptr);
  }

  VkCommandPoolCreateInfo pci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pci.queueFamilyIndex = ctx_->queue_family();
  r = vkCreateCommandPool(dev, &pci, nullptr, &pool_);
  if (r != VK_SUCCESS) return vulkan_error("vkCreateCommandPool", r);
  VkCommandBufferAllocateInfo cai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cai.commandPool = pool_;
  cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cai.commandBufferCount = 1;
  r = vkAllocateCommandBuffers(dev, &cai, &commands_);
  if (r != VK_SUCCESS) return vulkan_error("vkAllocateCommandBuffers", r);
  VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  r = vkCreateFence(dev, &fci, nullptr, &fence_);
  if (r != VK_SUCCESS) return vulkan_error("vkCreateFence", r);
  return {};
}

Expected<void> VulkanNetwork::record(int batch) {
  recorded_batch_ = 0;
  VkResult r = vkResetCommandBuffer(commands_, 0);
  if (r != VK_SUCCESS) return vulkan_error("vkResetCommandBuffer", r);
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  r = vkBeginCommandBuffer(commands_, &bi);
  if (r != VK_SUCCESS) return vulkan_error("vkBeginCommandBuffer", r);

  const auto& limits = ctx_->properties().limits;
  const uint32_t max_x = limits.maxComputeWorkGroupCount[0];
  for (const Dispatch& d : dispatches_) {
    Step step = d.step;
    const size_t total = step.invocations_per_item * size_t(batch);
    step.push[0] = uint32_t(total);
    const size_t groups = (total + kWorkGroupSize - 1) / kWorkGroupSize;
    const uint32_t gx = uint32_t(std::min<size_t>(groups, max_x));
    const uint32_t gz = uint32_t((groups + gx - 1) / gx);
    const uint32_t gy = step.channel_blocks;
    if (gz > limits.maxComputeWorkGroupCount[2] || gy > limits.maxComputeWorkGroupCount[1])
      return make_error(Status::resource_limit, "vulkan: " + step.layer + " needs more work groups than the device has");
    vkCmdBindPipeline(commands_, VK_PIPELINE_BIND_POINT_COMPUTE, d.pipeline);
    vkCmdBindDescriptorSets(commands_, VK_PIPELINE_BIND_POINT_COMPUTE, kernels_->pipeline_layout(), 0, 1, &d.set, 0,
                            nullptr);
    vkCmdPushConstants(commands_, kernels_->pipeline_layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0,
                       step.push_words * sizeof(uint32_t), step.push.data());
    vkCmdDispatch(commands_, gx, gy, gz);
    // Each dispatch reads what the previous one wrote; the last one's result is read by the host.
    const bool last = &d == &dispatches_.back();
    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
    barrier.dstAccessMask = last ? VK_ACCESS_HOST_READ_BIT : VK_ACCESS_SHADER_READ_BIT;
    vkCmdPipelineBarrier(commands_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         last ? VK_PIPELINE_STAGE_HOST_BIT : VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &barrier, 0,
                         nullptr, 0, nullptr);
  }
  r = vkEndCommandBuffer(commands_);
  if (r != VK_SUCCESS) return vulkan_error("vkEndCommandBuffer", r);
  recorded_batch_ = batch;
  return {};
}

}  // namespace

Expected<std::unique_ptr<CompiledNetwork>> compile_network(std::shared_ptr<Context> ctx,
                                                           std::shared_ptr<Kernels> kernels,
                                                           const Network& network, int max_batch) {
  std::unique_ptr<VulkanNetwork> net(new VulkanNetwork(std::move(ctx), std::move(kernels)));
  auto ok = net->init(network, max_batch);
  if (!ok) return ok.error();
  return std::unique_ptr<CompiledNetwork>(std::move(net));
}

}  // namespace melgenre::vk
