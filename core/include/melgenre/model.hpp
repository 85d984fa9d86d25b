// A parsed model file (models/FORMAT.md): labels and one or more networks (a bundle), each with its
// input recipe, normalisation and layer list. Tensors are owned by the model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "melgenre/error.hpp"
#include "melgenre/features.hpp"

namespace melgenre {

enum class DType { f32, i8, i32 };

struct Tensor {
  std::string name;
  DType dtype = DType::f32;
  std::vector<int> shape;
  // Exactly one of these holds the data, according to dtype.
  std::vector<float> f32;
  std::vector<int8_t> i8;
  std::vector<int32_t> i32;

  size_t count() const {
    size_t n = 1;
    for (int d : shape) n *= size_t(d);
    return n;
  }
};
using TensorPtr = std::shared_ptr<const Tensor>;

enum class LayerKind {
  conv2d, dense, batchnorm, relu, elu, maxpool, avgpool, globalavgpool, globalmaxpool, flatten, softmax,
  quantize, dequantize
};
const char* layer_kind_name(LayerKind kind);

enum class Activation { none, relu };

struct QuantParams {
  float scale = 1.f;
  int zero = 0;
};

struct Layer {
  LayerKind kind = LayerKind::relu;
  TensorPtr weight, weight_scale, bias;  // conv2d, dense (weight_scale only when weight is i8)
  TensorPtr scale, shift;                // batchnorm
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  Activation act = Activation::none;
  float alpha = 1.f;          // elu
  QuantParams quant;          // quantize: target params; int8 conv/dense/avgpool: output params
  bool has_quant = false;
};

enum class InputKind { mel, summary57 };

struct Network {
  std::string name;
  float weight = 1.f;  // bundle weight
  InputKind input = InputKind::mel;
  FeatureRecipe recipe;        // mel only
  int segment_frames = 0;      // mel only: H of the input tensor
  int segment_hop = 0;         // mel only
  std::vector<float> norm_mean, norm_std;  // size 1 (scalar) or one per input column / mel band
  std::vector<Layer> layers;
  // Operator tests only (never read from or written to a file): when non-empty, the input shape of
  // one item ({H, W, C} or {C}) instead of the one implied by `input`.
  std::vector<int> input_shape_override;

  // Shape of one input item without the batch axis: mel {F, n_mels, 1} (n_mfcc bins for an MFCC
  // recipe); summary57 {57}; or input_shape_override when set.
  std::vector<int> input_shape() const;
};

struct Model {
  std::string name;
  std::vector<std::string> labels;
  std::vector<Network> networks;
  std::vector<std::string> info;  // free-form provenance lines
};

// Parses and validates (header, CRC, meta grammar, tensor bounds, shapes along every network).
Expected<Model> load_model(const uint8_t* data, size_t size);
// Serialises a model in format version 1 (used by tests to build small models; tools/train/mgm.py is
// the Python twin).
std::vector<uint8_t> save_model(const Model& model);

}  // namespace melgenre
