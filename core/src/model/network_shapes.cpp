#include "model/network_shapes.hpp"

#include <cmath>

namespace melgenre {
namespace {

// Largest activation (elements per item) a network may produce: bounds scratch memory.
constexpr size_t kMaxActivation = size_t(1) << 26;

std::string dims(const std::vector<int>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

bool valid_quant(const QuantParams& q) {
  return std::isfinite(q.scale) && q.scale > 0.f && q.zero >= -128 && q.zero <= 127;
}

class Checker {
 public:
  Checker(size_t index, const Layer& layer) : index_(index), layer_(layer) {}

  Error fail(const std::string& what) const {
    return make_error(Status::invalid_model,
                      "layer " + std::to_string(index_) + " (" + layer_kind_name(layer_.kind) + "): " + what);
  }

  // A tensor the layer needs, with an exact shape and dtype.
  Expected<void> tensor(const TensorPtr& t, const char* role, DType dtype, const std::vector<int>& shape) const {
    if (!t) return fail(std::string("missing ") + role + " tensor");
    if (t->dtype != dtype)
      return fail(std::string(role) + " tensor '" + t->name + "' has the wrong dtype for this layer");
    if (t->shape != shape)
      return fail(std::string(role) + " tensor '" + t->name + "' has shape " + dims(t->shape) + ", expected " +
                  dims(shape));
    return {};
  }

 private:
  size_t index_;
  const Layer& layer_;
};

Expected<ActivationInfo> infer_layer(size_t index, const Layer& l, const ActivationInfo& in) {
  Checker c(index, l);
  ActivationInfo out = in;
  const bool rank3 = in.shape.size() == 3;
  auto need_rank3 = [&]() -> Expected<void> {
    if (!rank3) return c.fail("needs an [H,W,C] input, got " + dims(in.shape));
    return {};
  };
  auto need_float = [&]() -> Expected<void> {
    if (in.int8) return c.fail("is float only but its input is int8 (add a dequantize before it)");
    return {};
  };
  auto check_window = [&]() -> Expected<void> {
    if (l.kernel_h < 1 || l.kernel_w < 1 || l.stride_h < 1 || l.stride_w < 1)
      return c.fail("kernel and stride must be >= 1");
    if (l.pad_top < 0 || l.pad_left < 0 || l.pad_bottom < 0 || l.pad_right < 0) return c.fail("padding must be >= 0");
    if (l.pad_top >= l.kernel_h || l.pad_bottom >= l.kernel_h || l.pad_left >= l.kernel_w || l.pad_right >= l.kernel_w)
      return c.fail("padding must be smaller than the kernel");
    int oh = pooled_extent(in.shape[0], l.kernel_h, l.stride_h, l.pad_top, l.pad_bottom);
    int ow = pooled_extent(in.shape[1], l.kernel_w, l.stride_w, l.pad_left, l.pad_right);
    if (oh < 1 || ow < 1)
      return c.fail("kernel " + std::to_string(l.kernel_h) + "x" + std::to_string(l.kernel_w) +
                    " does not fit the input " + dims(in.shape));
    out.shape = {oh, ow, in.shape[2]};
    return {};
  };
  // int8 conv/dense: i32 bias, per-channel weight scales, output quantisation.
  auto check_int8_params = [&](int cout) -> Expected<void> {
    if (!in.int8) return c.fail("has int8 weights but a float input (add a quantize before it)");
    if (auto r = c.tensor(l.bias, "bias", DType::i32, {cout}); !r) return r;
    if (auto r = c.tensor(l.weight_scale, "weight_scale", DType::f32, {cout}); !r) return r;
    for (float s : l.weight_scale->f32)
      if (!(std::isfinite(s) && s > 0.f)) return c.fail("weight_scale values must be finite and > 0");
    if (!l.has_quant || !valid_quant(l.quant))
      return c.fail("needs out_scale > 0 and out_zero in [-128, 127]");
    out.int8 = true;
    out.quant = l.quant;
    return {};
  };
  auto check_float_params = [&](int cout) -> Expected<void> {
    if (in.int8) return c.fail("has float weights but an int8 input (add a dequantize before it)");
    if (l.weight_scale) return c.fail("weight_scale given for float weights");
    return c.tensor(l.bias, "bias", DType::f32, {cout});
  };

  switch (l.kind) {
    case LayerKind::conv2d: {
      if (auto r = need_rank3(); !r) return r.error();
      if (!l.weight) return c.fail("missing weight tensor");
      if (l.weight->dtype == DType::i32) return c.fail("weight tensor '" + l.weight->name + "' must be f32 or i8");
      if (l.weight->shape.size() != 4) return c.fail("weight must be [Cout,kh,kw,Cin], got " + dims(l.weight->shape));
      const auto& w = l.weight->shape;
      if (w[1] != l.kernel_h || w[2] != l.kernel_w)
        return c.fail("weight " + dims(w) + " does not match kernel=" + std::to_string(l.kernel_h) + "," +
                      std::to_string(l.kernel_w));
      if (w[3] != in.shape[2])
        return c.fail("weight expects " + std::to_string(w[3]) + " input channels, input is " + dims(in.shape));
      if (auto r = check_window(); !r) return r.error();
      out.shape[2] = w[0];
      auto r = l.weight->dtype == DType::i8 ? check_int8_params(w[0]) : check_float_params(w[0]);
      if (!r) return r.error();
      break;
    }
    case LayerKind::dense: {
      if (in.shape.size() != 1) return c.fail("needs a flat [C] input (add flatten), got " + dims(in.shape));
      if (!l.weight) return c.fail("missing weight tensor");
      if (l.weight->dtype == DType::i32) return c.fail("weight tensor '" + l.weight->name + "' must be f32 or i8");
      if (l.weight->shape.size() != 2 || l.weight->shape[1] != in.shape[0])
        return c.fail("weight " + dims(l.weight->shape) + " does not take an input of " + dims(in.shape));
      out.shape = {l.weight->shape[0]};
      auto r = l.weight->dtype == DType::i8 ? check_int8_params(out.shape[0]) : check_float_params(out.shape[0]);
      if (!r) return r.error();
      break;
    }
    case LayerKind::batchnorm: {
      if (auto r = need_float(); !r) return r.error();
      int ch = in.shape.back();
      if (auto r = c.tensor(l.scale, "scale", DType::f32, {ch}); !r) return r.error();
      if (auto r = c.tensor(l.shift, "shift", DType::f32, {ch}); !r) return r.error();
      break;
    }
    case LayerKind::relu:
      break;
    case LayerKind::elu:
      if (auto r = need_float(); !r) return r.error();
      if (!std::isfinite(l.alpha)) return c.fail("alpha must be finite");
      break;
    case LayerKind::maxpool:
    case LayerKind::avgpool: {
      if (auto r = need_rank3(); !r) return r.error();
      if (l.pad_top || l.pad_left || l.pad_bottom || l.pad_right) return c.fail("pooling takes no padding");
      if (auto r = check_window(); !r) return r.error();
      if (l.kind == LayerKind::avgpool && in.int8) {
        if (!l.has_quant || !valid_quant(l.quant)) return c.fail("on int8 needs out_scale > 0 and out_zero in [-128, 127]");
        out.quant = l.quant;
      } else if (l.has_quant) {
        return c.fail("out_scale/out_zero are only for int8 avgpool");
      }
      break;
    }
    case LayerKind::globalavgpool:
    case LayerKind::globalmaxpool:
      if (auto r = need_rank3(); !r) return r.error();
      out.shape = {in.shape[2]};
      if (l.kind == LayerKind::globalavgpool && in.int8) {
        if (!l.has_quant || !valid_quant(l.quant)) return c.fail("on int8 needs out_scale > 0 and out_zero in [-128, 127]");
        out.quant = l.quant;
      } else if (l.has_quant) {
        return c.fail("out_scale/out_zero are only for int8 globalavgpool");
      }
      break;
    case LayerKind::flatten:
      out.shape = {int(in.count())};
      break;
    case LayerKind::softmax:
      if (auto r = need_float(); !r) return r.error();
      break;
    case LayerKind::quantize:
      if (in.int8) return c.fail("input is already int8");
      if (!l.has_quant || !valid_quant(l.quant)) return c.fail("needs scale > 0 and zero in [-128, 127]");
      out.int8 = true;
      out.quant = l.quant;
      break;
    case LayerKind::dequantize:
      if (!in.int8) return c.fail("input is not int8");
      out.int8 = false;
      out.quant = QuantParams{};
      break;
  }
  for (int d : out.shape)
    if (d < 1) return c.fail("produces an empty output " + dims(out.shape));
  if (out.count() > kMaxActivation) return c.fail("output " + dims(out.shape) + " is too large");
  return out;
}

}  // namespace

Expected<std::vector<ActivationInfo>> infer_activations(const Network& network) {
  std::vector<ActivationInfo> acts;
  ActivationInfo in;
  in.shape = network.input_shape();
  for (int d : in.shape)
    if (d < 1 || size_t(d) > kMaxActivation)
      return make_error(Status::invalid_model, "network input shape " + dims(in.shape) + " is invalid");
  if (in.count() > kMaxActivation)
    return make_error(Status::invalid_model, "network input shape " + dims(in.shape) + " is too large");
  acts.push_back(in);
  for (size_t i = 0; i < network.layers.size(); ++i) {
    auto next = infer_layer(i, network.layers[i], acts.back());
    if (!next) return next.error();
    acts.push_back(std::move(*next));
  }
  return acts;
}

}  // namespace melgenre
