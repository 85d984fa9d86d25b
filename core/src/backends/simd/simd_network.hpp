// A network compiled by the simd backend: shapes and dtypes resolved once, weights packed for the
// best kernel this CPU runs, activation buffers and per-thread scratch allocated for max_batch items.
#pragma once

#include <memory>
#include <vector>

#include "backends/simd/float_gemm.hpp"
#include "backends/simd/int8_gemm.hpp"
#include "backends/simd/pooling.hpp"
#include "backends/simd/thread_pool.hpp"
#include "melgenre/backend.hpp"

namespace melgenre::simd {

// Shape of one item: [h, w, c] (NHWC without N) or flat [c] (after flatten/dense/global pooling).
struct ItemShape {
  int h = 1, w = 1, c = 1;
  bool flat = false;
  size_t size() const { return size_t(h) * w * c; }
};

struct Step {
  LayerKind kind = LayerKind::relu;
  bool int8_in = false, int8_out = false;
  ItemShape in, out;
  QuantParams in_q, out_q;
  // conv2d / dense
  int kh = 1, kw = 1, sh = 1, sw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
  bool im2col = false;         // int8 conv with few input channels: unrolled per output row
  int cp = 0;                  // values per tap in the GEMM input
  std::vector<ptrdiff_t> taps; // tap offsets into the padded input (elements)
  Int8GemmWeights w8;
  FloatGemmWeights wf;
  // pooling
  PoolGeometry pool;
  float pool_multiplier = 1.f;  // int8 average pooling
  // batchnorm / elu
  std::vector<float> scale, shift;
  float alpha = 1.f;
  bool relu = false;
};

class SimdNetwork final : public CompiledNetwork {
 public:
  static Expected<std::unique_ptr<CompiledNetwork>> compile(const Network& network, int max_batch, Int8Isa isa,
                                                            std::shared_ptr<ThreadPool> pool);

  int max_batch() const override { return max_batch_; }
  Expected<void> run(const float* input, int batch, float* output) override;
  size_t output_size() const override { return steps_.empty() ? input_.size() : steps_.back().out.size(); }

 private:
  void run_conv_int8(const Step& s, const int8_t* in, int8_t* out, int batch);
  void run_conv_float(const Step& s, const float* in, float* out, int batch);
  void run_pool(const Step& s, const void* in, void* out, int batch);
  void run_elementwise(const Step& s, const void* in, void* out, int batch);

  int max_batch_ = 1;
  ItemShape input_;
  std::vector<Step> steps_;
  std::shared_ptr<ThreadPool> pool_;
  // Ping-pong activations (float storage; int8 steps view them as bytes), padded conv input, and
  // per-thread im2col / accumulator scratch.
  std::vector<float> buf_[2];
  std::vector<float> padded_;
  std::vector<std::vector<float>> thread_scratch_;
  std::vector<std::vector<int32_t>> thread_acc_;
};

}  // namespace melgenre::simd
