// The simd backend with a chosen int8 kernel ISA, for tests that run every kernel family through whole
// networks (the registry's make_simd_backend picks the best ISA of the CPU).
#pragma once

#include <memory>

#include "backends/simd/int8_gemm.hpp"
#include "melgenre/backend.hpp"

namespace melgenre::simd {

// isa must be supported by this CPU (int8_isa_supported); threads >= 1.
std::unique_ptr<Backend> make_simd_backend_for_isa(int threads, Int8Isa isa);

}  // namespace melgenre::simd
