// The reference backend: interprets a network layer by layer with the scalar operators of
// reference_ops. Single-threaded on purpose (it is the definition, not the fast path).
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "backends/backend_factories.hpp"
#include "backends/reference/reference_ops.hpp"
#include "model/network_shapes.hpp"

namespace melgenre {
namespace {

reference::Dims dims_of(const ActivationInfo& a, int batch) {
  if (a.shape.size() == 3) return {batch, a.shape[0], a.shape[1], a.shape[2]};
  return {batch, 1, 1, a.shape.empty() ? 1 : a.shape[0]};
}

class ReferenceNetwork final : public CompiledNetwork {
 public:
  ReferenceNetwork(Network network, std::vector<ActivationInfo> acts, int max_batch)
      : net_(std::move(network)), acts_(std::move(acts)), max_batch_(max_batch) {
    size_t largest = 0;
    for (const auto& a : acts_) largest = std::max(largest, a.count());
    for (auto& b : f32_) b.resize(largest * size_t(max_batch));
    for (auto& b : i8_) b.resize(largest * size_t(max_batch));
  }

  int max_batch() const override { return max_batch_; }
  size_t output_size() const override { return acts_.back().count(); }

  Expected<void> run(const float* input, int batch, float* output) override {
    if (batch < 1 || batch > max_batch_)
      return make_error(Status::invalid_argument, "batch of " + std::to_string(batch) + " items, this network was "
                                                  "compiled for 1.." + std::to_string(max_batch_));
    std::memcpy(f32_[0].data(), input, acts_[0].count() * size_t(batch) * sizeof(float));
    int cur = 0;  // index of the buffer holding the current activation (f32_ or i8_ by its dtype)
    for (size_t i = 0; i < net_.layers.size(); ++i) {
      const Layer& l = net_.layers[i];
      const ActivationInfo& in = acts_[i];
      const ActivationInfo& out = acts_[i + 1];
      const reference::Dims d = dims_of(in, batch);
      const size_t n_in = in.count() * size_t(batch);
      const int nxt = 1 - cur;
      const float* fi = f32_[cur].data();
      float* fo = f32_[nxt].data();
      const int8_t* qi = i8_[cur].data();
      int8_t* qo = i8_[nxt].data();
      bool moved = true;  // whether the result is in buffer nxt (false: layer was a no-op)
      switch (l.kind) {
        case LayerKind::conv2d: {
          const int cout = l.weight->shape[0];
          if (in.int8)
            reference::conv2d_i8(qi, d, in.quant, l.weight->i8.data(), l.weight_scale->f32.data(), l.bias->i32.data(),
                                 cout, reference::window_of(l), out.quant, l.act, qo);
          else
            reference::conv2d_f32(fi, d, l.weight->f32.data(), l.bias->f32.data(), cout, reference::window_of(l),
                                  l.act, fo);
          break;
        }
        case LayerKind::dense: {
          const int in_f = in.shape[0], out_f = out.shape[0];
          if (in.int8)
            reference::dense_i8(qi, batch, in_f, in.quant, l.weight->i8.data(), l.weight_scale->f32.data(),
                                l.bias->i32.data(), out_f, out.quant, l.act, qo);
          else
            reference::dense_f32(fi, batch, in_f, l.weight->f32.data(), l.bias->f32.data(), out_f, l.act, fo);
          break;
        }
        case LayerKind::batchnorm:
          reference::batchnorm_f32(fi, n_in, in.shape.back(), l.scale->f32.data(), l.shift->f32.data(), fo);
          break;
        case LayerKind::relu:
          if (in.int8)
            reference::relu_i8(qi, n_in, in.quant.zero, qo);
          else
            reference::relu_f32(fi, n_in, fo);
          break;
        case LayerKind::elu: reference::elu_f32(fi, n_in, l.alpha, fo); break;
        case LayerKind::maxpool:
          if (in.int8)
            reference::maxpool_i8(qi, d, reference::window_of(l), qo);
          else
            reference::maxpool_f32(fi, d, reference::window_of(l), fo);
          break;
        case LayerKind::avgpool:
          if (in.int8)
            reference::avgpool_i8(qi, d, reference::window_of(l), in.quant, out.quant, qo);
          else
            reference::avgpool_f32(fi, d, reference::window_of(l), fo);
          break;
        case LayerKind::globalavgpool:
          if (in.int8)
            reference::globalavgpool_i8(qi, d, in.quant, out.quant, qo);
          else
            reference::globalavgpool_f32(fi, d, fo);
          break;
        case LayerKind::globalmaxpool:
          if (in.int8)
            reference::globalmaxpool_i8(qi, d, qo);
          else
            reference::globalmaxpool_f32(fi, d, fo);
          break;
        case LayerKind::flatten: moved = false; break;  // NHWC is already (h, w, c) order
        case LayerKind::softmax: reference::softmax_f32(fi, batch, int(in.count()), fo); break;
        case LayerKind::quantize: reference::quantize_f32(fi, n_in, out.quant, qo); break;
        case LayerKind::dequantize: reference::dequantize_i8(qi, n_in, in.quant, fo); break;
      }
      if (moved) cur = nxt;
    }
    const ActivationInfo& last = acts_.back();
    const size_t n_out = last.count() * size_t(batch);
    if (last.int8)
      reference::dequantize_i8(i8_[cur].data(), n_out, last.quant, output);
    else
      std::memcpy(output, f32_[cur].data(), n_out * sizeof(float));
    return {};
  }

 private:
  Network net_;  // layers share the model's tensors
  std::vector<ActivationInfo> acts_;
  int max_batch_;
  std::vector<float> f32_[2];
  std::vector<int8_t> i8_[2];
};

class ReferenceBackend final : public Backend {
 public:
  std::string name() const override { return "reference"; }

  Expected<std::unique_ptr<CompiledNetwork>> compile(const Network& network, int max_batch) override {
    auto acts = infer_activations(network);
    if (!acts) return acts.error();
    auto checked = check_batch_memory(*acts, max_batch);
    if (!checked) return checked.error();
    return std::unique_ptr<CompiledNetwork>(new ReferenceNetwork(network, std::move(*acts), max_batch));
  }
};

}  // namespace

Expected<void> check_batch_memory(const std::vector<ActivationInfo>& acts, int max_batch) {
  if (max_batch < 1 || max_batch > 4096)
    return make_error(Status::invalid_argument, "max_batch must be in [1, 4096], got " + std::to_string(max_batch));
  size_t largest = 0;
  for (const auto& a : acts) largest = std::max(largest, a.count());
  if (largest * size_t(max_batch) > (size_t(1) << 28))
    return make_error(Status::resource_limit, "a batch of " + std::to_string(max_batch) +
                                                  " items needs more than 1 GiB of activations; use a smaller batch");
  return {};
}

Expected<std::unique_ptr<Backend>> make_reference_backend(const BackendOptions&) {
  return std::unique_ptr<Backend>(new ReferenceBackend());
}

}  // namespace melgenre
