// A ByteSource over a file: the only code in the core that touches the disk.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "audio/source_error.hpp"
#include "melgenre/audio.hpp"

namespace melgenre {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

class FileSource final : public ByteSource {
 public:
  FileSource(FilePtr file, uint64_t size, std::string name) : file_(std::move(file)), size_(size), name_(std::move(name)) {}

  Expected<size_t> read(uint8_t* dst, size_t n) override {
    const size_t got = std::fread(dst, 1, n, file_.get());
    if (got < n && std::ferror(file_.get())) {
      return make_error(Status::io_error, name_ + ": read failed: " + std::strerror(errno));
    }
    pos_ += got;
    return got;
  }

  Expected<void> seek(uint64_t offset) override {
    if (offset > size_) return audio_detail::seek_past_end(*this, offset);
    if (fseeko(file_.get(), off_t(offset), SEEK_SET) != 0) {
      return make_error(Status::io_error, name_ + ": seek failed: " + std::strerror(errno));
    }
    pos_ = offset;
    return {};
  }

  uint64_t tell() const override { return pos_; }
  uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }

 private:
  FilePtr file_;
  uint64_t size_;
  uint64_t pos_ = 0;
  std::string name_;
};

}  // namespace

Expected<std::unique_ptr<ByteSource>> open_file_source(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return make_error(Status::io_error, path + ": cannot open: " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return make_error(Status::io_error, path + ": is a directory, not an audio file");
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) return make_error(Status::io_error, path + ": cannot open: " + std::strerror(errno));
  uint64_t size = 0;
  if (S_ISREG(st.st_mode)) {
    size = uint64_t(st.st_size);
  } else {
    return make_error(Status::io_error, path + ": not a regular file");
  }
  std::unique_ptr<ByteSource> source = std::make_unique<FileSource>(std::move(file), size, path);
  return source;
}

}  // namespace melgenre
