// create_backend / built_backends: which backends this build has and which one "auto" picks.
// auto = a GPU backend when it is built, has a device and says the work is worth it; otherwise the
// fastest CPU backend built in: simd, then xnnpack, then reference.
#include <string>
#include <vector>

#include "backends/backend_factories.hpp"

namespace melgenre {
namespace {

using Factory = Expected<std::unique_ptr<Backend>> (*)(const BackendOptions&);

struct Entry {
  const char* name;
  Factory make;
};

// Built-in backends, fastest CPU backend first (auto's CPU order), GPUs last.
std::vector<Entry> built_entries() {
  std::vector<Entry> e;
#ifdef MELGENRE_REGISTER_SIMD
  // Measured first: our int8 kernels need ~12.5 ms CPU per 30 s track against ~25 ms for the 2022
  // XNNPACK snapshot, whose pthreadpool workers also spin while idle (melgenre bench model).
  e.push_back({"simd", make_simd_backend});
#endif
#ifdef MELGENRE_REGISTER_XNNPACK
  e.push_back({"xnnpack", make_xnnpack_backend});
#endif
  e.push_back({"reference", make_reference_backend});
#ifdef MELGENRE_REGISTER_VULKAN
  e.push_back({"vulkan", make_vulkan_backend});
#endif
#ifdef MELGENRE_REGISTER_CUDA
  e.push_back({"cuda", make_cuda_backend});
#endif
  return e;
}

bool is_gpu(const std::string& name) { return name == "vulkan" || name == "cuda"; }

const char* const kKnown[] = {"auto", "reference", "simd", "xnnpack", "vulkan", "cuda"};

std::string built_list() {
  std::string s;
  for (const auto& e : built_entries()) s += (s.empty() ? "" : ", ") + std::string(e.name);
  return s;
}

}  // namespace

std::vector<std::string> built_backends() {
  std::vector<std::string> names;
  for (const auto& e : built_entries()) names.push_back(e.name);
  return names;
}

Expected<std::unique_ptr<Backend>> create_backend(const std::string& name, const BackendOptions& options,
                                                  long work_hint) {
  if (options.threads < 1 || options.threads > 256)
    return make_error(Status::invalid_argument, "threads must be in [1, 256], got " + std::to_string(options.threads));
  const auto entries = built_entries();
  if (name == "auto") {
    (void)work_hint;
#ifdef MELGENRE_REGISTER_CUDA
    if (cuda_worth_it(work_hint))
      if (auto b = make_cuda_backend(options)) return b;
#endif
#ifdef MELGENRE_REGISTER_VULKAN
    if (vulkan_worth_it(work_hint))
      if (auto b = make_vulkan_backend(options)) return b;
#endif
    // First CPU backend that comes up (a failing one falls through to the next, reference last).
    Error last = make_error(Status::backend_unavailable, "no backend available");
    for (const auto& e : entries) {
      if (is_gpu(e.name)) continue;
      auto b = e.make(options);
      if (b) return b;
      last = b.error();
    }
    return last;
  }
  for (const auto& e : entries)
    if (name == e.name) return e.make(options);
  for (const char* k : kKnown)
    if (name == k)
      return make_error(Status::backend_unavailable,
                        "backend '" + name + "' is not built into this melgenre (built: " + built_list() + ")");
  return make_error(Status::invalid_argument,
                    "unknown backend '" + name + "' (choose auto, reference, simd, xnnpack, vulkan or cuda)");
}

}  // namespace melgenre
