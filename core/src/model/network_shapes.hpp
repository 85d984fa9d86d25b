// Shape and type inference along a network's layer list: what every backend needs to size its buffers
// and what the loader uses to refuse inconsistent models. Private to the core (backends include it).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "melgenre/error.hpp"
#include "melgenre/model.hpp"

namespace melgenre {

// One activation tensor between layers, without the batch axis.
struct ActivationInfo {
  std::vector<int> shape;  // {H, W, C} (NHWC without N) or {C} after flatten / global pooling / dense
  bool int8 = false;       // between quantize and dequantize
  QuantParams quant;       // scale and zero point when int8

  size_t count() const {
    size_t n = 1;
    for (int d : shape) n *= size_t(d);
    return n;
  }
};

// Conv/pool output extent with PyTorch's floor rule; <= 0 when the window does not fit.
inline int pooled_extent(int in, int kernel, int stride, int pad_before = 0, int pad_after = 0) {
  int span = in + pad_before + pad_after - kernel;
  return span < 0 ? 0 : span / stride + 1;
}

// Whether conv2d/dense run on int8 (their weight tensor is i8).
inline bool is_int8_layer(const Layer& layer) {
  return (layer.kind == LayerKind::conv2d || layer.kind == LayerKind::dense) && layer.weight &&
         layer.weight->dtype == DType::i8;
}

// result[0] is the network input (float, Network::input_shape()), result[i + 1] the output of layer i.
// Checks every layer against its input: tensor shapes and dtypes, window sizes, int8/float placement,
// quantisation parameters. Errors name the layer: "layer 3 (conv2d): ...".
Expected<std::vector<ActivationInfo>> infer_activations(const Network& network);

}  // namespace melgenre
