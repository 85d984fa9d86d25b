// Every operator of every backend built in, against `reference` on random shapes (one-layer networks
// from test_model_builder.hpp): float within 1e-4 relative, int8 within 1 LSB of the output scale.
// Each backend runs with 1 and 2 threads, a batch of 3 and a batch of 1 on the same compiled network.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "catch.hpp"
#include "melgenre/backend.hpp"
#include "test_model_builder.hpp"

using namespace melgenre;
using namespace melgenre::test;

namespace {

struct OpCase {
  std::vector<int> shape;
  OpSpec spec;
};

std::string describe(const OpCase& c) {
  std::string s = std::string(layer_kind_name(c.spec.kind)) + (c.spec.int8 ? " int8" : " f32") + " on [";
  for (size_t i = 0; i < c.shape.size(); ++i) s += (i ? "," : "") + std::to_string(c.shape[i]);
  s += "] k" + std::to_string(c.spec.kernel_h) + "x" + std::to_string(c.spec.kernel_w) + " s" +
       std::to_string(c.spec.stride_h) + "x" + std::to_string(c.spec.stride_w) + " pad" +
       std::to_string(c.spec.pad_top) + std::to_string(c.spec.pad_left) + std::to_string(c.spec.pad_bottom) +
       std::to_string(c.spec.pad_right) + " cout" + std::to_string(c.spec.out_channels) +
       (c.spec.act == Activation::relu ? " relu" : "");
  return s;
}

// The scale of the network's int8 output (the last quantisation parameters along the layers).
float output_lsb(const Network& net) {
  float scale = 0.f;
  for (const auto& l : net.layers)
    if (l.has_quant) scale = l.quant.scale;
  return scale;
}

std::vector<OpCase> random_cases(uint32_t seed) {
  std::mt19937 gen(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  std::vector<OpCase> cases;
  for (bool int8 : {false, true}) {
    // conv2d: first-layer style (Cin 1), small Cin (im2col path), wide Cin (direct taps), odd Cout.
    const int cins[] = {1, 3, 8, 16, 20, 64};
    for (int cin : cins) {
      OpCase c;
      c.spec.kind = LayerKind::conv2d;
      c.spec.int8 = int8;
      c.spec.kernel_h = pick(1, 3);
      c.spec.kernel_w = pick(1, 5);
      c.spec.stride_h = pick(1, 2);
      c.spec.stride_w = pick(1, 2);
      c.spec.pad_top = pick(0, c.spec.kernel_h - 1);
      c.spec.pad_bottom = pick(0, c.spec.kernel_h - 1);
      c.spec.pad_left = pick(0, c.spec.kernel_w - 1);
      c.spec.pad_right = pick(0, c.spec.kernel_w - 1);
      c.spec.out_channels = cin == 64 ? 64 : pick(1, 40);
      c.spec.act = pick(0, 1) ? Activation::relu : Activation::none;
      c.shape = {pick(5, 12), pick(5, 12), cin};
      cases.push_back(c);
    }
    // The seed-001 layer shapes, smaller in time.
    OpCase first;
    first.spec = OpSpec{LayerKind::conv2d, int8, 64, 3, 3, 1, 1, 1, 1, 1, 1, Activation::relu, 1.f};
    first.shape = {8, 16, 1};
    cases.push_back(first);
    OpCase second;
    second.spec = OpSpec{LayerKind::conv2d, int8, 64, 3, 5, 1, 1, 1, 2, 1, 2, Activation::relu, 1.f};
    second.shape = {4, 8, 64};
    cases.push_back(second);
    // dense on flat and on [H,W,C] input (with flatten).
    for (int i = 0; i < 3; ++i) {
      OpCase c;
      c.spec.kind = LayerKind::dense;
      c.spec.int8 = int8;
      c.spec.out_channels = pick(1, 40);
      c.spec.act = i == 1 ? Activation::relu : Activation::none;
      c.shape = i == 2 ? std::vector<int>{pick(2, 6), pick(2, 6), pick(1, 8)} : std::vector<int>{pick(1, 300)};
      cases.push_back(c);
    }
    // pooling
    for (LayerKind k : {LayerKind::maxpool, LayerKind::avgpool}) {
      for (int i = 0; i < 2; ++i) {
        OpCase c;
        c.spec.kind = k;
        c.spec.int8 = int8;
        c.spec.kernel_h = pick(1, 4);
        c.spec.kernel_w = pick(1, 3);
        c.spec.stride_h = i == 0 ? c.spec.kernel_h : pick(1, 3);
        c.spec.stride_w = i == 0 ? c.spec.kernel_w : pick(1, 3);
        c.shape = {pick(4, 13), pick(3, 11), pick(1, 70)};
        cases.push_back(c);
      }
    }
    for (LayerKind k : {LayerKind::globalavgpool, LayerKind::globalmaxpool, LayerKind::relu, LayerKind::flatten}) {
      OpCase c;
      c.spec.kind = k;
      c.spec.int8 = int8;
      c.shape = {pick(1, 9), pick(1, 9), pick(1, 40)};
      cases.push_back(c);
    }
  }
  // float-only operators
  for (LayerKind k : {LayerKind::batchnorm, LayerKind::elu, LayerKind::softmax}) {
    OpCase c;
    c.spec.kind = k;
    c.spec.alpha = 0.7f;
    c.shape = k == LayerKind::softmax ? std::vector<int>{pick(2, 30)} : std::vector<int>{pick(1, 7), pick(1, 7), pick(1, 20)};
    cases.push_back(c);
  }
  return cases;
}

void compare_backend(const std::string& name, int threads) {
  BackendOptions opt;
  opt.threads = threads;
  auto backend = create_backend(name, opt);
  if (!backend && backend.error().status == Status::backend_unavailable) {
    WARN("backend " << name << " unavailable: " << backend.error().message);
    return;
  }
  REQUIRE(backend.ok());
  auto ref = create_backend("reference", BackendOptions{});
  REQUIRE(ref.ok());
  for (uint32_t seed : {1u, 2u}) {
    for (const OpCase& c : random_cases(seed * 100 + uint32_t(threads))) {
      INFO("backend " << name << " threads " << threads << ": " << describe(c));
      const Network net = make_op_network(c.shape, c.spec, seed);
      const int batch = 3;
      auto want_net = (*ref)->compile(net, batch);
      REQUIRE(want_net.ok());
      auto got_net = (*backend)->compile(net, batch);
      if (!got_net) INFO("compile: " << got_net.error().message);
      REQUIRE(got_net.ok());
      REQUIRE((*got_net)->output_size() == (*want_net)->output_size());
      size_t n_in = 1;
      for (int d : c.shape) n_in *= size_t(d);
      const auto input = random_input(n_in * batch, seed * 31 + 7);
      for (int b : {batch, 1}) {
        std::vector<float> want((*want_net)->output_size() * size_t(b)), got(want.size(), -12345.f);
        REQUIRE((*want_net)->run(input.data(), b, want.data()).ok());
        REQUIRE((*got_net)->run(input.data(), b, got.data()).ok());
        float tol;
        if (c.spec.int8) {
          tol = output_lsb(net) * 1.001f;  // 1 LSB
        } else {
          float range = 0.f;
          for (float v : want) range = std::max(range, std::fabs(v));
          tol = 1e-4f * std::max(range, 1e-3f);
        }
        size_t worst = 0;
        float worst_err = -1.f;
        for (size_t i = 0; i < want.size(); ++i) {
          const float err = std::fabs(got[i] - want[i]);
          if (!(err <= worst_err)) worst = i, worst_err = err;  // NaN counts as the worst
        }
        INFO("batch " << b << " output " << worst << " of " << want.size() << ": reference " << want[worst]
                      << " got " << got[worst] << " tolerance " << tol);
        REQUIRE(std::fabs(got[worst] - want[worst]) <= tol);
      }
    }
  }
}

}  // namespace

TEST_CASE("every operator of every built backend matches reference", "[backend]") {
  const auto built = built_backends();
  REQUIRE(std::find(built.begin(), built.end(), "reference") != built.end());
  for (const auto& name : built) {
    if (name == "reference") continue;
    for (int threads : {1, 2}) compare_backend(name, threads);
  }
}

TEST_CASE("backends refuse a batch beyond max_batch with a message", "[backend]") {
  const Network net = make_op_network({4, 4, 2}, OpSpec{LayerKind::relu}, 1);
  for (const auto& name : built_backends()) {
    auto backend = create_backend(name, BackendOptions{});
    if (!backend) continue;
    auto compiled = (*backend)->compile(net, 2);
    REQUIRE(compiled.ok());
    std::vector<float> in(32 * 3), out(32 * 3);
    auto r = (*compiled)->run(in.data(), 3, out.data());
    INFO("backend " << name);
    REQUIRE(!r.ok());
    REQUIRE(!r.error().message.empty());
  }
}
