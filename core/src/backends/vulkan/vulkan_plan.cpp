#include "backends/vulkan/vulkan_plan.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "model/network_shapes.hpp"

namespace melgenre::vk {
namespace {

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// Appends a tensor to the parameter block (f32 as bit patterns, i8 widened, i32 as is); returns its word
// offset. An absent tensor (a layer without bias) becomes `count` zero words: 0.0f and 0 alike.
uint32_t add_tensor(Plan& plan, const TensorPtr& t, size_t count) {
  const uint32_t off = uint32_t(plan.params.size());
  if (!t) {
    plan.params.resize(plan.params.size() + count, 0u);
    return off;
  }
  switch (t->dtype) {
    case DType::f32: for (float v : t->f32) plan.params.push_back(bits(v)); break;
    case DType::i8: for (int8_t v : t->i8) plan.params.push_back(uint32_t(int32_t(v))); break;
    case DType::i32: for (int32_t v : t->i32) plan.params.push_back(uint32_t(v)); break;
  }
  return off;
}

// An OHWI conv weight repacked to [Cout/8][kh][kw][Cin][8] (zero-padded channels; f32 as bits, i8 widened to
// int32), with bias and (int8) requantisation multipliers padded to a multiple of 8, for
// shaders/conv2d*.comp (8 output channels per invocation, one block per work-group row).
struct PackedConv {
  uint32_t weight_off = 0, bias_off = 0, multiplier_off = 0;
  int blocks = 0;
};
PackedConv add_conv_blocked(Plan& plan, const Layer& l, float in_scale, float out_scale) {
  const Tensor& w = *l.weight;
  const int cout = w.shape[0], kh = w.shape[1], kw = w.shape[2], cin = w.shape[3];
  const bool int8 = w.dtype == DType::i8;
  PackedConv p;
  p.blocks = (cout + 7) / 8;
  const size_t per_block = size_t(kh) * kw * cin * 8;
  const size_t padded = size_t(p.blocks) * 8;
  auto reserve = [&](size_t n) {
    const uint32_t off = uint32_t(plan.params.size());
    plan.params.resize(plan.params.size() + n, 0u);
    return off;
  };
  p.weight_off = reserve(per_block * size_t(p.blocks));
  for (int o = 0; o < cout; ++o)
    for (int y = 0; y < kh; ++y)
      for (int x = 0; x < kw; ++x)
        for (int c = 0; c < cin; ++c) {
          const size_t src = ((size_t(o) * kh + y) * kw + x) * cin + c;
          plan.params[p.weight_off + size_t(o / 8) * per_block + ((size_t(y) * kw + x) * cin + c) * 8 + o % 8] =
              int8 ? uint32_t(int32_t(w.i8[src])) : bits(w.f32[src]);
        }
  p.bias_off = reserve(padded);
  if (l.bias)
    for (int o = 0; o < cout; ++o)
      plan.params[p.bias_off + o] = int8 ? uint32_t(l.bias->i32[o]) : bits(l.bias->f32[o]);
  if (int8) {
    p.multiplier_off = reserve(padded);
    for (int o = 0; o < cout; ++o)
      plan.params[p.multiplier_off + o] = bits(in_scale * l.weight_scale->f32[o] / out_scale);
  }
  return p;
}

// Per-channel requantisation multipliers, computed here in float exactly as the reference does
// (in_scale * weight_scale[c] / out_scale) so the shader needs a single multiply.
uint32_t add_multipliers(Plan& plan, const Tensor& weight_scale, float in_scale, float out_scale) {
  const uint32_t off = uint32_t(plan.params.size());
  for (float ws : weight_scale.f32) plan.params.push_back(bits(in_scale * ws / out_scale));
  return off;
}

struct StepBuilder {
  Step& s;
  StepBuilder& i(int v) { s.push[s.push_words++] = uint32_t(v); return *this; }
  StepBuilder& u(uint32_t v) { s.push[s.push_words++] = v; return *this; }
  StepBuilder& f(float v) { s.push[s.push_words++] = bits(v); return *this; }
};

StepBuilder add_step(Plan& plan, const char* shader, size_t invocations, size_t output, std::string layer) {
  Step s;
  s.shader = shader;
  s.invocations_per_item = invocations;
  s.output_per_item = output;
  s.layer = std::move(layer);
  plan.steps.push_back(s);
  return StepBuilder{plan.steps.back()};
}

}  // namespace

Expected<Plan> plan_network(const Network& network) {
  auto acts_or = infer_activations(network);  // validates shapes, dtypes and int8 placement
  if (!acts_or) return acts_or.error();
  const std::vector<ActivationInfo>& acts = *acts_or;
  Plan plan;
  plan.input_per_item = acts.front().count();
  for (const auto& a : acts) plan.largest_per_item = std::max(plan.largest_per_item, a.count());

  for (size_t li = 0; li < network.layers.size(); ++li) {
    const Layer& L = network.layers[li];
    const ActivationInfo& in = acts[li];
    const ActivationInfo& out = acts[li + 1];
    const std::string where = "layer " + std::to_string(li) + " (" + layer_kind_name(L.kind) + ")";
    const int relu = L.act == Activation::relu ? 1 : 0;
    switch (L.kind) {
      case LayerKind::conv2d: {
        const int cout = L.weight->shape[0];
        const PackedConv p = add_conv_blocked(plan, L, in.quant.scale, out.quant.scale);
        auto b = add_step(plan, in.int8 ? "conv2d_q8" : "conv2d", out.count() / size_t(cout), out.count(), where);
        b.s.channel_blocks = uint32_t(p.blocks);
        b.i(in.shape[0]).i(in.shape[1]).i(in.shape[2]).i(out.shape[0]).i(out.shape[1]).i(cout);
        b.i(L.kernel_h).i(L.kernel_w).i(L.stride_h).i(L.stride_w).i(L.pad_top).i(L.pad_left).i(relu);
        b.u(p.weight_off).u(p.bias_off);
        if (in.int8) b.u(p.multiplier_off).i(in.quant.zero).i(out.quant.zero);
        break;
      }
      case LayerKind::dense: {
        const int in_n = int(in.count()), out_n = int(out.count());
        const uint32_t w_off = add_tensor(plan, L.weight, 0);
        const uint32_t b_off = add_tensor(plan, L.bias, size_t(out_n));
        auto b = add_step(plan, in.int8 ? "dense_q8" : "dense", out.count(), out.count(), where);
        b.i(in_n).i(out_n).i(relu).u(w_off).u(b_off);
        if (in.int8)
          b.u(add_multipliers(plan, *L.weight_scale, in.quant.scale, out.quant.scale)).i(in.quant.zero).i(out.quant.zero);
        break;
      }
      case LayerKind::batchnorm: {
        const uint32_t sc = add_tensor(plan, L.scale, 0), sh = add_tensor(plan, L.shift, 0);
        add_step(plan, "batchnorm", in.count(), out.count(), where).i(in.shape.back()).u(sc).u(sh);
        break;
      }
      case LayerKind::relu:
        add_step(plan, "relu", in.count(), out.count(), where).f(in.int8 ? float(in.quant.zero) : 0.f);
        break;
      case LayerKind::elu:
        add_step(plan, "elu", in.count(), out.count(), where).f(L.alpha);
        break;
      case LayerKind::maxpool:
      case LayerKind::avgpool: {
        const bool avg = L.kind == LayerKind::avgpool;
        const float window = float(L.kernel_h * L.kernel_w);
        auto b = add_step(plan, "pool2d", out.count(), out.count(), where);
        b.i(in.shape[0]).i(in.shape[1]).i(in.shape[2]).i(out.shape[0]).i(out.shape[1]);
        b.i(L.kernel_h).i(L.kernel_w).i(L.stride_h).i(L.stride_w);
        b.i(!avg ? 0 : in.int8 ? 2 : 1).f(1.f / window);
        b.f(in.int8 ? in.quant.scale / (out.quant.scale * window) : 0.f).i(in.quant.zero).i(out.quant.zero);
        break;
      }
      case LayerKind::globalavgpool:
      case LayerKind::globalmaxpool: {
        const bool avg = L.kind == LayerKind::globalavgpool;
        const int hw = in.shape[0] * in.shape[1];
        auto b = add_step(plan, "global_pool", out.count(), out.count(), where);
        b.i(hw).i(in.shape[2]).i(!avg ? 0 : in.int8 ? 2 : 1).f(1.f / float(hw));
        b.f(in.int8 ? in.quant.scale / (out.quant.scale * float(hw)) : 0.f).i(in.quant.zero).i(out.quant.zero);
        break;
      }
      case LayerKind::flatten:
        add_step(plan, "copy", in.count(), out.count(), where).s.layout_only = true;
        break;
      case LayerKind::softmax:
        add_step(plan, "softmax", 1, out.count(), where).i(int(out.count()));
        break;
      case LayerKind::quantize:
        add_step(plan, "quantize", in.count(), out.count(), where).f(out.quant.scale).i(out.quant.zero);
        break;
      case LayerKind::dequantize:
        add_step(plan, "dequantize", in.count(), out.count(), where).f(in.quant.scale).i(in.quant.zero);
        break;
    }
  }
  if (plan.steps.empty()) return make_error(Status::invalid_model, "vulkan: network " + network.name + " has no layers");
  if (acts.back().int8)  // the interface returns float: int8 outputs are dequantised
    add_step(plan, "dequantize", acts.back().count(), acts.back().count(), "output dequantisation")
        .f(acts.back().quant.scale).i(acts.back().quant.zero);
  plan.output_per_item = acts.back().count();
  return plan;
}

}  // namespace melgenre::vk
