// Private contract between the backend registry (backend_registry.cpp) and the backend folders.
// Each backend folder defines its factory; the registry calls it only when the backend is built in.
//
// How a backend announces itself to the registry (so an empty or half-written backend folder never
// breaks the link): the registry calls make_<name>_backend only when BOTH
//   (a) the backend's sources are compiled into the core, and
//   (b) the backend's folder holds the marker header <name>_backend_enabled.hpp, which its owner adds
//       (content: a one-line comment) once make_<name>_backend (and <name>_worth_it for GPUs) is
//       defined and links.
// (a) is: simd - always (core/src/backends/simd/ is part of every build, native and wasm);
//         xnnpack - MELGENRE_HAVE_XNNPACK (cmake/MelgenreCore.cmake);
//         vulkan - MELGENRE_HAVE_VULKAN (cmake/MelgenreVulkan.cmake, PUBLIC definition);
//         cuda - MELGENRE_HAVE_CUDA (cmake/MelgenreCuda.cmake).
// A missing include leaves no trace in the build's dependency files: after adding a marker, rebuild in a
// fresh build dir or `touch core/src/backends/backend_registry.cpp` (an mtime change, not an edit).
// The MELGENRE_REGISTER_* macros below combine (a) and (b); only backend_registry.cpp uses them.
// Every factory returns Status::backend_unavailable with a reason (no device, driver error) rather
// than failing later in compile().
#pragma once

#include <memory>
#include <vector>

#include "melgenre/backend.hpp"
#include "model/network_shapes.hpp"

#if __has_include("backends/simd/simd_backend_enabled.hpp")
#define MELGENRE_REGISTER_SIMD 1
#endif
#if defined(MELGENRE_HAVE_XNNPACK) && __has_include("backends/xnnpack/xnnpack_backend_enabled.hpp")
#define MELGENRE_REGISTER_XNNPACK 1
#endif
#if defined(MELGENRE_HAVE_VULKAN) && __has_include("backends/vulkan/vulkan_backend_enabled.hpp")
#define MELGENRE_REGISTER_VULKAN 1
#endif
#if defined(MELGENRE_HAVE_CUDA) && __has_include("backends/cuda/cuda_backend_enabled.hpp")
#define MELGENRE_REGISTER_CUDA 1
#endif

namespace melgenre {

Expected<std::unique_ptr<Backend>> make_reference_backend(const BackendOptions& options);  // reference/
Expected<std::unique_ptr<Backend>> make_simd_backend(const BackendOptions& options);       // simd/
Expected<std::unique_ptr<Backend>> make_xnnpack_backend(const BackendOptions& options);    // xnnpack/
Expected<std::unique_ptr<Backend>> make_vulkan_backend(const BackendOptions& options);     // vulkan/
Expected<std::unique_ptr<Backend>> make_cuda_backend(const BackendOptions& options);       // cuda/

// GPU backends: true when a usable device exists and `work_hint` segments (0 = unknown) are enough
// for the GPU to beat the best CPU backend. Cheap after the first call is fine; must not throw.
bool vulkan_worth_it(long work_hint);  // vulkan/
bool cuda_worth_it(long work_hint);    // cuda/

// Shared check for compile(): max_batch in [1, 4096] and activations of a batch below 1 GiB.
Expected<void> check_batch_memory(const std::vector<ActivationInfo>& activations, int max_batch);

}  // namespace melgenre
