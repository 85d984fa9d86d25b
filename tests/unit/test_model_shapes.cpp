// Shape and type inference along a network (what the loader and every backend rely on).
#include <string>

#include "catch.hpp"
#include "model/network_shapes.hpp"
#include "test_model_builder.hpp"

using namespace melgenre;

namespace {

Layer simple(LayerKind kind) {
  Layer l;
  l.kind = kind;
  return l;
}

Layer pool(LayerKind kind, int kh, int kw) {
  Layer l = simple(kind);
  l.kernel_h = l.stride_h = kh;
  l.kernel_w = l.stride_w = kw;
  return l;
}

Layer conv(const std::string& name, int cout, int kh, int kw, int cin, bool same_pad) {
  Layer l = simple(LayerKind::conv2d);
  l.kernel_h = kh;
  l.kernel_w = kw;
  if (same_pad) {
    l.pad_top = l.pad_bottom = kh / 2;
    l.pad_left = l.pad_right = kw / 2;
  }
  l.act = Activation::relu;
  l.weight = test::random_f32(name + "_w", {cout, kh, kw, cin}, 1);
  l.bias = test::random_f32(name + "_b", {cout}, 2);
  return l;
}

Layer dense(const std::string& name, int out, int in) {
  Layer l = simple(LayerKind::dense);
  l.weight = test::random_f32(name + "_w", {out, in}, 3);
  l.bias = test::random_f32(name + "_b", {out}, 4);
  return l;
}

std::string error_of(const Network& n) {
  auto a = infer_activations(n);
  return a ? "" : a.error().message;
}

}  // namespace

TEST_CASE("the seed-001 CNN shape infers layer by layer") {
  // 64 mels x 256 frames: conv64 3x3 -> pool 2x4 -> conv64 3x5 -> pool 2x4 -> dense 32 -> dense 10.
  Network n;
  n.input = InputKind::mel;
  n.recipe = test::test_recipe();
  n.recipe.n_mels = 64;
  n.segment_frames = 256;
  n.segment_hop = 128;
  n.layers = {conv("c1", 64, 3, 3, 1, true), pool(LayerKind::maxpool, 2, 4), conv("c2", 64, 3, 5, 64, true),
              pool(LayerKind::maxpool, 2, 4), simple(LayerKind::flatten), dense("d1", 32, 64 * 64 * 4),
              simple(LayerKind::relu), dense("d2", 10, 32), simple(LayerKind::softmax)};
  auto acts = infer_activations(n);
  REQUIRE(acts.ok());
  REQUIRE(acts->size() == n.layers.size() + 1);
  CHECK((*acts)[0].shape == std::vector<int>{256, 64, 1});
  CHECK((*acts)[1].shape == std::vector<int>{256, 64, 64});
  CHECK((*acts)[2].shape == std::vector<int>{128, 16, 64});
  CHECK((*acts)[3].shape == std::vector<int>{128, 16, 64});
  CHECK((*acts)[4].shape == std::vector<int>{64, 4, 64});
  CHECK((*acts)[5].shape == std::vector<int>{64 * 4 * 64});
  CHECK(acts->back().shape == std::vector<int>{10});
  CHECK_FALSE(acts->back().int8);
}

TEST_CASE("int8 placement and quantisation parameters are checked") {
  Network n;
  n.input_shape_override = {8, 8, 2};
  test::OpSpec spec;
  spec.int8 = true;
  Network q = test::make_op_network({8, 8, 2}, spec, 1);
  REQUIRE(error_of(q).empty());
  auto acts = infer_activations(q);
  CHECK((*acts)[1].int8);
  CHECK((*acts)[2].int8);
  CHECK((*acts)[2].quant.scale == q.layers[1].quant.scale);
  CHECK_FALSE((*acts)[3].int8);

  Network no_quantize = q;
  no_quantize.layers.erase(no_quantize.layers.begin());
  CHECK(error_of(no_quantize).find("int8 weights but a float input") != std::string::npos);
  Network float_after = q;
  float_after.layers.insert(float_after.layers.begin() + 2, simple(LayerKind::softmax));
  CHECK(error_of(float_after).find("float only") != std::string::npos);
  Network bad_scale = q;
  bad_scale.layers[1].quant.scale = 0.f;
  CHECK(error_of(bad_scale).find("out_scale > 0") != std::string::npos);
  Network bad_zero = q;
  bad_zero.layers[1].quant.zero = 300;
  CHECK(error_of(bad_zero).find("out_zero in [-128, 127]") != std::string::npos);
  Network double_q = q;
  double_q.layers.insert(double_q.layers.begin(), q.layers[0]);
  CHECK(error_of(double_q).find("already int8") != std::string::npos);

  // int8 average pooling needs its output parameters; max pooling keeps the input's.
  Network avg;
  avg.input_shape_override = {4, 4, 1};
  Layer quantize = simple(LayerKind::quantize);
  quantize.quant = {0.1f, 0};
  quantize.has_quant = true;
  avg.layers = {quantize, pool(LayerKind::avgpool, 2, 2)};
  CHECK(error_of(avg).find("out_scale") != std::string::npos);
  avg.layers[1].quant = {0.2f, 3};
  avg.layers[1].has_quant = true;
  auto a = infer_activations(avg);
  REQUIRE(a.ok());
  CHECK(a->back().quant.zero == 3);
  avg.layers[1] = pool(LayerKind::maxpool, 2, 2);
  a = infer_activations(avg);
  REQUIRE(a.ok());
  CHECK(a->back().quant.scale == 0.1f);
}

TEST_CASE("geometry errors name the layer") {
  Network n;
  n.input_shape_override = {5, 5, 3};
  n.layers = {conv("c", 4, 7, 3, 3, false)};
  CHECK(error_of(n).find("layer 0 (conv2d): kernel 7x3 does not fit") != std::string::npos);
  n.layers = {conv("c", 4, 3, 3, 2, false)};
  CHECK(error_of(n).find("input channels") != std::string::npos);
  n.layers = {dense("d", 4, 75)};
  CHECK(error_of(n).find("flat [C] input (add flatten)") != std::string::npos);
  n.layers = {simple(LayerKind::flatten), dense("d", 4, 74)};
  CHECK(error_of(n).find("layer 1 (dense)") != std::string::npos);
  Layer padded = pool(LayerKind::maxpool, 2, 2);
  padded.pad_top = 1;
  n.layers = {padded};
  CHECK(error_of(n).find("no padding") != std::string::npos);
  Layer zero_stride = pool(LayerKind::avgpool, 2, 2);
  zero_stride.stride_w = 0;
  n.layers = {zero_stride};
  CHECK(error_of(n).find(">= 1") != std::string::npos);
  n.layers = {simple(LayerKind::dequantize)};
  CHECK(error_of(n).find("not int8") != std::string::npos);
  Layer bn = simple(LayerKind::batchnorm);
  bn.scale = test::random_f32("s", {4}, 1);
  bn.shift = test::random_f32("t", {3}, 1);
  n.layers = {bn};
  CHECK(error_of(n).find("scale tensor 's' has shape [4], expected [3]") != std::string::npos);
  n.layers = {simple(LayerKind::globalavgpool), simple(LayerKind::globalmaxpool)};
  CHECK(error_of(n).find("layer 1 (globalmaxpool): needs an [H,W,C] input") != std::string::npos);
}
