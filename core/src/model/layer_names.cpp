// Names of layer kinds (as written in model files) and the network input shape.
#include "melgenre/model.hpp"

namespace melgenre {

const char* layer_kind_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::conv2d: return "conv2d";
    case LayerKind::dense: return "dense";
    case LayerKind::batchnorm: return "batchnorm";
    case LayerKind::relu: return "relu";
    case LayerKind::elu: return "elu";
    case LayerKind::maxpool: return "maxpool";
    case LayerKind::avgpool: return "avgpool";
    case LayerKind::globalavgpool: return "globalavgpool";
    case LayerKind::globalmaxpool: return "globalmaxpool";
    case LayerKind::flatten: return "flatten";
    case LayerKind::softmax: return "softmax";
    case LayerKind::quantize: return "quantize";
    case LayerKind::dequantize: return "dequantize";
  }
  return "unknown";
}

std::vector<int> Network::input_shape() const {
  if (!input_shape_override.empty()) return input_shape_override;
  if (input == InputKind::summary57) return {57};
  int bins = recipe.kind == FeatureKind::mfcc ? recipe.n_mfcc
             : recipe.kind == FeatureKind::stft ? recipe.stft.n_fft / 2 + 1
                                                : recipe.n_mels;
  return {segment_frames, bins, 1};
}

}  // namespace melgenre
