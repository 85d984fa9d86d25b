// The optional CUDA backend against `reference` (float operators, max abs error <= 1e-4; int8 networks run
// as their float twin, so only a loose bound). Built only with -DMELGENRE_CUDA=ON; skipped with a
// message when no CUDA device exists (the development machines have none).
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "catch.hpp"
#include "melgenre/backend.hpp"
#include "test_model_builder.hpp"

namespace melgenre {
namespace {

float cuda_vs_reference(Backend& cuda, const Network& net, int batch, uint32_t seed) {
  size_t n_in = 1;
  for (int d : net.input_shape()) n_in *= size_t(d);
  const std::vector<float> input = test::random_input(n_in * size_t(batch), seed);
  const std::vector<float> want = test::run_reference(net, input, batch);
  REQUIRE(!want.empty());
  auto compiled = cuda.compile(net, batch);
  REQUIRE(compiled.ok());
  std::vector<float> got(want.size(), std::nanf(""));
  REQUIRE((*compiled)->run(input.data(), batch, got.data()).ok());
  float worst = 0.f;
  for (size_t i = 0; i < want.size(); ++i) {
    const float d = std::fabs(want[i] - got[i]);
    worst = std::isnan(d) ? INFINITY : std::max(worst, d);
  }
  return worst;
}

}  // namespace

TEST_CASE("cuda: float operators and networks match reference", "[cuda]") {
#ifndef MELGENRE_HAVE_CUDA
  WARN("cuda backend not built in (configure with -DMELGENRE_CUDA=ON and the CUDA toolkit): skipped");
#else
  auto backend = create_backend("cuda", BackendOptions{});
  if (!backend) {
    WARN("cuda tests skipped: " << backend.error().message);
    CHECK(backend.error().status == Status::backend_unavailable);
    return;
  }
  Backend& cuda = **backend;
  std::mt19937 gen(77);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  const LayerKind kinds[] = {LayerKind::conv2d, LayerKind::dense, LayerKind::batchnorm, LayerKind::relu,
                             LayerKind::elu, LayerKind::maxpool, LayerKind::avgpool, LayerKind::globalavgpool,
                             LayerKind::globalmaxpool, LayerKind::flatten, LayerKind::softmax};
  for (LayerKind kind : kinds)
    for (int trial = 0; trial < 4; ++trial) {
      test::OpSpec spec;
      spec.kind = kind;
      spec.kernel_h = pick(1, 4);
      spec.kernel_w = pick(1, 4);
      spec.stride_h = pick(1, 2);
      spec.stride_w = pick(1, 2);
      if (kind == LayerKind::conv2d) {  // cuDNN pads symmetrically
        spec.pad_top = spec.pad_bottom = pick(0, spec.kernel_h - 1);
        spec.pad_left = spec.pad_right = pick(0, spec.kernel_w - 1);
        spec.act = pick(0, 1) ? Activation::relu : Activation::none;
      }
      spec.out_channels = pick(1, 16);
      std::vector<int> shape = {pick(4, 16), pick(4, 16), pick(1, 8)};
      if (kind == LayerKind::softmax || (kind == LayerKind::dense && pick(0, 1))) shape = {pick(2, 40)};
      const Network net = test::make_op_network(shape, spec, uint32_t(trial + 1));
      INFO(layer_kind_name(kind) << " trial " << trial);
      CHECK(cuda_vs_reference(cuda, net, pick(1, 5), uint32_t(trial)) <= 1e-4f);
    }
  const Model cnn = test::make_cnn_model(7, false);
  CHECK(cuda_vs_reference(cuda, cnn.networks[0], 9, 5) <= 1e-4f);
  // int8 runs as the float twin: close to, not equal to, the int8 reference.
  const Model qcnn = test::make_cnn_model(7, true);
  CHECK(cuda_vs_reference(cuda, qcnn.networks[0], 9, 5) <= 0.05f);
#endif
}

}  // namespace melgenre
