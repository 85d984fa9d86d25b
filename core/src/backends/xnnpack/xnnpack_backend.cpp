// The xnnpack backend (native only): XNNPACK operators (2022 API from apt) on a pthreadpool owned by
// the backend. Heavy operators run in XNNPACK: conv2d (qc8 per-channel int8 / f32), dense (int8 as a
// 1x1 qc8 convolution, because XNNPACK's qs8 fully-connected has one weight scale only; f32 as
// fully-connected), max pooling (s8 / f32), average pooling (f32), global average pooling (qs8 / f32),
// softmax (f32). The cheap rest (quantize, dequantize, relu, ELU, batchnorm, int8 average pooling,
// global max pooling) runs on the host with the simd backend's portable loops, and so does any layer
// XNNPACK refuses to create (e.g. a stride it does not support).
//
// Rounding: XNNPACK 2022 requantises qc8/qs8 with fp32 arithmetic and round-to-nearest-even, the
// reference rounds half away from zero: they differ only on exact ties, at most 1 LSB (FORMAT.md).
#include <xnnpack.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend_factories.hpp"
#include "backends/simd/int8_gemm.hpp"
#include "backends/simd/pooling.hpp"
#include "model/network_shapes.hpp"

namespace melgenre {
namespace {

// XNNPACK's library state and the thread pool, shared by the backend and every network it compiled
// (a network may outlive its backend object).
struct XnnContext {
  bool initialized = false;
  pthreadpool_t pool = nullptr;
  ~XnnContext() {
    if (pool) pthreadpool_destroy(pool);
    if (initialized) xnn_deinitialize();
  }
};

struct OperatorDeleter {
  void operator()(xnn_operator* op) const { xnn_delete_operator(op); }
};
using OperatorPtr = std::unique_ptr<xnn_operator, OperatorDeleter>;

enum class XnnKind { conv_qc8, conv_f32, fc_f32, maxpool_s8, maxpool_f32, avgpool_f32, gavg_qs8, gavg_f32,
                     softmax_f32, host };

struct XnnStep {
  Layer layer;
  ActivationInfo in, out;
  XnnKind kind = XnnKind::host;
  OperatorPtr op;
  int in_h = 1, in_w = 1;  // the spatial extent XNNPACK sees (dense-as-conv: 1x1)
};

std::string status_text(xnn_status s) {
  switch (s) {
    case xnn_status_success: return "success";
    case xnn_status_uninitialized: return "uninitialized";
    case xnn_status_invalid_parameter: return "invalid parameter";
    case xnn_status_invalid_state: return "invalid state";
    case xnn_status_unsupported_parameter: return "unsupported parameter";
    case xnn_status_unsupported_hardware: return "unsupported hardware";
    case xnn_status_out_of_memory: return "out of memory";
  }
  return "error " + std::to_string(int(s));
}

int8_t clamp8(int v) { return int8_t(std::max(-128, std::min(127, v))); }

class XnnNetwork final : public CompiledNetwork {
 public:
  XnnNetwork(std::shared_ptr<XnnContext> ctx, std::vector<XnnStep> steps, std::vector<ActivationInfo> acts,
             int max_batch)
      : ctx_(std::move(ctx)), steps_(std::move(steps)), acts_(std::move(acts)), max_batch_(max_batch) {
    size_t largest = 0;
    for (const auto& a : acts_) largest = std::max(largest, a.count());
    // XNNPACK kernels may read a little past the end of an input (XNN_EXTRA_BYTES).
    for (auto& b : f32_) b.assign(largest * size_t(max_batch) + 64, 0.f);
    for (auto& b : i8_) b.assign(largest * size_t(max_batch) + 256, 0);
  }

  int max_batch() const override { return max_batch_; }
  size_t output_size() const override { return acts_.back().count(); }

  Expected<void> run(const float* input, int batch, float* output) override {
    if (batch < 1 || batch > max_batch_)
      return make_error(Status::invalid_argument, "batch of " + std::to_string(batch) +
                                                      " items, this network was compiled for 1.." +
                                                      std::to_string(max_batch_));
    std::memcpy(f32_[0].data(), input, acts_[0].count() * size_t(batch) * sizeof(float));
    int cur = 0;
    for (auto& s : steps_) {
      if (s.layer.kind == LayerKind::flatten) continue;
      const int nxt = 1 - cur;
      auto r = s.kind == XnnKind::host ? run_host(s, batch, cur, nxt) : run_xnn(s, batch, cur, nxt);
      if (!r) return r;
      cur = nxt;
    }
    const ActivationInfo& last = acts_.back();
    const size_t n = last.count() * size_t(batch);
    if (last.int8) {
      for (size_t i = 0; i < n; ++i) output[i] = float(int(i8_[cur][i]) - last.quant.zero) * last.quant.scale;
    } else {
      std::memcpy(output, f32_[cur].data(), n * sizeof(float));
    }
    return {};
  }

 private:
  Expected<void> run_xnn(XnnStep& s, int batch, int cur, int nxt) {
    pthreadpool_t pool = ctx_->pool;
    const int8_t* qi = i8_[cur].data();
    int8_t* qo = i8_[nxt].data();
    const float* fi = f32_[cur].data();
    float* fo = f32_[nxt].data();
    xnn_operator_t op = s.op.get();
    xnn_status st = xnn_status_success;
    const size_t n = size_t(batch);
    switch (s.kind) {
      case XnnKind::conv_qc8:
        st = xnn_setup_convolution2d_nhwc_qc8(op, n, s.in_h, s.in_w, qi, qo, pool);
        break;
      case XnnKind::conv_f32:
        st = xnn_setup_convolution2d_nhwc_f32(op, n, s.in_h, s.in_w, fi, fo, pool);
        break;
      case XnnKind::fc_f32:
        st = xnn_setup_fully_connected_nc_f32(op, n, fi, fo, pool);
        break;
      case XnnKind::maxpool_s8:
        st = xnn_setup_max_pooling2d_nhwc_s8(op, n, s.in_h, s.in_w, qi, qo, pool);
        break;
      case XnnKind::maxpool_f32:
        st = xnn_setup_max_pooling2d_nhwc_f32(op, n, s.in_h, s.in_w, fi, fo, pool);
        break;
      case XnnKind::avgpool_f32:
        st = xnn_setup_average_pooling2d_nhwc_f32(op, n, s.in_h, s.in_w, fi, fo, pool);
        break;
      case XnnKind::gavg_qs8:
        st = xnn_setup_global_average_pooling_nwc_qs8(op, n, size_t(s.in_h) * s.in_w, qi, qo, pool);
        break;
      case XnnKind::gavg_f32:
        st = xnn_setup_global_average_pooling_nwc_f32(op, n, size_t(s.in_h) * s.in_w, fi, fo, pool);
        break;
      case XnnKind::softmax_f32:
        st = xnn_setup_softmax_nc_f32(op, n, fi, fo, pool);
        break;
      case XnnKind::host:
        break;
    }
    if (st == xnn_status_success) st = xnn_run_operator(op, pool);
    if (st != xnn_status_success)
      return make_error(Status::internal, std::string("xnnpack backend: running ") + layer_kind_name(s.layer.kind) +
                                              " failed: " + status_text(st));
    return {};
  }

  Expected<void> run_host(const XnnStep& s, int batch, int cur, int nxt) {
    const int8_t* qi = i8_[cur].data();
    int8_t* qo = i8_[nxt].data();
    const float* fi = f32_[cur].data();
    float* fo = f32_[nxt].data();
    const size_t n = s.in.count() * size_t(batch);
    const Layer& l = s.layer;
    switch (l.kind) {
      case LayerKind::quantize:
        for (size_t i = 0; i < n; ++i) {
          float v = fi[i] / s.out.quant.scale;
          v = std::min(std::max(v, -1e6f), 1e6f);
          qo[i] = clamp8(int(std::lround(v)) + s.out.quant.zero);  // lround: half away from zero
        }
        return {};
      case LayerKind::dequantize:
        for (size_t i = 0; i < n; ++i) fo[i] = float(int(qi[i]) - s.in.quant.zero) * s.in.quant.scale;
        return {};
      case LayerKind::relu:
        if (s.in.int8)
          for (size_t i = 0; i < n; ++i) qo[i] = std::max<int8_t>(qi[i], int8_t(s.in.quant.zero));
        else
          for (size_t i = 0; i < n; ++i) fo[i] = fi[i] > 0.f ? fi[i] : 0.f;
        return {};
      case LayerKind::elu:
        for (size_t i = 0; i < n; ++i) fo[i] = fi[i] > 0.f ? fi[i] : l.alpha * std::expm1(fi[i]);
        return {};
      case LayerKind::batchnorm: {
        const size_t c = size_t(s.in.shape.back());
        for (size_t i = 0; i < n; ++i) fo[i] = fi[i] * l.scale->f32[i % c] + l.shift->f32[i % c];
        return {};
      }
      case LayerKind::softmax: {
        const size_t c = s.in.count();
        for (size_t i = 0; i < n; i += c) {
          float m = fi[i];
          for (size_t j = 1; j < c; ++j) m = std::max(m, fi[i + j]);
          float sum = 0.f;
          for (size_t j = 0; j < c; ++j) sum += (fo[i + j] = std::exp(fi[i + j] - m));
          for (size_t j = 0; j < c; ++j) fo[i + j] /= sum;
        }
        return {};
      }
      case LayerKind::maxpool:
      case LayerKind::avgpool:
      case LayerKind::globalmaxpool:
      case LayerKind::globalavgpool: {
        const bool global = l.kind == LayerKind::globalmaxpool || l.kind == LayerKind::globalavgpool;
        const bool avg = l.kind == LayerKind::avgpool || l.kind == LayerKind::globalavgpool;
        simd::PoolGeometry g;
        g.h = s.in.shape[0], g.w = s.in.shape[1], g.c = s.in.shape[2];
        g.kh = global ? g.h : l.kernel_h, g.kw = global ? g.w : l.kernel_w;
        g.sh = global ? 1 : l.stride_h, g.sw = global ? 1 : l.stride_w;
        g.oh = (g.h - g.kh) / g.sh + 1, g.ow = (g.w - g.kw) / g.sw + 1;
        const size_t in_item = s.in.count(), out_item = s.out.count();
        for (int b = 0; b < batch; ++b) {
          if (s.in.int8) {
            if (avg)
              simd::avg_pool_rows_i8(g, qi + b * in_item, qo + b * out_item, 0, g.oh, s.in.quant.zero,
                                     s.in.quant.scale / (s.out.quant.scale * float(g.kh * g.kw)), s.out.quant.zero,
                                     acc_);
            else
              simd::max_pool_rows(g, qi + b * in_item, qo + b * out_item, 0, g.oh);
          } else {
            if (avg)
              simd::avg_pool_rows_f32(g, fi + b * in_item, fo + b * out_item, 0, g.oh);
            else
              simd::max_pool_rows(g, fi + b * in_item, fo + b * out_item, 0, g.oh);
          }
        }
        return {};
      }
      default:
        return make_error(Status::internal, std::string("xnnpack backend: no host path for ") +
                                                layer_kind_name(l.kind));
    }
  }

  std::shared_ptr<XnnContext> ctx_;
  std::vector<XnnStep> steps_;
  std::vector<ActivationInfo> acts_;
  int max_batch_;
  std::vector<float> f32_[2];
  std::vector<int8_t> i8_[2];
  std::vector<int32_t> acc_;
};

// Creates the XNNPACK operator for a step, or leaves it to the host (kind host) when XNNPACK has no
// such operator or refuses these parameters.
void create_operator(XnnStep& s) {
  const Layer& l = s.layer;
  const ActivationInfo& in = s.in;
  const ActivationInfo& out = s.out;
  const bool spatial = in.shape.size() == 3;
  s.in_h = spatial ? in.shape[0] : 1;
  s.in_w = spatial ? in.shape[1] : 1;
  const size_t c = size_t(in.shape.back());
  xnn_operator_t op = nullptr;
  xnn_status st = xnn_status_unsupported_parameter;
  XnnKind kind = XnnKind::host;
  switch (l.kind) {
    case LayerKind::conv2d:
    case LayerKind::dense: {
      const bool dense = l.kind == LayerKind::dense;
      const int cout = l.weight->shape[0];
      const size_t cin = dense ? in.count() : c;
      const uint32_t kh = dense ? 1 : uint32_t(l.kernel_h), kw = dense ? 1 : uint32_t(l.kernel_w);
      const uint32_t sh = dense ? 1 : uint32_t(l.stride_h), sw = dense ? 1 : uint32_t(l.stride_w);
      const uint32_t pt = dense ? 0 : uint32_t(l.pad_top), pr = dense ? 0 : uint32_t(l.pad_right);
      const uint32_t pb = dense ? 0 : uint32_t(l.pad_bottom), pl = dense ? 0 : uint32_t(l.pad_left);
      if (dense) s.in_h = s.in_w = 1;
      const bool relu = l.act == Activation::relu;
      if (in.int8) {
        const int8_t lo = relu ? clamp8(out.quant.zero) : int8_t(-128);
        st = xnn_create_convolution2d_nhwc_qc8(pt, pr, pb, pl, kh, kw, sh, sw, 1, 1, 1, cin, size_t(cout), cin,
                                               size_t(cout), int8_t(in.quant.zero), in.quant.scale,
                                               l.weight_scale->f32.data(), l.weight->i8.data(),
                                               l.bias ? l.bias->i32.data() : nullptr, int8_t(out.quant.zero),
                                               out.quant.scale, lo, 127, 0, &op);
        kind = XnnKind::conv_qc8;
      } else if (dense) {
        st = xnn_create_fully_connected_nc_f32(cin, size_t(cout), cin, size_t(cout), l.weight->f32.data(),
                                               l.bias ? l.bias->f32.data() : nullptr, relu ? 0.f : -INFINITY,
                                               INFINITY, 0, &op);
        kind = XnnKind::fc_f32;
      } else {
        st = xnn_create_convolution2d_nhwc_f32(pt, pr, pb, pl, kh, kw, sh, sw, 1, 1, 1, cin, size_t(cout), cin,
                                               size_t(cout), l.weight->f32.data(),
                                               l.bias ? l.bias->f32.data() : nullptr, relu ? 0.f : -INFINITY,
                                               INFINITY, 0, &op);
        kind = XnnKind::conv_f32;
      }
      break;
    }
    case LayerKind::maxpool:
      // XNNPACK max pooling needs a window of at least 2 elements.
      if (l.kernel_h * l.kernel_w < 2) break;
      if (in.int8) {
        st = xnn_create_max_pooling2d_nhwc_s8(0, 0, 0, 0, uint32_t(l.kernel_h), uint32_t(l.kernel_w),
                                              uint32_t(l.stride_h), uint32_t(l.stride_w), 1, 1, c, c, c, -128, 127,
                                              0, &op);
        kind = XnnKind::maxpool_s8;
      } else {
        st = xnn_create_max_pooling2d_nhwc_f32(0, 0, 0, 0, uint32_t(l.kernel_h), uint32_t(l.kernel_w),
                                               uint32_t(l.stride_h), uint32_t(l.stride_w), 1, 1, c, c, c, -INFINITY,
                                               INFINITY, 0, &op);
        kind = XnnKind::maxpool_f32;
      }
      break;
    case LayerKind::avgpool:
      if (!in.int8 && l.kernel_h * l.kernel_w >= 2) {
        st = xnn_create_average_pooling2d_nhwc_f32(0, 0, 0, 0, uint32_t(l.kernel_h), uint32_t(l.kernel_w),
                                                   uint32_t(l.stride_h), uint32_t(l.stride_w), c, c, c, -INFINITY,
                                                   INFINITY, 0, &op);
        kind = XnnKind::avgpool_f32;
      }
      break;
    case LayerKind::globalavgpool:
      if (in.int8) {
        st = xnn_create_global_average_pooling_nwc_qs8(c, c, c, int8_t(in.quant.zero), in.quant.scale,
                                                       int8_t(out.quant.zero), out.quant.scale, -128, 127, 0, &op);
        kind = XnnKind::gavg_qs8;
      } else {
        st = xnn_create_global_average_pooling_nwc_f32(c, c, c, -INFINITY, INFINITY, 0, &op);
        kind = XnnKind::gavg_f32;
      }
      break;
    case LayerKind::softmax:
      st = xnn_create_softmax_nc_f32(in.count(), in.count(), in.count(), 0, &op);
      kind = XnnKind::softmax_f32;
      break;
    default:
      break;
  }
  if (st == xnn_status_success && op) {
    s.op.reset(op);
    s.kind = kind;
  } else {
    s.kind = XnnKind::host;
  }
}

class XnnBackend final : public Backend {
 public:
  explicit XnnBackend(std::shared_ptr<XnnContext> ctx) : ctx_(std::move(ctx)) {}
  std::string name() const override { return "xnnpack"; }

  Expected<std::unique_ptr<CompiledNetwork>> compile(const Network& network, int max_batch) override {
    auto acts = infer_activations(network);
    if (!acts) return acts.error();
    auto checked = check_batch_memory(*acts, max_batch);
    if (!checked) return checked.error();
    std::vector<XnnStep> steps(network.layers.size());
    for (size_t i = 0; i < steps.size(); ++i) {
      steps[i].layer = network.layers[i];
      steps[i].in = (*acts)[i];
      steps[i].out = (*acts)[i + 1];
      const Layer& l = steps[i].layer;
      if (l.kind == LayerKind::conv2d || l.kind == LayerKind::dense) {
        create_operator(steps[i]);
        if (steps[i].kind == XnnKind::host)
          return make_error(Status::invalid_model, "xnnpack backend: layer " + std::to_string(i) + " (" +
                                                       layer_kind_name(l.kind) +
                                                       "): XNNPACK refused its parameters (scales out of range?)");
      } else {
        create_operator(steps[i]);
      }
    }
    return std::unique_ptr<CompiledNetwork>(new XnnNetwork(ctx_, std::move(steps), std::move(*acts), max_batch));
  }

 private:
  std::shared_ptr<XnnContext> ctx_;
};

}  // namespace

Expected<std::unique_ptr<Backend>> make_xnnpack_backend(const BackendOptions& options) {
  auto ctx = std::make_shared<XnnContext>();
  xnn_status st = xnn_initialize(nullptr);
  if (st != xnn_status_success)
    return make_error(Status::backend_unavailable, "xnnpack backend: XNNPACK failed to initialise (" +
                                                       status_text(st) + ")");
  ctx->initialized = true;
  if (options.threads > 1) {
    ctx->pool = pthreadpool_create(size_t(options.threads));
    if (!ctx->pool) return make_error(Status::backend_unavailable, "xnnpack backend: cannot create the thread pool");
  }
  return std::unique_ptr<Backend>(new XnnBackend(std::move(ctx)));
}

}  // namespace melgenre
