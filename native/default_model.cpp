#include "default_model.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "commands.hpp"
#include "melgenre/model.hpp"
#include "track_runner.hpp"

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

Expected<std::vector<uint8_t>> load_model_bytes(const std::optional<std::string>& flag) {
  auto path = resolve_model_path(flag);
  if (!path) return path.error();
  auto bytes = read_whole_file(*path, kMaxModelBytes);
  if (!bytes) return bytes.error();
  return bytes;
}

std::optional<CommandModel> open_command_model(const char* command, const Args& args, int& exit_code) {
  const std::string backend_name = args.value_or("backend", "auto");
  if (std::string why; !backend_known(backend_name, why)) {
    std::fprintf(stderr, "melgenre %s: %s\n", command, why.c_str());
    exit_code = kExitUsage;
    return std::nullopt;
  }
  auto bytes = load_model_bytes(args.value("model"));
  if (!bytes) {
    std::fprintf(stderr, "melgenre %s: %s\n", command, bytes.error().message.c_str());
    exit_code = bytes.error().status == Status::invalid_argument ? kExitUsage : kExitBadInput;
    return std::nullopt;
  }
  auto parsed = load_model(bytes->data(), bytes->size());
  if (!parsed) {
    std::fprintf(stderr, "melgenre %s: %s: %s\n", command, resolve_model_path(args.value("model")).value().c_str(),
                 parsed.error().message.c_str());
    exit_code = kExitBadInput;
    return std::nullopt;
  }
  return CommandModel{std::move(*bytes), std::move(parsed->name), std::move(parsed->labels)};
}

}  // namespace melgenre::cli
