// The reference operators against hand-computed cases, and the reference backend / registry contract.
#include <algorithm>
#include <cmath>
#include <vector>

#include "backends/reference/reference_ops.hpp"
#include "catch.hpp"
#include "melgenre/backend.hpp"
#include "test_model_builder.hpp"

using namespace melgenre;
using namespace melgenre::reference;
using Catch::Detail::Approx;

TEST_CASE("float conv2d: known weights, stride, padding, relu") {
  const std::vector<float> in = {1, 2, 3, 4, 5, 6, 7, 8, 9};  // 3x3x1
  const std::vector<float> w(4, 1.f);                         // 1 output, 2x2x1, all ones
  const float bias = 0.5f;
  Window win;
  win.kh = win.kw = 2;
  std::vector<float> out(4);
  conv2d_f32(in.data(), {1, 3, 3, 1}, w.data(), &bias, 1, win, Activation::none, out.data());
  CHECK(out == std::vector<float>{12.5f, 16.5f, 24.5f, 28.5f});

  win.sh = win.sw = 2;
  win.pad_top = win.pad_left = win.pad_bottom = win.pad_right = 1;
  REQUIRE(win.out_h(3) == 2);
  conv2d_f32(in.data(), {1, 3, 3, 1}, w.data(), &bias, 1, win, Activation::none, out.data());
  CHECK(out == std::vector<float>{1.5f, 5.5f, 11.5f, 28.5f});

  // Two input channels, two outputs (OHWI), relu clips the negative one.
  const std::vector<float> in2 = {1, 2};
  const std::vector<float> w2 = {3, 4, 1, -1};
  const std::vector<float> b2 = {-1, -5};
  Window one;
  std::vector<float> out2(2);
  conv2d_f32(in2.data(), {1, 1, 1, 2}, w2.data(), b2.data(), 2, one, Activation::relu, out2.data());
  CHECK(out2 == std::vector<float>{10.f, 0.f});
}

TEST_CASE("pooling uses floor and no padding") {
  std::vector<float> in(25);
  for (int i = 0; i < 25; ++i) in[i] = float(i);  // 5x5x1, row-major
  Window win;
  win.kh = win.kw = win.sh = win.sw = 2;
  REQUIRE(win.out_h(5) == 2);
  std::vector<float> out(4);
  maxpool_f32(in.data(), {1, 5, 5, 1}, win, out.data());
  CHECK(out == std::vector<float>{6, 8, 16, 18});
  avgpool_f32(in.data(), {1, 5, 5, 1}, win, out.data());
  CHECK(out == std::vector<float>{3, 5, 13, 15});

  // Non-square window and stride 2x4 (the seed CNN's pooling) on 4x9x1: 2x2 out, column 8 dropped.
  std::vector<float> in2(36);
  for (int i = 0; i < 36; ++i) in2[i] = float(i % 9) + 10.f * float(i / 9);
  Window w24;
  w24.kh = 2;
  w24.kw = 4;
  w24.sh = 2;
  w24.sw = 4;
  std::vector<float> out2(4);
  maxpool_f32(in2.data(), {1, 4, 9, 1}, w24, out2.data());
  CHECK(out2 == std::vector<float>{13, 17, 33, 37});

  std::vector<float> g(2);
  const std::vector<float> hwc = {1, -1, 3, -3, 5, -5, 7, -7};  // 2x2x2
  globalavgpool_f32(hwc.data(), {1, 2, 2, 2}, g.data());
  CHECK(g == std::vector<float>{4, -4});
  globalmaxpool_f32(hwc.data(), {1, 2, 2, 2}, g.data());
  CHECK(g == std::vector<float>{7, -1});
}

TEST_CASE("dense, batchnorm, elu, softmax") {
  const std::vector<float> x = {1, 2, 3, -1, 0, 1};  // 2 rows of 3
  const std::vector<float> w = {1, 0, -1, 2, 2, 2};   // 2 outputs
  const std::vector<float> b = {0.5f, -1.f};
  std::vector<float> y(4);
  dense_f32(x.data(), 2, 3, w.data(), b.data(), 2, Activation::none, y.data());
  CHECK(y == std::vector<float>{-1.5f, 11.f, -1.5f, -1.f});
  dense_f32(x.data(), 2, 3, w.data(), b.data(), 2, Activation::relu, y.data());
  CHECK(y == std::vector<float>{0.f, 11.f, 0.f, 0.f});

  const std::vector<float> scale = {2, 3}, shift = {1, -1};
  std::vector<float> bn = {1, 1, 2, 2};
  batchnorm_f32(bn.data(), 4, 2, scale.data(), shift.data(), bn.data());
  CHECK(bn == std::vector<float>{3, 2, 5, 5});

  const std::vector<float> e = {-1.f, 0.f, 2.f};
  std::vector<float> eo(3);
  elu_f32(e.data(), 3, 0.5f, eo.data());
  CHECK(eo[0] == Approx(0.5 * (std::exp(-1.0) - 1.0)));
  CHECK(eo[1] == 0.f);
  CHECK(eo[2] == 2.f);

  std::vector<float> s = {0.f, std::log(2.f), std::log(3.f), 1000.f, 1000.f, 1000.f};
  softmax_f32(s.data(), 2, 3, s.data());
  CHECK(s[0] == Approx(1.0 / 6));
  CHECK(s[1] == Approx(2.0 / 6));
  CHECK(s[2] == Approx(3.0 / 6));
  CHECK(s[3] == Approx(1.0 / 3));  // large logits do not overflow
}

TEST_CASE("quantisation rounds half away from zero and clamps") {
  const QuantParams q{0.5f, 0};
  CHECK(quantize_value(0.25f, q) == 1);
  CHECK(quantize_value(-0.25f, q) == -1);
  CHECK(quantize_value(0.2f, q) == 0);
  CHECK(quantize_value(100.f, q) == 127);
  CHECK(quantize_value(-100.f, q) == -128);
  CHECK(quantize_value(0.25f, QuantParams{0.5f, 10}) == 11);
  CHECK(dequantize_value(int8_t(11), QuantParams{0.5f, 10}) == 0.5f);

  CHECK(requantize(3, 0.5f, 0) == 2);    // 1.5 -> 2
  CHECK(requantize(-3, 0.5f, 0) == -2);  // -1.5 -> -2
  CHECK(requantize(5, 0.5f, 0) == 3);    // 2.5 -> 3 (not banker's 2)
  CHECK(requantize(3, 0.5f, 5) == 7);
  CHECK(requantize(-3, 0.5f, 5, /*lo=*/5) == 5);  // relu clamps at the zero point
  CHECK(requantize(1 << 30, 1.f, 0) == 127);
  CHECK(requantize(-(1 << 30), 1.f, 0) == -128);
}

TEST_CASE("int8 conv and dense: accumulate around the zero point, requantise per channel") {
  // Input scale 0.5, zero 1: q = [3, 1] means real [1, 0]; kernel 1x2 weights [2, -1].
  const std::vector<int8_t> in = {3, 1};
  const std::vector<int8_t> w = {2, -1};
  const float ws = 0.25f;
  Window win;
  win.kh = 1;
  win.kw = 2;
  int8_t out = 0;
  for (auto [bias, expect] : std::vector<std::pair<int32_t, int>>{{5, 1}, {8, 2}, {-20, -2}}) {
    // acc = bias + (3-1)*2 + (1-1)*(-1) = bias + 4; multiplier = 0.5*0.25/1 = 0.125
    conv2d_i8(in.data(), {1, 1, 2, 1}, {0.5f, 1}, w.data(), &ws, &bias, 1, win, {1.f, 0}, Activation::none, &out);
    CHECK(int(out) == expect);
  }
  // relu: the lower clamp is the output zero point.
  int32_t neg_bias = -20;
  conv2d_i8(in.data(), {1, 1, 2, 1}, {0.5f, 1}, w.data(), &ws, &neg_bias, 1, win, {1.f, 3}, Activation::relu, &out);
  CHECK(int(out) == 3);

  // Padding is the input zero point (real 0): an all-zero-point input yields just the bias.
  const std::vector<int8_t> zeros(9, int8_t(7));
  const std::vector<int8_t> w9(9, int8_t(5));
  Window pad;
  pad.kh = pad.kw = 3;
  pad.pad_top = pad.pad_left = pad.pad_bottom = pad.pad_right = 1;
  const int32_t b = 12;
  std::vector<int8_t> o9(9);
  conv2d_i8(zeros.data(), {1, 3, 3, 1}, {0.1f, 7}, w9.data(), &ws, &b, 1, pad, {0.1f, 0}, Activation::none, o9.data());
  for (int8_t v : o9) CHECK(int(v) == 3);  // 12 * 0.1 * 0.25 / 0.1 = 3

  // Dense: two channels with their own weight scales.
  const std::vector<int8_t> x = {10, -10};
  const std::vector<int8_t> wd = {1, 1, 1, -1};
  const std::vector<float> wsd = {0.5f, 0.25f};
  const std::vector<int32_t> bd = {0, 1};
  std::vector<int8_t> yd(2);
  dense_i8(x.data(), 1, 2, {1.f, 0}, wd.data(), wsd.data(), bd.data(), 2, {1.f, 0}, Activation::none, yd.data());
  CHECK(int(yd[0]) == 0);   // acc 0
  CHECK(int(yd[1]) == 5);   // acc 21 * 0.25 = 5.25 -> 5
}

TEST_CASE("int8 pooling, relu and (de)quantize") {
  const std::vector<int8_t> in = {1, 2, 3, 4};  // 2x2x1
  Window win;
  win.kh = win.kw = win.sh = win.sw = 2;
  int8_t out = 0;
  avgpool_i8(in.data(), {1, 2, 2, 1}, win, {1.f, 0}, {1.f, 0}, &out);
  CHECK(int(out) == 3);  // 2.5 rounds away from zero
  avgpool_i8(in.data(), {1, 2, 2, 1}, win, {1.f, 1}, {0.5f, -10}, &out);
  CHECK(int(out) == -7);  // sum(q-1)=6, 6*1/(0.5*4)=3 -> 3-10
  maxpool_i8(in.data(), {1, 2, 2, 1}, win, &out);
  CHECK(int(out) == 4);
  globalavgpool_i8(in.data(), {1, 2, 2, 1}, {1.f, 0}, {2.f, 0}, &out);
  CHECK(int(out) == 1);  // 2.5 / 2 = 1.25
  globalmaxpool_i8(in.data(), {1, 2, 2, 1}, &out);
  CHECK(int(out) == 4);
  std::vector<int8_t> r(4);
  relu_i8(in.data(), 4, 3, r.data());
  CHECK(r == std::vector<int8_t>{3, 3, 3, 4});
  const std::vector<float> f = {-1.f, 0.f, 0.3f};
  std::vector<int8_t> q(3);
  quantize_f32(f.data(), 3, {0.1f, -5}, q.data());
  CHECK(q == std::vector<int8_t>{-15, -5, -2});
  std::vector<float> d(3);
  dequantize_i8(q.data(), 3, {0.1f, -5}, d.data());
  CHECK(d[0] == Approx(-1.f));
  CHECK(d[2] == Approx(0.3f));
}

TEST_CASE("backend registry") {
  auto names = built_backends();
  CHECK(std::find(names.begin(), names.end(), "reference") != names.end());
  auto ref = create_backend("reference", BackendOptions{});
  REQUIRE(ref.ok());
  CHECK((*ref)->name() == "reference");
  auto any = create_backend("auto", BackendOptions{2});
  REQUIRE(any.ok());
  CHECK(std::find(names.begin(), names.end(), (*any)->name()) != names.end());
  auto bad = create_backend("tpu", BackendOptions{});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().status == Status::invalid_argument);
  if (std::find(names.begin(), names.end(), "cuda") == names.end()) {
    auto cuda = create_backend("cuda", BackendOptions{});
    REQUIRE_FALSE(cuda.ok());
    CHECK(cuda.error().status == Status::backend_unavailable);
    CHECK(cuda.error().message.find("not built") != std::string::npos);
  }
  CHECK_FALSE(create_backend("reference", BackendOptions{0}).ok());
}

TEST_CASE("reference backend runs networks; batches equal single items") {
  auto backend = create_backend("reference", BackendOptions{});
  REQUIRE(backend.ok());
  for (bool int8 : {false, true}) {
    test::OpSpec spec;
    spec.kind = LayerKind::conv2d;
    spec.int8 = int8;
    spec.out_channels = 5;
    spec.pad_top = spec.pad_left = 1;
    spec.stride_h = 2;
    const std::vector<int> shape = {7, 6, 3};
    Network net = test::make_op_network(shape, spec, 42);
    auto compiled = (*backend)->compile(net, 3);
    REQUIRE(compiled.ok());
    CHECK((*compiled)->max_batch() == 3);
    const size_t n_in = 7 * 6 * 3, n_out = (*compiled)->output_size();
    CHECK(n_out == size_t(3 * 5 * 5));  // out_h = (7+1-3)/2+1 = 3, out_w = (6+1-3)/1+1 = 5, 5 channels
    auto x = test::random_input(n_in * 3, 1);
    std::vector<float> all(n_out * 3), one(n_out);
    REQUIRE((*compiled)->run(x.data(), 3, all.data()).ok());
    for (int i = 0; i < 3; ++i) {
      REQUIRE((*compiled)->run(x.data() + i * n_in, 1, one.data()).ok());
      CHECK(std::vector<float>(all.begin() + i * n_out, all.begin() + (i + 1) * n_out) == one);
    }
    CHECK_FALSE((*compiled)->run(x.data(), 4, all.data()).ok());
    CHECK_FALSE((*compiled)->run(x.data(), 0, all.data()).ok());
  }
}

TEST_CASE("an int8 network tracks its float twin") {
  // The quantised op network (quantize -> conv -> dequantize) stays within a few output steps of the
  // same conv in float on inputs on the int8 grid.
  test::OpSpec spec;
  spec.kind = LayerKind::conv2d;
  spec.out_channels = 6;
  spec.act = Activation::relu;
  const std::vector<int> shape = {6, 5, 4};
  spec.int8 = true;
  Network q = test::make_op_network(shape, spec, 9);
  REQUIRE(q.layers.size() == 3);
  const QuantParams in_q = q.layers[0].quant;
  const QuantParams out_q = q.layers[1].quant;
  auto x = test::random_input(6 * 5 * 4, 3);
  for (auto& v : x) v = float(std::lround(v / in_q.scale)) * in_q.scale;
  // Float twin from the quantised weights.
  Network f = q;
  Layer conv = q.layers[1];
  std::vector<float> wf(conv.weight->count()), bf(conv.bias->count());
  const size_t per = conv.weight->count() / 6;
  for (size_t i = 0; i < wf.size(); ++i) wf[i] = conv.weight->i8[i] * conv.weight_scale->f32[i / per];
  for (size_t c = 0; c < bf.size(); ++c) bf[c] = conv.bias->i32[c] * in_q.scale * conv.weight_scale->f32[c];
  conv.weight = test::f32_tensor("w", conv.weight->shape, wf);
  conv.bias = test::f32_tensor("b", {6}, bf);
  conv.weight_scale = nullptr;
  conv.has_quant = false;
  f.layers = {conv};
  auto yq = test::run_reference(q, x, 1);
  auto yf = test::run_reference(f, x, 1);
  REQUIRE(yq.size() == yf.size());
  REQUIRE_FALSE(yq.empty());
  for (size_t i = 0; i < yq.size(); ++i) CHECK(std::fabs(yq[i] - yf[i]) <= out_q.scale * 0.5f + 1e-5f);
}
