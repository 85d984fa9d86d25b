#include "backends/cuda/cuda_network.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "model/network_shapes.hpp"

namespace melgenre::cuda {
namespace {

// One layer ready to run: its device parameters and the cuDNN descriptors that do not depend on the batch.
struct Step {
  LayerKind kind = LayerKind::relu;
  ActivationInfo in, out;
  std::string where;
  bool relu = false;
  DeviceBuffer weight, bias, scale, shift;
  FilterDesc filter;
  ConvDesc conv;
  cudnnConvolutionFwdAlgo_t algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  PoolDesc pool;
  ActDesc act;
  OpDesc mul;
};

Expected<void> check(cudnnStatus_t s, const std::string& what) {
  if (s != CUDNN_STATUS_SUCCESS) return cudnn_error(what, s);
  return {};
}

Expected<void> upload(DeviceBuffer& buf, const std::vector<float>& values) {
  auto a = buf.allocate(values.size() * sizeof(float));
  if (!a) return a;
  cudaError_t e = cudaMemcpy(buf.data(), values.data(), values.size() * sizeof(float), cudaMemcpyHostToDevice);
  if (e != cudaSuccess) return cuda_error("cudaMemcpy to the device", e);
  return {};
}

// Float weights of a conv/dense, dequantised when int8 (w * weight_scale[o]).
std::vector<float> float_weight(const Layer& l) {
  if (l.weight->dtype == DType::f32) return l.weight->f32;
  const size_t cout = size_t(l.weight->shape[0]), per = l.weight->count() / cout;
  std::vector<float> w(l.weight->count());
  for (size_t i = 0; i < w.size(); ++i) w[i] = float(l.weight->i8[i]) * l.weight_scale->f32[i / per];
  return w;
}

// Float bias, dequantised when int32 (b * in_scale * weight_scale[o]); zeros when absent.
std::vector<float> float_bias(const Layer& l, size_t cout, float in_scale) {
  std::vector<float> b(cout, 0.f);
  if (!l.bias) return b;
  if (l.bias->dtype == DType::f32) return l.bias->f32;
  for (size_t o = 0; o < cout; ++o) b[o] = float(l.bias->i32[o]) * in_scale * l.weight_scale->f32[o];
  return b;
}

// NHWC for {H, W, C}; (N, C, 1, 1) for {C}.
Expected<void> describe(cudnnTensorDescriptor_t d, const ActivationInfo& a, int batch) {
  if (a.shape.size() == 3)
    return check(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, batch, a.shape[2], a.shape[0],
                                            a.shape[1]),
                 "cudnnSetTensor4dDescriptor");
  return check(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, batch, int(a.count()), 1, 1),
               "cudnnSetTensor4dDescriptor");
}

class CudaNetwork final : public CompiledNetwork {
 public:
  explicit CudaNetwork(std::shared_ptr<Handles> h) : h_(std::move(h)) {}

  Expected<void> init(const Network& network, int max_batch);
  int max_batch() const override { return max_batch_; }
  size_t output_size() const override { return out_per_item_; }
  Expected<void> run(const float* input, int batch, float* output) override;

 private:
  Expected<void> run_step(Step& s, int batch, const float* x, float* y);

  std::shared_ptr<Handles> h_;
  std::vector<Step> steps_;
  int max_batch_ = 1;
  size_t in_per_item_ = 0, out_per_item_ = 0;
  DeviceBuffer ping_, pong_, workspace_;
  TensorDesc xd_, yd_, cd_;  // input, output and per-channel (1, C, 1, 1) descriptors, set per call
};

Expected<void> CudaNetwork::init(const Network& network, int max_batch) {
  auto acts_or = infer_activations(network);
  if (!acts_or) return acts_or.error();
  const auto& acts = *acts_or;
  max_batch_ = max_batch;
  in_per_item_ = acts.front().count();
  out_per_item_ = acts.back().count();
  size_t largest = 0;
  for (const auto& a : acts) largest = std::max(largest, a.count());
  for (auto r : {xd_.create(), yd_.create(), cd_.create(), ping_.allocate(largest * max_batch * sizeof(float)),
                 pong_.allocate(largest * max_batch * sizeof(float))})
    if (!r) return r;

  size_t workspace = 0;
  steps_.resize(network.layers.size());
  for (size_t i = 0; i < network.layers.size(); ++i) {
    const Layer& l = network.layers[i];
    Step& s = steps_[i];
    s.kind = l.kind;
    s.in = acts[i];
    s.out = acts[i + 1];
    s.where = "layer " + std::to_string(i) + " (" + layer_kind_name(l.kind) + ")";
    s.relu = l.act == Activation::relu;
    Expected<void> r;
    switch (l.kind) {
      case LayerKind::conv2d: {
        if (l.pad_top != l.pad_bottom || l.pad_left != l.pad_right)
          return make_error(Status::invalid_model, "cuda: " + s.where + ": asymmetric padding is not supported by this backend");
        const int cout = l.weight->shape[0];
        if (!(r = upload(s.weight, float_weight(l))) || !(r = upload(s.bias, float_bias(l, size_t(cout), s.in.quant.scale))))
          return r;
        if (!(r = s.filter.create()) || !(r = s.conv.create())) return r;
        if (!(r = check(cudnnSetFilter4dDescriptor(s.filter.get(), CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, cout,
                                                   s.in.shape[2], l.kernel_h, l.kernel_w), "cudnnSetFilter4dDescriptor")))
          return r;
        if (!(r = check(cudnnSetConvolution2dDescriptor(s.conv.get(), l.pad_top, l.pad_left, l.stride_h, l.stride_w, 1, 1,
                                                        CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
                        "cudnnSetConvolution2dDescriptor")))
          return r;
        // Plain FMA math: TF32 tensor cores would cost ~1e-3 of accuracy.
        if (!(r = check(cudnnSetConvolutionMathType(s.conv.get(), CUDNN_FMA_MATH), "cudnnSetConvolutionMathType")))
          return r;
        if (!(r = describe(xd_.get(), s.in, max_batch)) || !(r = describe(yd_.get(), s.out, max_batch))) return r;
        cudnnConvolutionFwdAlgoPerf_t perf[8];
        int found = 0;
        if (!(r = check(cudnnGetConvolutionForwardAlgorithm_v7(h_->cudnn(), xd_.get(), s.filter.get(), s.conv.get(),
                                                               yd_.get(), 8, &found, perf),
                        "cudnnGetConvolutionForwardAlgorithm_v7")))
          return r;
        int pick = -1;
        for (int k = 0; k < found && pick < 0; ++k)
          if (perf[k].status == CUDNN_STATUS_SUCCESS) pick = k;
        if (pick < 0) return make_error(Status::backend_unavailable, "cuda: " + s.where + ": no cuDNN algorithm");
        s.algo = perf[pick].algo;
        size_t bytes = 0;
        if (!(r = check(cudnnGetConvolutionForwardWorkspaceSize(h_->cudnn(), xd_.get(), s.filter.get(), s.conv.get(),
                                                                yd_.get(), s.algo, &bytes),
                        "cudnnGetConvolutionForwardWorkspaceSize")))
          return r;
        workspace = std::max(workspace, bytes);
        break;
      }
      case LayerKind::dense: {
        const int out_n = l.weight->shape[0];
        if (!(r = upload(s.weight, float_weight(l))) || !(r = upload(s.bias, float_bias(l, size_t(out_n), s.in.quant.scale))))
          return r;
        break;
      }
      case LayerKind::batchnorm:
        if (!(r = upload(s.scale, l.scale->f32)) || !(r = upload(s.shift, l.shift->f32)) || !(r = s.mul.create()))
          return r;
        if (!(r = check(cudnnSetOpTensorDescriptor(s.mul.get(), CUDNN_OP_TENSOR_MUL, CUDNN_DATA_FLOAT,
                                                   CUDNN_NOT_PROPAGATE_NAN), "cudnnSetOpTensorDescriptor")))
          return r;
        break;
      case LayerKind::relu:
      case LayerKind::elu:
        if (!(r = s.act.create())) return r;
        if (!(r = check(cudnnSetActivationDescriptor(
                            s.act.get(), l.kind == LayerKind::elu ? CUDNN_ACTIVATION_ELU : CUDNN_ACTIVATION_RELU,
                            CUDNN_NOT_PROPAGATE_NAN, l.kind == LayerKind::elu ? double(l.alpha) : 0.0),
                        "cudnnSetActivationDescriptor")))
          return r;
        break;
      case LayerKind::maxpool:
      case LayerKind::avgpool:
      case LayerKind::globalmaxpool:
      case LayerKind::globalavgpool: {
        const bool global = l.kind == LayerKind::globalmaxpool || l.kind == LayerKind::globalavgpool;
        const bool max = l.kind == LayerKind::maxpool || l.kind == LayerKind::globalmaxpool;
        const int kh = global ? s.in.shape[0] : l.kernel_h, kw = global ? s.in.shape[1] : l.kernel_w;
        if (!(r = s.pool.create())) return r;
        if (!(r = check(cudnnSetPooling2dDescriptor(s.pool.get(),
                                                    max ? CUDNN_POOLING_MAX : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING,
                                                    CUDNN_NOT_PROPAGATE_NAN, kh, kw, 0, 0,
                                                    global ? 1 : l.stride_h, global ? 1 : l.stride_w),
                        "cudnnSetPooling2dDescriptor")))
          return r;
        if (global) s.out.shape = {1, 1, s.in.shape[2]};  // [N, C] is [N, 1, 1, C] in memory
        break;
      }
      case LayerKind::flatten:
      case LayerKind::softmax:
      case LayerKind::quantize:
      case LayerKind::dequantize:
        break;
    }
  }
  if (workspace > 0) {
    auto r = workspace_.allocate(workspace);
    if (!r) return r;
  }
  return {};
}

Expected<void> CudaNetwork::run_step(Step& s, int batch, const float* x, float* y) {
  const float one = 1.f, zero = 0.f;
  cudnnHandle_t dnn = h_->cudnn();
  Expected<void> r;
  if (!(r = describe(xd_.get(), s.in, batch)) || !(r = describe(yd_.get(), s.out, batch))) return r;
  switch (s.kind) {
    case LayerKind::conv2d: {
      const int cout = s.out.shape[2];
      if (!(r = check(cudnnConvolutionForward(dnn, &one, xd_.get(), x, s.filter.get(), s.weight.f32(), s.conv.get(),
                                              s.algo, workspace_.data(), workspace_.bytes(), &zero, yd_.get(), y),
                      s.where)))
        return r;
      if (!(r = check(cudnnSetTensor4dDescriptor(cd_.get(), CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, 1, cout, 1, 1), s.where)))
        return r;
      if (!(r = check(cudnnAddTensor(dnn, &one, cd_.get(), s.bias.f32(), &one, yd_.get(), y), s.where))) return r;
      break;
    }
    case LayerKind::dense: {
      const int in_n = int(s.in.count()), out_n = int(s.out.count());
      // Row-major y[N, out] = x[N, in] * w[out, in]^T, i.e. column-major y^T = w^T(col) * x^T(col).
      cublasStatus_t b = cublasSgemm(h_->cublas(), CUBLAS_OP_T, CUBLAS_OP_N, out_n, batch, in_n, &one, s.weight.f32(),
                                     in_n, x, in_n, &zero, y, out_n);
      if (b != CUBLAS_STATUS_SUCCESS) return cublas_error(s.where, b);
      if (!(r = check(cudnnSetTensor4dDescriptor(cd_.get(), CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, out_n, 1, 1), s.where)))
        return r;
      if (!(r = check(cudnnAddTensor(dnn, &one, cd_.get(), s.bias.f32(), &one, yd_.get(), y), s.where))) return r;
      break;
    }
    case LayerKind::batchnorm: {
      const int c = s.in.shape.back();
      if (!(r = check(cudnnSetTensor4dDescriptor(cd_.get(), s.in.shape.size() == 3 ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW,
                                                 CUDNN_DATA_FLOAT, 1, c, 1, 1), s.where)))
        return r;
      if (!(r = check(cudnnOpTensor(dnn, s.mul.get(), &one, xd_.get(), x, &one, cd_.get(), s.scale.f32(), &zero,
                                    yd_.get(), y), s.where)))
        return r;
      if (!(r = check(cudnnAddTensor(dnn, &one, cd_.get(), s.shift.f32(), &one, yd_.get(), y), s.where))) return r;
      break;
    }
    case LayerKind::relu:
    case LayerKind::elu:
      return check(cudnnActivationForward(dnn, s.act.get(), &one, xd_.get(), x, &zero, yd_.get(), y), s.where);
    case LayerKind::maxpool:
    case LayerKind::avgpool:
    case LayerKind::globalmaxpool:
    case LayerKind::globalavgpool:
      return check(cudnnPoolingForward(dnn, s.pool.get(), &one, xd_.get(), x, &zero, yd_.get(), y), s.where);
    case LayerKind::softmax:
      return check(cudnnSoftmaxForward(dnn, CUDNN_SOFTMAX_ACCURATE, CUDNN_SOFTMAX_MODE_INSTANCE, &one, xd_.get(), x,
                                       &zero, yd_.get(), y),
                   s.where);
    default:
      break;
  }
  if (s.relu) {
    ActDesc relu;
    if (!(r = relu.create())) return r;
    if (!(r = check(cudnnSetActivationDescriptor(relu.get(), CUDNN_ACTIVATION_RELU, CUDNN_NOT_PROPAGATE_NAN, 0.0), s.where)))
      return r;
    return check(cudnnActivationForward(dnn, relu.get(), &one, yd_.get(), y, &zero, yd_.get(), y), s.where);
  }
  return {};
}

Expected<void> CudaNetwork::run(const float* input, int batch, float* output) {
  if (batch < 1 || batch > max_batch_)
    return make_error(Status::invalid_argument, "batch of " + std::to_string(batch) +
                                                    " items, this network was compiled for 1.." + std::to_string(max_batch_));
  cudaError_t e = cudaMemcpy(ping_.data(), input, in_per_item_ * batch * sizeof(float), cudaMemcpyHostToDevice);
  if (e != cudaSuccess) return cuda_error("cudaMemcpy to the device", e);
  float* cur = ping_.f32();
  float* other = pong_.f32();
  for (Step& s : steps_) {
    // Layout-only layers (flatten) and, in the float twin of an int8 network, quantize/dequantize.
    if (s.kind == LayerKind::flatten || s.kind == LayerKind::quantize || s.kind == LayerKind::dequantize) continue;
    auto r = run_step(s, batch, cur, other);
    if (!r) return r;
    std::swap(cur, other);
  }
  e = cudaMemcpy(output, cur, out_per_item_ * batch * sizeof(float), cudaMemcpyDeviceToHost);
  if (e != cudaSuccess) return cuda_error("cudaMemcpy from the device", e);
  return {};
}

}  // namespace

Expected<std::unique_ptr<CompiledNetwork>> compile_network(std::shared_ptr<Handles> handles, const Network& network,
                                                           int max_batch) {
  std::unique_ptr<CudaNetwork> net(new CudaNetwork(std::move(handles)));
  auto ok = net->init(network, max_batch);
  if (!ok) return ok.error();
  return std::unique_ptr<CompiledNetwork>(std::move(net));
}

}  // namespace melgenre::cuda
