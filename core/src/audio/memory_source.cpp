// A ByteSource over borrowed memory (the wasm path: the page hands over the file's bytes).
#include <algorithm>
#include <cstring>

#include "audio/source_error.hpp"
#include "melgenre/audio.hpp"

namespace melgenre {
namespace {

class MemorySource final : public ByteSource {
 public:
  MemorySource(const uint8_t* data, size_t size, std::string name)
      : data_(data), size_(data ? size : 0), name_(std::move(name)) {}

  Expected<size_t> read(uint8_t* dst, size_t n) override {
    const size_t count = size_t(std::min<uint64_t>(n, size_ - pos_));
    if (count > 0) std::memcpy(dst, data_ + pos_, count);
    pos_ += count;
    return count;
  }

  Expected<void> seek(uint64_t offset) override {
    if (offset > size_) return audio_detail::seek_past_end(*this, offset);
    pos_ = offset;
    return {};
  }

  uint64_t tell() const override { return pos_; }
  uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }

 private:
  const uint8_t* data_;
  uint64_t size_;
  uint64_t pos_ = 0;
  std::string name_;
};

}  // namespace

std::unique_ptr<ByteSource> make_memory_source(const uint8_t* data, size_t size, std::string name) {
  return std::make_unique<MemorySource>(data, size, std::move(name));
}

}  // namespace melgenre
