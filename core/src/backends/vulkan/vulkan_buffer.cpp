#include "backends/vulkan/vulkan_buffer.hpp"

#include <cstring>
#include <utility>

namespace melgenre::vk {

Expected<std::unique_ptr<Buffer>> Buffer::create(std::shared_ptr<Context> ctx, size_t bytes, BufferPlace place) {
  std::unique_ptr<Buffer> b(new Buffer());
  b->ctx_ = std::move(ctx);
  b->size_ = bytes == 0 ? 16 : bytes;  // Vulkan refuses empty buffers; a layer without params binds a stub
  VkDevice dev = b->ctx_->device();

  VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bci.size = b->size_;
  bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
  bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkResult r = vkCreateBuffer(dev, &bci, nullptr, &b->buffer_);
  if (r != VK_SUCCESS) return vulkan_error("vkCreateBuffer (" + std::to_string(b->size_) + " bytes)", r);

  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(dev, b->buffer_, &req);
  const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  auto type = place == BufferPlace::device
                  ? b->ctx_->memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, host)
                  : b->ctx_->memory_type(req.memoryTypeBits, host, VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
  if (!type && place == BufferPlace::device)
    type = b->ctx_->memory_type(req.memoryTypeBits, 0, 0);
  if (!type) return type.error();

  VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  mai.allocationSize = req.size;
  mai.memoryTypeIndex = *type;
  r = vkAllocateMemory(dev, &mai, nullptr, &b->memory_);
  if (r != VK_SUCCESS) return vulkan_error("vkAllocateMemory (" + std::to_string(req.size) + " bytes)", r);
  r = vkBindBufferMemory(dev, b->buffer_, b->memory_, 0);
  if (r != VK_SUCCESS) return vulkan_error("vkBindBufferMemory", r);
  if ((b->ctx_->memory_flags(*type) & host) == host) {
    r = vkMapMemory(dev, b->memory_, 0, VK_WHOLE_SIZE, 0, &b->mapped_);
    if (r != VK_SUCCESS) return vulkan_error("vkMapMemory", r);
  }
  return b;
}

Buffer::~Buffer() {
  VkDevice dev = ctx_->device();
  if (mapped_) vkUnmapMemory(dev, memory_);
  if (buffer_) vkDestroyBuffer(dev, buffer_, nullptr);
  if (memory_) vkFreeMemory(dev, memory_, nullptr);
}

Expected<void> Buffer::upload(const void* data, size_t bytes) {
  if (bytes > size_) return make_error(Status::internal, "vulkan: upload larger than its buffer");
  if (bytes == 0) return {};
  if (mapped_) {
    std::memcpy(mapped_, data, bytes);
    return {};
  }
  auto staging = Buffer::create(ctx_, bytes, BufferPlace::host_io);
  if (!staging) return staging.error();
  std::memcpy((*staging)->mapped_, data, bytes);

  VkDevice dev = ctx_->device();
  VkCommandBuffer cb = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkResult r = vkCreateFence(dev, &fci, nullptr, &fence);
  if (r != VK_SUCCESS) return vulkan_error("vkCreateFence", r);
  {
    std::lock_guard<std::mutex> lock(ctx_->pool_mutex());
    VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ai.commandPool = ctx_->command_pool();
    ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ai.commandBufferCount = 1;
    r = vkAllocateCommandBuffers(dev, &ai, &cb);
    if (r == VK_SUCCESS) {
      VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
      bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
      vkBeginCommandBuffer(cb, &bi);
      VkBufferCopy region{0, 0, bytes};
      vkCmdCopyBuffer(cb, (*staging)->buffer_, buffer_, 1, &region);
      r = vkEndCommandBuffer(cb);
    }
  }
  Expected<void> result;
  if (r != VK_SUCCESS) result = vulkan_error("recording an upload", r);
  else result = ctx_->submit_and_wait(cb, fence);
  {
    std::lock_guard<std::mutex> lock(ctx_->pool_mutex());
    if (cb) vkFreeCommandBuffers(dev, ctx_->command_pool(), 1, &cb);
  }
  vkDestroyFence(dev, fence, nullptr);
  return result;
}

}  // namespace melgenre::vk
