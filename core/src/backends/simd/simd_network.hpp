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
  bool im2col = false;         // int8 conv with 2..15 input channels: unrolled per output row
  int cp = 0;                  // values per tap in the GEMM input
  // The padded int8 input image: [hp][pad_w][pad_cs]. Direct convs (Cin >= 16) use pad_cs = cp and one
  // tap per kernel element; Cin = 1 convs use pad_cs = 1 and one tap per kernel ROW of cp = kw rounded
  // up to 4 consecutive pixels (the extra pixel has a zero weight; pad_w has room for it).
  int pad_w = 0, pad_cs = 0;
  std::vector<ptrdiff_t> taps; // tap offsets into the padded input (elements)
  Int8GemmWeights w8;
  FloatGemmWeights wf;
  // int8 conv followed by max pooling, fused: the conv rows of one pooling window are computed as int32
  // accumulators, max-pooled, then requantised (fewer requantisations, same result: requantisation is
  // monotonic because every multiplier is >= 0). `out` is the pooled shape, conv_out the conv's.
  bool fuse_pool = false;
  PoolGeometry fpool;
  ItemShape conv_out;
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
  // Activations of the items one caller works on: ping-pong buffers (float storage; int8 steps view
  // them as bytes) and the padded conv input.
  struct Workspace {
    std::vector<float> buf[2];
    std::vector<float> padded;
  };
  // Where a step runs: on workspace ws, its rows split over the pool (parallel) or all on thread tid.
  struct Ctx {
    Workspace* ws;
    bool parallel;
    int tid;
  };
  void rows(const Ctx& c, int tasks, const ThreadPool::Chunk& fn);
  int run_steps(const Ctx& c, size_t begin, size_t end, int batch, int cur);
  void run_conv_int8(const Ctx& c, const Step& s, const int8_t* in, int8_t* out, int batch);
  void prepare_padded_int8(const Ctx& c, const Step& s, const int8_t* in, int batch);
  void conv_int8_row(const Ctx& c, const Step& s, int n, int y, int tid, int8_t* out_row, int32_t* acc_row);
  void run_conv_float(const Ctx& c, const Step& s, const float* in, float* out, int batch);
  void run_pool(const Ctx& c, const Step& s, const void* in, void* out, int batch);
  void run_elementwise(const Step& s, const void* in, void* out, int batch);

  int max_batch_ = 1;
  ItemShape input_;
  // Steps [0, split_) run one item at a time (their activations stay in cache); the rest (flat
  // activations: dense, softmax...) run on the whole batch, whose prefix outputs are staged in stage_.
  size_t split_ = 0;
  std::vector<float> stage_;
  std::vector<Step> steps_;
  std::shared_ptr<ThreadPool> pool_;
  // ws_[0] serves whole batches (row-parallel); with several threads and items, thread t runs whole
  // items of the spatial prefix on ws_[t] (no barrier per layer). Plus per-thread scratch.
  std::vector<Workspace> ws_;
  std::vector<std::vector<float>> thread_scratch_;  // im2col row, then int32 conv rows (fused pooling)
  std::vector<std::vector<int32_t>> thread_acc_;
};

}  // namespace melgenre::simd
