// The Vulkan backend against `reference`: every operator on random shapes (float: max abs error <= 1e-4;
// int8: within 1 LSB of the output scale), whole networks, batching, and the auto/explicit selection rules.
// CI has Mesa's software device (lavapipe), so a missing device fails unless MELGENRE_SKIP_VULKAN=1.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "catch.hpp"
#include "melgenre/backend.hpp"
#include "test_model_builder.hpp"

#ifdef MELGENRE_HAVE_VULKAN
#include "backends/vulkan/vulkan_backend.hpp"
#endif

namespace melgenre {
namespace {

bool skip_allowed() {
  const char* v = std::getenv("MELGENRE_SKIP_VULKAN");
  return v && std::string(v) == "1";
}

// The backend, or null after reporting why (a failure unless skipping is allowed).
std::unique_ptr<Backend> vulkan_or_report() {
  auto b = create_backend("vulkan", BackendOptions{});
  if (b) return std::move(*b);
  if (skip_allowed()) {
    WARN("vulkan tests skipped (MELGENRE_SKIP_VULKAN=1): " << b.error().message);
  } else {
    FAIL("no Vulkan backend: " << b.error().message
                               << " (CI has lavapipe; set MELGENRE_SKIP_VULKAN=1 to skip on a machine without it)");
  }
  return nullptr;
}

size_t item_count(const std::vector<int>& shape) {
  size_t n = 1;
  for (int d : shape) n *= size_t(d);
  return n;
}

struct Difference {
  float worst = 0.f;   // max abs difference
  size_t above = 0;    // outputs differing by more than `margin`
  size_t outputs = 0;
};

// Runs `net` on both backends and compares (checking sizes on the way).
Difference compare(Backend& vulkan, const Network& net, int batch, uint32_t seed, float margin = 1e-4f) {
  const size_t n_in = item_count(net.input_shape());
  const std::vector<float> input = test::random_input(n_in * size_t(batch), seed);
  const std::vector<float> want = test::run_reference(net, input, batch);
  REQUIRE(!want.empty());
  auto compiled = vulkan.compile(net, batch);
  REQUIRE(compiled.ok());
  REQUIRE((*compiled)->max_batch() >= batch);
  REQUIRE((*compiled)->output_size() * size_t(batch) == want.size());
  std::vector<float> got(want.size(), std::nanf(""));
  auto ran = (*compiled)->run(input.data(), batch, got.data());
  REQUIRE(ran.ok());
  Difference diff;
  diff.outputs = want.size();
  for (size_t i = 0; i < want.size(); ++i) {
    const float d = std::fabs(want[i] - got[i]);
    diff.worst = std::isnan(d) ? INFINITY : std::max(diff.worst, d);
    if (!(d <= margin)) ++diff.above;
  }
  return diff;
}

float max_difference(Backend& vulkan, const Network& net, int batch, uint32_t seed) {
  return compare(vulkan, net, batch, seed).worst;
}

// The int8 output grid of an op network (quantize -> op -> dequantize): the scale before dequantize.
float output_lsb(const Network& net) {
  float scale = 0.f;
  for (const Layer& l : net.layers)
    if (l.has_quant) scale = l.quant.scale;
  return scale;
}

struct Case {
  std::vector<int> shape;
  test::OpSpec spec;
};

// Random shapes for one operator kind.
Case random_case(LayerKind kind, bool int8, std::mt19937& gen) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  Case c;
  c.spec.kind = kind;
  c.spec.int8 = int8;
  c.shape = {pick(1, 18), pick(1, 18), pick(1, 9)};
  switch (kind) {
    case LayerKind::conv2d:
      c.spec.kernel_h = pick(1, 5);
      c.spec.kernel_w = pick(1, 5);
      c.spec.stride_h = pick(1, 3);
      c.spec.stride_w = pick(1, 3);
      c.spec.pad_top = pick(0, std::min(2, c.spec.kernel_h - 1));  // the format wants padding < kernel
      c.spec.pad_left = pick(0, std::min(2, c.spec.kernel_w - 1));
      c.spec.pad_bottom = pick(0, std::min(2, c.spec.kernel_h - 1));
      c.spec.pad_right = pick(0, std::min(2, c.spec.kernel_w - 1));
      c.shape[0] = std::max(c.shape[0], c.spec.kernel_h);
      c.shape[1] = std::max(c.shape[1], c.spec.kernel_w);
      c.spec.out_channels = pick(1, 16);
      c.spec.act = pick(0, 1) ? Activation::relu : Activation::none;
      break;
    case LayerKind::dense:
      if (pick(0, 1)) c.shape = {pick(1, 300)};  // else a spatial input, flattened first
      c.spec.out_channels = pick(1, 40);
      c.spec.act = pick(0, 1) ? Activation::relu : Activation::none;
      break;
    case LayerKind::maxpool:
    case LayerKind::avgpool:
      c.spec.kernel_h = pick(1, 4);
      c.spec.kernel_w = pick(1, 4);
      c.spec.stride_h = pick(1, 4);
      c.spec.stride_w = pick(1, 4);
      c.shape[0] = std::max(c.shape[0], c.spec.kernel_h);
      c.shape[1] = std::max(c.shape[1], c.spec.kernel_w);
      break;
    case LayerKind::softmax: c.shape = {pick(1, 40)}; break;
    case LayerKind::elu: c.spec.alpha = std::uniform_real_distribution<float>(0.1f, 2.f)(gen); break;
    case LayerKind::relu:
    case LayerKind::batchnorm:
      if (pick(0, 1)) c.shape = {pick(1, 100)};
      break;
    default: break;
  }
  return c;
}

std::string describe(const Case& c, int batch) {
  std::string s = std::string(layer_kind_name(c.spec.kind)) + (c.spec.int8 ? " int8" : " f32") + " shape=";
  for (int d : c.shape) s += std::to_string(d) + ",";
  s += " k=" + std::to_string(c.spec.kernel_h) + "x" + std::to_string(c.spec.kernel_w) +
       " s=" + std::to_string(c.spec.stride_h) + "x" + std::to_string(c.spec.stride_w) +
       " pad=" + std::to_string(c.spec.pad_top) + "," + std::to_string(c.spec.pad_left) + "," +
       std::to_string(c.spec.pad_bottom) + "," + std::to_string(c.spec.pad_right) +
       " cout=" + std::to_string(c.spec.out_channels) + " batch=" + std::to_string(batch);
  return s;
}

}  // namespace

TEST_CASE("vulkan: every float operator matches reference on random shapes", "[vulkan]") {
#ifndef MELGENRE_HAVE_VULKAN
  WARN("vulkan backend not built in (needs libvulkan-dev and glslc): skipped");
#else
  auto vulkan = vulkan_or_report();
  if (!vulkan) return;
  const LayerKind kinds[] = {LayerKind::conv2d, LayerKind::dense, LayerKind::batchnorm, LayerKind::relu,
                             LayerKind::elu, LayerKind::maxpool, LayerKind::avgpool, LayerKind::globalavgpool,
                             LayerKind::globalmaxpool, LayerKind::flatten, LayerKind::softmax};
  std::mt19937 gen(1234);
  for (LayerKind kind : kinds) {
    for (int trial = 0; trial < 6; ++trial) {
      const Case c = random_case(kind, false, gen);
      const int batch = std::uniform_int_distribution<int>(1, 5)(gen);
      const uint32_t seed = uint32_t(gen() % 100000);
      const Network net = test::make_op_network(c.shape, c.spec, seed);
      INFO(describe(c, batch));
      CHECK(max_difference(*vulkan, net, batch, seed + 1) <= 1e-4f);
    }
  }
#endif
}

TEST_CASE("vulkan: int8 operators match reference within 1 LSB", "[vulkan]") {
#ifdef MELGENRE_HAVE_VULKAN
  auto vulkan = vulkan_or_report();
  if (!vulkan) return;
  const LayerKind kinds[] = {LayerKind::conv2d, LayerKind::dense, LayerKind::relu, LayerKind::maxpool,
                             LayerKind::avgpool, LayerKind::globalavgpool, LayerKind::globalmaxpool,
                             LayerKind::flatten};
  std::mt19937 gen(99);
  for (LayerKind kind : kinds) {
    for (int trial = 0; trial < 5; ++trial) {
      const Case c = random_case(kind, true, gen);
      const int batch = std::uniform_int_distribution<int>(1, 4)(gen);
      const uint32_t seed = uint32_t(gen() % 100000);
      const Network net = test::make_op_network(c.shape, c.spec, seed);
      const float lsb = output_lsb(net);
      INFO(describe(c, batch) << " lsb=" << lsb);
      REQUIRE(lsb > 0.f);
      // Exact int32 accumulation leaves only rare rounding-boundary cases 1 LSB apart.
      const Difference d = compare(*vulkan, net, batch, seed + 1, lsb * 0.5f);
      CHECK(d.worst <= lsb * 1.001f + 1e-6f);
      CHECK(d.above <= d.outputs / 100);
    }
  }
#endif
}

TEST_CASE("vulkan: whole networks match reference, float and int8", "[vulkan]") {
#ifdef MELGENRE_HAVE_VULKAN
  auto vulkan = vulkan_or_report();
  if (!vulkan) return;
  for (bool int8 : {false, true}) {
    const Model cnn = test::make_cnn_model(7, int8);
    INFO("cnn int8=" << int8);
    CHECK(max_difference(*vulkan, cnn.networks[0], 9, 5) <= (int8 ? 1e-3f : 1e-4f));
  }
  const Model mlp = test::make_summary_model(3);
  CHECK(max_difference(*vulkan, mlp.networks[0], 17, 6) <= 1e-4f);
#endif
}

TEST_CASE("vulkan: large batches need 2-D dispatches and one network serves any batch size", "[vulkan]") {
#ifdef MELGENRE_HAVE_VULKAN
  auto vulkan = vulkan_or_report();
  if (!vulkan) return;
  test::OpSpec spec;
  spec.kind = LayerKind::conv2d;
  spec.out_channels = 32;
  spec.pad_top = spec.pad_left = spec.pad_bottom = spec.pad_right = 1;
  // 70 items x 40 x 30 x 32 outputs = 2.7M invocations > 65535 work groups of 64 in one dimension.
  const Network net = test::make_op_network({40, 30, 2}, spec, 11);
  CHECK(max_difference(*vulkan, net, 70, 12) <= 1e-4f);

  auto compiled = vulkan->compile(net, 8);
  REQUIRE(compiled.ok());
  const size_t n_in = item_count(net.input_shape());
  for (int batch : {3, 8, 1, 3}) {  // re-recording when the size changes, reuse when it does not
    const std::vector<float> input = test::random_input(n_in * size_t(batch), uint32_t(batch));
    const std::vector<float> want = test::run_reference(net, input, batch);
    std::vector<float> got(want.size());
    REQUIRE((*compiled)->run(input.data(), batch, got.data()).ok());
    float worst = 0.f;
    for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::fabs(want[i] - got[i]));
    CHECK(worst <= 1e-4f);
  }
  std::vector<float> in(n_in * 9), out((*compiled)->output_size() * 9);
  auto too_many = (*compiled)->run(in.data(), 9, out.data());
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.error().status == Status::invalid_argument);
#endif
}

TEST_CASE("vulkan: auto never picks a software device; explicit vulkan names its device problem", "[vulkan]") {
#ifdef MELGENRE_HAVE_VULKAN
  auto built = built_backends();
  REQUIRE(std::find(built.begin(), built.end(), "vulkan") != built.end());
  auto picked = create_backend("auto", BackendOptions{}, 1000000);
  REQUIRE(picked.ok());
  if (!vulkan_gpu_present()) CHECK((*picked)->name() != "vulkan");
  // Small jobs stay on the CPU even with a GPU.
  auto small = create_backend("auto", BackendOptions{}, 1);
  REQUIRE(small.ok());
  CHECK((*small)->name() != "vulkan");
#endif
}

}  // namespace melgenre
