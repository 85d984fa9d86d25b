#include "input_bytes.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace melgenre::cli {

Expected<std::vector<uint8_t>> read_whole_file(const std::string& path, uint64_t max_bytes) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return make_error(Status::io_error, path + ": cannot open: " + std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    if (bytes.size() + n > max_bytes) {
      std::fclose(f);
      return make_error(Status::resource_limit, path + ": larger than " + std::to_string(max_bytes >> 20) + " MiB");
    }
    bytes.insert(bytes.end(), buf, buf + n);
  }
  const bool failed = std::ferror(f);
  std::fclose(f);
  if (failed) return make_error(Status::io_error, path + ": read error");
  return bytes;
}

Expected<std::vector<uint8_t>> read_stdin(uint64_t max_bytes) {
  std::vector<uint8_t> bytes;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
    if (bytes.size() + n > max_bytes)
      return make_error(Status::resource_limit, "-: standard input is larger than " + std::to_string(max_bytes >> 20) + " MiB");
    bytes.insert(bytes.end(), buf, buf + n);
  }
  if (std::ferror(stdin)) return make_error(Status::io_error, "-: read error on standard input");
  return bytes;
}

Expected<Audio> decode_input(const std::string& path, const DecodeOptions& options) {
  if (path != "-") return decode_file(path, options);
  auto bytes = read_stdin(kMaxStdinBytes);
  if (!bytes) return bytes.error();
  return decode_memory(bytes->data(), bytes->size(), options);
}

}  // namespace melgenre::cli
