// A network compiled for the CUDA backend: cuDNN for conv/pool/activations/softmax, cuBLAS for dense.
//
// Kept small on purpose (no GPU on the development machines): float32 only. An int8 network runs as
// its float twin: int8 weights are dequantised at compile time (w * weight_scale, bias * in_scale *
// weight_scale) and quantize/dequantize are skipped, so results approximate the int8 reference within
// quantisation noise instead of matching it to 1 LSB. Asymmetric conv padding is refused (cuDNN pads
// both sides equally).
#pragma once

#include <memory>

#include "backends/cuda/cuda_support.hpp"
#include "melgenre/backend.hpp"

namespace melgenre::cuda {

Expected<std::unique_ptr<CompiledNetwork>> compile_network(std::shared_ptr<Handles> handles, const Network& network,
                                                           int max_batch);

}  // namespace melgenre::cuda
