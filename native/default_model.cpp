#include "default_model.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace melgenre::cli {
namespace {

constexpr uint64_t kMaxModelBytes = 256ull << 20;

std::string exe_dir() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  return p.parent_path().string();
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

}  // namespace

Expected<std::string> resolve_model_path(const std::optional<std::string>& flag) {
  if (flag) return *flag;
  if (const char* env = std::getenv("MELGENRE_MODEL"); env && *env) return std::string(env);
  const std::string dir = exe_dir();
  if (!dir.empty()) {
    for (const char* rel : {"models/default.mgm", "../../models/default.mgm"}) {
      fs::path p = fs::path(dir) / rel;
      if (is_file(p)) return p.lexically_normal().string();
    }
  }
  return make_error(Status::invalid_argument,
                    "no model: pass --model FILE (or set MELGENRE_MODEL; no models/default.mgm next to the binary)");
}

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

Expected<std::vector<uint8_t>> load_model_bytes(const std::optional<std::string>& flag) {
  auto path = resolve_model_path(flag);
  if (!path) return path.error();
  auto bytes = read_whole_file(*path, kMaxModelBytes);
  if (!bytes) return bytes.error();
  return bytes;
}

}  // namespace melgenre::cli
