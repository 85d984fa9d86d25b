// Builders of small random models for tests (header-only; shared by the model, reference, classifier,
// simd, xnnpack and vulkan tests). Everything is deterministic in `seed`.
//
//   make_op_network(input_shape, spec, seed): one operator on an arbitrary input shape, float or int8
//     (int8: quantize -> op -> dequantize, scales calibrated on the float twin with the reference
//     backend), for testing a backend's operator against `reference`.
//   make_cnn_model(...) / make_summary_model(...): complete models (softmax over labels) for loader,
//     classifier and CLI tests.
//   random_input(n, seed): values in [lo, hi].
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "melgenre/backend.hpp"
#include "melgenre/model.hpp"

namespace melgenre::test {

inline std::vector<float> random_input(size_t n, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = u(gen);
  return v;
}

inline TensorPtr f32_tensor(const std::string& name, std::vector<int> shape, std::vector<float> values) {
  auto t = std::make_shared<Tensor>();
  t->name = name;
  t->dtype = DType::f32;
  t->shape = std::move(shape);
  t->f32 = std::move(values);
  return t;
}

inline TensorPtr random_f32(const std::string& name, std::vector<int> shape, uint32_t seed, float lo = -0.5f,
                            float hi = 0.5f) {
  size_t n = 1;
  for (int d : shape) n *= size_t(d);
  return f32_tensor(name, std::move(shape), random_input(n, seed, lo, hi));
}

// What one operator looks like. Fields not used by `kind` are ignored.
struct OpSpec {
  LayerKind kind = LayerKind::conv2d;
  bool int8 = false;          // quantize -> op -> dequantize
  int out_channels = 4;       // conv2d, dense
  int kernel_h = 3, kernel_w = 3, stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;  // conv2d only
  Activation act = Activation::none;
  float alpha = 1.f;          // elu
};

// Symmetric per-channel int8 quantisation of a float [cout, ...] weight: scale = max|w| / 127.
struct QuantisedWeight {
  TensorPtr weight, weight_scale;
  std::vector<float> dequantised;  // what the int8 weight means, for the float twin
};

inline QuantisedWeight quantise_weight(const Tensor& w, const std::string& name) {
  const int cout = w.shape[0];
  const size_t per = w.count() / size_t(cout);
  auto q = std::make_shared<Tensor>();
  q->name = name;
  q->dtype = DType::i8;
  q->shape = w.shape;
  q->i8.resize(w.count());
  std::vector<float> scales(static_cast<size_t>(cout)), deq(w.count());
  for (int o = 0; o < cout; ++o) {
    float m = 0.f;
    for (size_t i = 0; i < per; ++i) m = std::max(m, std::fabs(w.f32[o * per + i]));
    scales[o] = m > 0.f ? m / 127.f : 1.f;
    for (size_t i = 0; i < per; ++i) {
      long v = std::lround(w.f32[o * per + i] / scales[o]);
      q->i8[o * per + i] = int8_t(std::max(-127L, std::min(127L, v)));
      deq[o * per + i] = float(q->i8[o * per + i]) * scales[o];
    }
  }
  return {q, f32_tensor(name + "_scale", {cout}, scales), deq};
}

// Scale and zero point covering [lo, hi] (always including 0) on the int8 grid.
inline QuantParams calibrate(float lo, float hi) {
  lo = std::min(lo, 0.f);
  hi = std::max(hi, 0.f);
  if (hi - lo < 1e-6f) hi = lo + 1e-6f;
  QuantParams q;
  q.scale = (hi - lo) / 255.f;
  q.zero = int(std::lround(-128.f - lo / q.scale));
  q.zero = std::max(-128, std::min(127, q.zero));
  return q;
}

// Runs `net` on `batch` items with the reference backend (helper for calibration and expectations).
// The int8 layers between the input quantize (scale/zero point in_q) and the output dequantize.
inline std::vector<Layer> int8_span(const QuantParams& in_q, std::vector<Layer> int8_layers) {
  Layer quantize;
  quantize.kind = LayerKind::quantize;
  quantize.quant = in_q;
  quantize.has_quant = true;
  Layer dequantize;
  dequantize.kind = LayerKind::dequantize;
  int8_layers.insert(int8_layers.begin(), quantize);
  int8_layers.push_back(dequantize);
  return int8_layers;
}

inline std::vector<float> run_reference(const Network& net, const std::vector<float>& input, int batch) {
  std::vector<float> out;
  auto backend = create_backend("reference", BackendOptions{});
  if (!backend) return out;
  auto compiled = (*backend)->compile(net, batch);
  if (!compiled) return out;
  out.resize((*compiled)->output_size() * size_t(batch));
  if (!(*compiled)->run(input.data(), batch, out.data())) out.clear();
  return out;
}

// A network of one operator on items of `input_shape` ({H, W, C} or {C}); inputs are expected in
// [-1, 1] (the int8 input scale covers [-1, 1]).
inline Network make_op_network(const std::vector<int>& input_shape, const OpSpec& spec, uint32_t seed) {
  Network net;
  net.name = "op";
  net.input_shape_override = input_shape;
  net.norm_mean = {0.f};
  net.norm_std = {1.f};
  Layer op;
  op.kind = spec.kind;
  op.kernel_h = spec.kernel_h;
  op.kernel_w = spec.kernel_w;
  op.stride_h = spec.stride_h;
  op.stride_w = spec.stride_w;
  op.act = spec.act;
  op.alpha = spec.alpha;
  const int in_c = input_shape.back();
  if (spec.kind == LayerKind::conv2d) {
    op.pad_top = spec.pad_top;
    op.pad_left = spec.pad_left;
    op.pad_bottom = spec.pad_bottom;
    op.pad_right = spec.pad_right;
    op.weight = random_f32("w", {spec.out_channels, spec.kernel_h, spec.kernel_w, in_c}, seed * 7 + 1);
    op.bias = random_f32("b", {spec.out_channels}, seed * 7 + 2, -0.2f, 0.2f);
  } else if (spec.kind == LayerKind::dense) {
    int in_f = 1;
    for (int d : input_shape) in_f *= d;
    op.weight = random_f32("w", {spec.out_channels, in_f}, seed * 7 + 1, -0.3f, 0.3f);
    op.bias = random_f32("b", {spec.out_channels}, seed * 7 + 2, -0.2f, 0.2f);
  } else if (spec.kind == LayerKind::batchnorm) {
    op.scale = random_f32("scale", {in_c}, seed * 7 + 3, 0.5f, 1.5f);
    op.shift = random_f32("shift", {in_c}, seed * 7 + 4, -0.5f, 0.5f);
  }
  if (spec.kind == LayerKind::dense && input_shape.size() == 3) {
    Layer flat;
    flat.kind = LayerKind::flatten;
    net.layers.push_back(flat);
  }
  if (!spec.int8) {
    net.layers.push_back(op);
    return net;
  }

  // int8: quantise the weights, run the float twin (same dequantised weights) to calibrate the output.
  const QuantParams in_q = calibrate(-1.f, 1.f);
  Network twin = net;
  Layer twin_op = op;
  if (op.weight) {
    auto qw = quantise_weight(*op.weight, "w");
    twin_op.weight = f32_tensor("w", op.weight->shape, qw.dequantised);
    op.weight = qw.weight;
    op.weight_scale = qw.weight_scale;
    auto b = std::make_shared<Tensor>();
    b->name = "b";
    b->dtype = DType::i32;
    b->shape = op.bias->shape;
    std::vector<float> twin_bias(op.bias->f32.size());
    for (size_t c = 0; c < op.bias->f32.size(); ++c) {
      const float s = in_q.scale * qw.weight_scale->f32[c];
      b->i32.push_back(int32_t(std::lround(op.bias->f32[c] / s)));
      twin_bias[c] = float(b->i32.back()) * s;
    }
    op.bias = b;
    twin_op.bias = f32_tensor("b", twin_op.bias->shape, twin_bias);
  }
  twin.layers.push_back(twin_op);
  size_t n_in = 1;
  for (int d : input_shape) n_in *= size_t(d);
  const int calib_batch = 4;
  std::vector<float> probe = random_input(n_in * calib_batch, seed * 7 + 5);
  for (auto& x : probe) x = float(int(std::lround(x / in_q.scale))) * in_q.scale;  // on the input grid
  std::vector<float> y = run_reference(twin, probe, calib_batch);
  float lo = 0.f, hi = 0.f;
  for (float v : y) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const bool needs_out_q = spec.kind == LayerKind::conv2d || spec.kind == LayerKind::dense ||
                           spec.kind == LayerKind::avgpool || spec.kind == LayerKind::globalavgpool;
  if (needs_out_q) {
    op.quant = calibrate(lo * 1.1f, hi * 1.1f);
    op.has_quant = true;
  }
  std::vector<Layer> layers = net.layers;  // maybe a flatten
  layers.push_back(op);
  net.layers = int8_span(in_q, std::move(layers));
  return net;
}

// The recipe of the tiny test models: small FFT so tests stay fast.
inline FeatureRecipe test_recipe(DbMode db = DbMode::ref1, int sample_rate = 22050) {
  FeatureRecipe r;
  r.kind = FeatureKind::mel;
  r.sample_rate = sample_rate;
  r.stft.n_fft = 512;
  r.stft.hop = 256;
  r.stft.center = true;
  r.stft.pad = PadMode::constant;
  r.n_mels = 16;
  r.fmin = 0.f;
  r.fmax = float(sample_rate) / 2.f;
  r.htk = false;
  r.db = db;
  r.top_db = 80.f;
  return r;
}

inline std::vector<std::string> gtzan_labels() {
  return {"blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock"};
}

// conv(3x3, 4, relu) -> maxpool 2x2 -> flatten -> dense(labels) -> softmax on [frames, n_mels, 1];
// int8: quantize after the input, dequantize before softmax, calibrated scales.
inline Network make_cnn_network(const std::string& name, const FeatureRecipe& recipe, int frames, int hop,
                                int n_labels, uint32_t seed, bool int8 = false) {
  Network net;
  net.name = name;
  net.input = InputKind::mel;
  net.recipe = recipe;
  net.segment_frames = frames;
  net.segment_hop = hop;
  // Plausible dB statistics so the normalised input lands near [-1, 1].
  net.norm_mean = {-40.f};
  net.norm_std = {20.f};
  const int bins = recipe.n_mels;
  Layer conv;
  conv.kind = LayerKind::conv2d;
  conv.kernel_h = conv.kernel_w = 3;
  conv.pad_top = conv.pad_left = conv.pad_bottom = conv.pad_right = 1;
  conv.act = Activation::relu;
  conv.weight = random_f32(name + ".conv_w", {4, 3, 3, 1}, seed * 11 + 1);
  conv.bias = random_f32(name + ".conv_b", {4}, seed * 11 + 2, -0.1f, 0.1f);
  Layer pool;
  pool.kind = LayerKind::maxpool;
  pool.kernel_h = pool.kernel_w = pool.stride_h = pool.stride_w = 2;
  Layer flat;
  flat.kind = LayerKind::flatten;
  Layer dense;
  dense.kind = LayerKind::dense;
  const int flat_n = (frames / 2) * (bins / 2) * 4;
  dense.weight = random_f32(name + ".dense_w", {n_labels, flat_n}, seed * 11 + 3, -0.1f, 0.1f);
  dense.bias = random_f32(name + ".dense_b", {n_labels}, seed * 11 + 4, -0.5f, 0.5f);
  Layer softmax;
  softmax.kind = LayerKind::softmax;
  if (!int8) {
    net.layers = {conv, pool, flat, dense, softmax};
    return net;
  }
  // Quantise: input [-3, 3], conv and dense outputs calibrated on the float twin.
  const QuantParams in_q = calibrate(-3.f, 3.f);
  auto quantise_layer = [&](Layer& l, QuantParams layer_in, const std::string& wname) {
    auto qw = quantise_weight(*l.weight, wname);
    auto b = std::make_shared<Tensor>();
    b->name = wname + "_b";
    b->dtype = DType::i32;
    b->shape = l.bias->shape;
    for (size_t c = 0; c < l.bias->f32.size(); ++c)
      b->i32.push_back(int32_t(std::lround(l.bias->f32[c] / (layer_in.scale * qw.weight_scale->f32[c]))));
    l.weight = qw.weight;
    l.weight_scale = qw.weight_scale;
    l.bias = b;
  };
  Network twin = net;
  twin.layers = {conv, pool, flat, dense};
  const std::vector<int> shape = net.input_shape();
  const size_t n_in = size_t(shape[0]) * shape[1];
  std::vector<float> probe = random_input(n_in * 4, seed * 11 + 5, -3.f, 3.f);
  Network conv_only = net;
  conv_only.layers = {conv};
  auto conv_out = run_reference(conv_only, probe, 4);
  float lo = 0, hi = 0;
  for (float v : conv_out) lo = std::min(lo, v), hi = std::max(hi, v);
  const QuantParams conv_q = calibrate(lo, hi);
  auto all_out = run_reference(twin, probe, 4);
  lo = hi = 0;
  for (float v : all_out) lo = std::min(lo, v), hi = std::max(hi, v);
  const QuantParams dense_q = calibrate(lo * 1.2f, hi * 1.2f);
  quantise_layer(conv, in_q, name + ".conv_q");
  conv.quant = conv_q;
  conv.has_quant = true;
  quantise_layer(dense, conv_q, name + ".dense_q");
  dense.quant = dense_q;
  dense.has_quant = true;
  net.layers = int8_span(in_q, {conv, pool, flat, dense});
  net.layers.push_back(softmax);
  return net;
}

// dense(16, relu) -> dense(labels) -> softmax on the 57-value summary row.
inline Network make_summary_network(const std::string& name, int n_labels, uint32_t seed) {
  Network net;
  net.name = name;
  net.input = InputKind::summary57;
  net.norm_mean = random_input(57, seed * 13 + 1, -1.f, 1.f);
  net.norm_std = random_input(57, seed * 13 + 2, 0.5f, 2.f);
  Layer d1;
  d1.kind = LayerKind::dense;
  d1.act = Activation::relu;
  d1.weight = random_f32(name + ".w1", {16, 57}, seed * 13 + 3);
  d1.bias = random_f32(name + ".b1", {16}, seed * 13 + 4);
  Layer d2;
  d2.kind = LayerKind::dense;
  d2.weight = random_f32(name + ".w2", {n_labels, 16}, seed * 13 + 5);
  d2.bias = random_f32(name + ".b2", {n_labels}, seed * 13 + 6);
  Layer sm;
  sm.kind = LayerKind::softmax;
  net.layers = {d1, d2, sm};
  return net;
}

inline Model make_cnn_model(uint32_t seed, bool int8 = false, DbMode db = DbMode::ref1, int frames = 32,
                            int hop = 16) {
  Model m;
  m.name = "test-cnn";
  m.labels = gtzan_labels();
  m.networks.push_back(make_cnn_network("cnn", test_recipe(db), frames, hop, int(m.labels.size()), seed, int8));
  m.info.push_back("built-by=tests seed=" + std::to_string(seed));
  return m;
}

inline Model make_summary_model(uint32_t seed) {
  Model m;
  m.name = "test-summary";
  m.labels = gtzan_labels();
  m.networks.push_back(make_summary_network("mlp", int(m.labels.size()), seed));
  return m;
}

}  // namespace melgenre::test
