// SimdNetwork: compile (shapes, packing, conv+pool fusion, buffer sizes) and run (per-item spatial prefix,
// batched flat suffix) of the simd backend.
#include "backends/simd/simd_network.hpp"

#include "backends/backend_factories.hpp"
#include "backends/simd/convert.hpp"
#include "model/network_shapes.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace melgenre::simd {

namespace {

// Int8 convs with fewer input channels than this are unrolled per output row (im2col) instead of
// padding every tap to a multiple of 4 channels (the first conv of a mel CNN has 1).
constexpr int kIm2colBelowChannels = 16;

int round_up4(int v) { return (v + 3) & ~3; }

Error layer_error(size_t index, const Layer& layer, const std::string& why) {
  return make_error(Status::invalid_model, "simd backend: layer " + std::to_string(index) + " (" +
                                               layer_kind_name(layer.kind) + "): " + why);
}

std::string shape_text(const ItemShape& s) {
  if (s.flat) return "[" + std::to_string(s.c) + "]";
  return "[" + std::to_string(s.h) + "," + std::to_string(s.w) + "," + std::to_string(s.c) + "]";
}

bool tensor_is(const TensorPtr& t, DType dtype, size_t count) {
  return t && t->dtype == dtype && t->count() == count;
}

// Activation value as stored in the GEMM input of each int8 kernel family.
inline int16_t to_i16(int8_t x, int in_zero) { return int16_t(x - in_zero); }
inline uint8_t to_u8(int8_t x) { return uint8_t(uint8_t(x) ^ 0x80u); }

}  // namespace

Expected<std::unique_ptr<CompiledNetwork>> SimdNetwork::compile(const Network& network, int max_batch, Int8Isa isa,
                                                                std::shared_ptr<ThreadPool> pool) {
  if (max_batch < 1) return make_error(Status::invalid_argument, "simd backend: max_batch must be >= 1");
  auto net = std::unique_ptr<SimdNetwork>(new SimdNetwork());
  net->max_batch_ = max_batch;
  net->pool_ = std::move(pool);
  std::vector<int> in_shape = network.input_shape();
  if (in_shape.size() == 3) {
    net->input_ = ItemShape{in_shape[0], in_shape[1], in_shape[2], false};
  } else if (in_shape.size() == 1) {
    net->input_ = ItemShape{1, 1, in_shape[0], true};
  } else {
    return make_error(Status::invalid_model, "simd backend: network input must be [H,W,C] or [C]");
  }
  if (net->input_.size() == 0) return make_error(Status::invalid_model, "simd backend: empty network input");
  // The shared shape/type checks first (the same messages as every backend), then our own packing.
  auto acts = infer_activations(network);
  if (!acts) return acts.error();
  auto memory = check_batch_memory(*acts, max_batch);
  if (!memory) return memory.error();

  const Int8Family family = family_of(isa);
  ItemShape cur = net->input_;
  bool int8 = false;
  QuantParams q;
  size_t max_padded_bytes = 0, scratch_bytes = 0;
  const size_t elem8 = family == Int8Family::i16 ? 2 : 1;

  for (size_t li = 0; li < network.layers.size(); ++li) {
    const Layer& L = network.layers[li];
    Step s;
    s.kind = L.kind;
    s.in = cur;
    s.int8_in = int8;
    s.in_q = q;
    s.out = cur;
    s.int8_out = int8;
    s.out_q = q;
    switch (L.kind) {
      case LayerKind::conv2d: {
        if (cur.flat) return layer_error(li, L, "needs an [H,W,C] input, got " + shape_text(cur));
        if (!L.weight || L.weight->shape.size() != 4)
          return layer_error(li, L, "weight must have shape [Cout,kh,kw,Cin]");
        const int cout = L.weight->shape[0], kh = L.weight->shape[1], kw = L.weight->shape[2],
                  cin = L.weight->shape[3];
        if (cin != cur.c || cout < 1 || kh < 1 || kw < 1)
          return layer_error(li, L, "weight shape does not match input " + shape_text(cur));
        if (L.stride_h < 1 || L.stride_w < 1 || L.pad_top < 0 || L.pad_left < 0 || L.pad_bottom < 0 ||
            L.pad_right < 0)
          return layer_error(li, L, "bad stride or padding");
        s.kh = kh, s.kw = kw, s.sh = L.stride_h, s.sw = L.stride_w;
        s.pt = L.pad_top, s.pl = L.pad_left, s.pb = L.pad_bottom, s.pr = L.pad_right;
        const int hp = cur.h + s.pt + s.pb, wp = cur.w + s.pl + s.pr;
        if (hp < kh || wp < kw) return layer_error(li, L, "kernel larger than the padded input " + shape_text(cur));
        s.out = ItemShape{(hp - kh) / s.sh + 1, (wp - kw) / s.sw + 1, cout, false};
        const bool quantised = L.weight->dtype == DType::i8;
        if (quantised != int8)
          return layer_error(li, L, quantised ? "int8 weights need int8 input (a quantize layer before)"
                                              : "float weights need float input (a dequantize layer before)");
        size_t im2col_bytes = 0;
        if (quantised) {
          if (!tensor_is(L.weight_scale, DType::f32, size_t(cout)))
            return layer_error(li, L, "weight_scale must be f32 [Cout]");
          if (L.bias && !tensor_is(L.bias, DType::i32, size_t(cout))) return layer_error(li, L, "bias must be i32 [Cout]");
          if (!(L.quant.scale > 0.f)) return layer_error(li, L, "out_scale must be > 0");
          std::vector<float> mult(cout);
          for (int c = 0; c < cout; ++c) mult[c] = q.scale * L.weight_scale->f32[c] / L.quant.scale;
          const int qmin = L.act == Activation::relu ? std::max(-128, L.quant.zero) : -128;
          const int32_t* bias = L.bias ? L.bias->i32.data() : nullptr;
          s.im2col = cin > 1 && cin < kIm2colBelowChannels;
          if (cin == 1) {
            // Row windows: weight [cout][kh][kw][1] is [cout][taps = kh][kw] with cp >= kw per tap.
            s.cp = round_up4(kw);
            s.pad_cs = 1;
            s.pad_w = wp + (s.cp - kw);
            for (int i = 0; i < kh; ++i) s.taps.push_back(ptrdiff_t(i) * s.pad_w);
            s.w8 = pack_int8_weights(isa, L.weight->i8.data(), cout, kh, kw, s.cp, bias, mult.data(), q.zero,
                                     L.quant.zero, qmin, 127);
          } else if (s.im2col) {
            s.cp = round_up4(kh * kw * cin);
            s.pad_cs = cin;
            s.pad_w = wp;
            s.taps = {0};
            s.w8 = pack_int8_weights(isa, L.weight->i8.data(), cout, 1, kh * kw * cin, s.cp, bias, mult.data(),
                                     q.zero, L.quant.zero, qmin, 127);
            im2col_bytes = size_t(s.out.w) * s.cp * elem8;
          } else {
            s.cp = round_up4(cin);
            s.pad_cs = s.cp;
            s.pad_w = wp;
            for (int i = 0; i < kh; ++i)
              for (int j = 0; j < kw; ++j) s.taps.push_back(ptrdiff_t(i * wp + j) * s.cp);
            s.w8 = pack_int8_weights(isa, L.weight->i8.data(), cout, kh * kw, cin, s.cp, bias, mult.data(), q.zero,
                                     L.quant.zero, qmin, 127);
          }
          max_padded_bytes = std::max(max_padded_bytes, size_t(hp) * s.pad_w * s.pad_cs * elem8);
          s.out_q = L.quant;
          // Fuse a following max pooling (valid because every multiplier is >= 0: monotonic requantisation).
          const bool monotonic = std::all_of(mult.begin(), mult.end(), [](float m) { return m >= 0.f; });
          if (monotonic && li + 1 < network.layers.size() && network.layers[li + 1].kind == LayerKind::maxpool) {
            const Layer& P = network.layers[li + 1];
            PoolGeometry g;
            g.h = s.out.h, g.w = s.out.w, g.c = cout;
            g.kh = P.kernel_h, g.kw = P.kernel_w, g.sh = P.stride_h, g.sw = P.stride_w;
            if (g.kh >= 1 && g.kw >= 1 && g.sh >= 1 && g.sw >= 1 && g.kh <= g.h && g.kw <= g.w) {
              g.oh = (g.h - g.kh) / g.sh + 1;
              g.ow = (g.w - g.kw) / g.sw + 1;
              s.fuse_pool = true;
              s.fpool = g;
              s.conv_out = s.out;
              s.out = ItemShape{g.oh, g.ow, cout, false};
              const size_t row = size_t(s.conv_out.w) * s.w8.blocks * kInt8Block * sizeof(int32_t);
              scratch_bytes = std::max(scratch_bytes, im2col_bytes + row * size_t(g.kh));
              ++li;  // the pooling layer is consumed
            }
          }
          scratch_bytes = std::max(scratch_bytes, im2col_bytes);
        } else {
          if (L.weight->dtype != DType::f32) return layer_error(li, L, "weight must be f32 or i8");
          if (L.bias && !tensor_is(L.bias, DType::f32, size_t(cout))) return layer_error(li, L, "bias must be f32 [Cout]");
          s.cp = cin;
          for (int i = 0; i < kh; ++i)
            for (int j = 0; j < kw; ++j) s.taps.push_back(ptrdiff_t(i * wp + j) * cin);
          s.wf = pack_float_weights(L.weight->f32.data(), cout, kh * kw, cin, L.bias ? L.bias->f32.data() : nullptr,
                                    L.act == Activation::relu);
          max_padded_bytes = std::max(max_padded_bytes, size_t(hp) * wp * cin * sizeof(float));
        }
        break;
      }
      case LayerKind::dense: {
        if (!L.weight || L.weight->shape.size() != 2) return layer_error(li, L, "weight must have shape [out,in]");
        const int cout = L.weight->shape[0], k = L.weight->shape[1];
        if (size_t(k) != cur.size() || cout < 1)
          return layer_error(li, L, "weight [" + std::to_string(cout) + "," + std::to_string(k) +
                                        "] does not match input " + shape_text(cur));
        s.out = ItemShape{1, 1, cout, true};
        const bool quantised = L.weight->dtype == DType::i8;
        if (quantised != int8)
          return layer_error(li, L, quantised ? "int8 weights need int8 input (a quantize layer before)"
                                              : "float weights need float input (a dequantize layer before)");
        if (quantised) {
          if (!tensor_is(L.weight_scale, DType::f32, size_t(cout)))
            return layer_error(li, L, "weight_scale must be f32 [out]");
          if (L.bias && !tensor_is(L.bias, DType::i32, size_t(cout))) return layer_error(li, L, "bias must be i32 [out]");
          if (!(L.quant.scale > 0.f)) return layer_error(li, L, "out_scale must be > 0");
          std::vector<float> mult(cout);
          for (int c = 0; c < cout; ++c) mult[c] = q.scale * L.weight_scale->f32[c] / L.quant.scale;
          const int qmin = L.act == Activation::relu ? std::max(-128, L.quant.zero) : -128;
          s.cp = round_up4(k);
          s.taps = {0};
          s.w8 = pack_int8_weights(isa, L.weight->i8.data(), cout, 1, k, s.cp, L.bias ? L.bias->i32.data() : nullptr,
                                   mult.data(), q.zero, L.quant.zero, qmin, 127);
          max_padded_bytes = std::max(max_padded_bytes, size_t(s.cp) * elem8 * max_batch);
          s.out_q = L.quant;
        } else {
          if (L.weight->dtype != DType::f32) return layer_error(li, L, "weight must be f32 or i8");
          if (L.bias && !tensor_is(L.bias, DType::f32, size_t(cout))) return layer_error(li, L, "bias must be f32 [out]");
          s.cp = k;
          s.taps = {0};
          s.wf = pack_float_weights(L.weight->f32.data(), cout, 1, k, L.bias ? L.bias->f32.data() : nullptr,
                                    L.act == Activation::relu);
        }
        break;
      }
      case LayerKind::batchnorm:
      case LayerKind::elu:
      case LayerKind::softmax:
        if (int8) return layer_error(li, L, "is float only; the activations are int8 here");
        if (L.kind == LayerKind::batchnorm) {
          if (!tensor_is(L.scale, DType::f32, size_t(cur.c)) || !tensor_is(L.shift, DType::f32, size_t(cur.c)))
            return layer_error(li, L, "scale and shift must be f32 [C]");
          s.scale = L.scale->f32;
          s.shift = L.shift->f32;
        }
        s.alpha = L.alpha;
        break;
      case LayerKind::relu:
        break;
      case LayerKind::maxpool:
      case LayerKind::avgpool:
      case LayerKind::globalavgpool:
      case LayerKind::globalmaxpool: {
        if (cur.flat) return layer_error(li, L, "needs an [H,W,C] input, got " + shape_text(cur));
        const bool global = L.kind == LayerKind::globalavgpool || L.kind == LayerKind::globalmaxpool;
        PoolGeometry g;
        g.h = cur.h, g.w = cur.w, g.c = cur.c;
        g.kh = global ? cur.h : L.kernel_h;
        g.kw = global ? cur.w : L.kernel_w;
        g.sh = global ? 1 : L.stride_h;
        g.sw = global ? 1 : L.stride_w;
        if (g.kh < 1 || g.kw < 1 || g.sh < 1 || g.sw < 1) return layer_error(li, L, "bad kernel or stride");
        if (g.kh > g.h || g.kw > g.w) return layer_error(li, L, "kernel larger than the input " + shape_text(cur));
        g.oh = (g.h - g.kh) / g.sh + 1;
        g.ow = (g.w - g.kw) / g.sw + 1;
        s.pool = g;
        s.out = global ? ItemShape{1, 1, cur.c, true} : ItemShape{g.oh, g.ow, cur.c, false};
        const bool avg = L.kind == LayerKind::avgpool || L.kind == LayerKind::globalavgpool;
        if (avg && int8) {
          if (!(L.quant.scale > 0.f)) return layer_error(li, L, "int8 average pooling needs out_scale > 0");
          s.out_q = L.quant;
          s.pool_multiplier = q.scale / (L.quant.scale * float(g.kh * g.kw));
        }
        break;
      }
      case LayerKind::flatten:
        s.out = ItemShape{1, 1, int(cur.size()), true};
        break;
      case LayerKind::quantize:
        if (int8) return layer_error(li, L, "input is already int8");
        if (!(L.quant.scale > 0.f) || L.quant.zero < -128 || L.quant.zero > 127)
          return layer_error(li, L, "scale must be > 0 and zero in [-128, 127]");
        s.int8_out = true;
        s.out_q = L.quant;
        break;
      case LayerKind::dequantize:
        if (!int8) return layer_error(li, L, "input is not int8");
        s.int8_out = false;
        break;
    }
    cur = s.out;
    int8 = s.int8_out;
    q = s.out_q;
    net->steps_.push_back(std::move(s));
  }
  // Per-item prefix: every step up to the first one with a flat input.
  net->split_ = 0;
  while (net->split_ < net->steps_.size() && !net->steps_[net->split_].in.flat) ++net->split_;
  const ItemShape staged = net->split_ == 0 ? net->input_ : net->steps_[net->split_ - 1].out;
  net->stage_.assign(staged.size() * size_t(max_batch) + 16, 0.f);

  // Buffer sizes: the spatial prefix holds one item at a time, the flat suffix the whole batch.
  size_t prefix_act = net->input_.size(), suffix_act = staged.size();
  for (size_t i = 0; i < net->steps_.size(); ++i) {
    const Step& st = net->steps_[i];
    size_t& m = i < net->split_ ? prefix_act : suffix_act;
    m = std::max(m, std::max(st.in.size(), st.out.size()));
    if (st.fuse_pool) m = std::max(m, st.conv_out.size());
  }
  const int threads = net->pool_->threads();
  net->ws_.resize(size_t(threads));
  for (size_t t = 0; t < net->ws_.size(); ++t) {
    // Only ws_[0] runs the batched suffix; every workspace runs prefix items one at a time.
    const size_t floats = std::max(prefix_act, t == 0 ? suffix_act * size_t(max_batch) : 0);
    for (auto& b : net->ws_[t].buf) b.assign(floats + 16, 0.f);
    net->ws_[t].padded.assign(max_padded_bytes / sizeof(float) + 16, 0.f);
  }
  net->thread_scratch_.assign(threads, std::vector<float>(scratch_bytes / sizeof(float) + 16, 0.f));
  net->thread_acc_.assign(threads, {});
  return std::unique_ptr<CompiledNetwork>(std::move(net));
}

// Padded copy of one batch of items in the kernel family's representation (border = zero point):
// [n][hp][pad_w][pad_cs]; channels beyond the real ones hold the zero point too.
void SimdNetwork::prepare_padded_int8(const Ctx& c, const Step& s, const int8_t* in, int batch) {
  const ItemShape& I = s.in;
  const int zin = s.in_q.zero;
  const bool i16 = s.w8.family == Int8Family::i16;
  const int hp = I.h + s.pt + s.pb, pw = s.pad_w, cs = s.pad_cs;
  const size_t pad_item = size_t(hp) * pw * cs, in_item = I.size();
  const size_t row_len = size_t(I.w) * I.c;
  rows(c, batch * hp, [&](int begin, int end, int) {
    for (int r = begin; r < end; ++r) {
      const int n = r / hp, yy = r % hp;
      const int iy = yy - s.pt;
      const int8_t* src = in + n * in_item + size_t(iy) * row_len;
      const bool inside = iy >= 0 && iy < I.h;
      if (i16) {
        int16_t* d = reinterpret_cast<int16_t*>(c.ws->padded.data()) + n * pad_item + size_t(yy) * pw * cs;
        int16_t* row = d + size_t(s.pl) * cs;
        if (!inside || cs != I.c) {
          std::fill(d, d + size_t(pw) * cs, int16_t(0));
        } else {
          std::fill(d, row, int16_t(0));
          std::fill(row + row_len, d + size_t(pw) * cs, int16_t(0));
        }
        if (!inside) continue;
        if (cs == I.c) {
          for (size_t k = 0; k < row_len; ++k) row[k] = int16_t(src[k] - zin);
        } else {
          for (int x = 0; x < I.w; ++x)
            for (int c = 0; c < I.c; ++c) row[size_t(x) * cs + c] = to_i16(src[size_t(x) * I.c + c], zin);
        }
      } else {
        const uint8_t zpad = to_u8(int8_t(zin));
        uint8_t* d = reinterpret_cast<uint8_t*>(c.ws->padded.data()) + n * pad_item + size_t(yy) * pw * cs;
        uint8_t* row = d + size_t(s.pl) * cs;
        if (!inside || cs != I.c) {
          std::fill(d, d + size_t(pw) * cs, zpad);
        } else {
          std::fill(d, row, zpad);
          std::fill(row + row_len, d + size_t(pw) * cs, zpad);
        }
        if (!inside) continue;
        if (cs == I.c) {
          for (size_t k = 0; k < row_len; ++k) row[k] = uint8_t(src[k]) ^ 0x80u;
        } else {
          for (int x = 0; x < I.w; ++x)
            for (int c = 0; c < I.c; ++c) row[size_t(x) * cs + c] = to_u8(src[size_t(x) * I.c + c]);
        }
      }
    }
  });
}

// One conv output row (item n, row y): requantised into out_row, or int32 accumulators into acc_row.
void SimdNetwork::conv_int8_row(const Ctx& c, const Step& s, int n, int y, int tid, int8_t* out_row,
                                int32_t* acc_row) {
  const ItemShape& I = s.in;
  const ItemShape& O = s.fuse_pool ? s.conv_out : s.out;
  const bool i16 = s.w8.family == Int8Family::i16;
  const size_t elem = i16 ? 2 : 1;
  const int hp = I.h + s.pt + s.pb, wp = s.pad_w;
  if (s.im2col) {
    // Unroll the row's windows from the padded image (channel stride = Cin) into [ow][cp].
    const int cin = I.c;
    const size_t pad_item = size_t(hp) * wp * cin;
    char* scratch = reinterpret_cast<char*>(thread_scratch_[tid].data());
    const int zin = s.in_q.zero;
    for (int x = 0; x < O.w; ++x) {
      if (i16) {
        const int16_t* src = reinterpret_cast<const int16_t*>(c.ws->padded.data()) + n * pad_item;
        int16_t* d = reinterpret_cast<int16_t*>(scratch) + size_t(x) * s.cp;
        int idx = 0;
        for (int i = 0; i < s.kh; ++i) {
          const int16_t* p = src + (size_t(y * s.sh + i) * wp + size_t(x) * s.sw) * cin;
          for (int j = 0; j < s.kw * cin; ++j) d[idx++] = p[j];
        }
        for (; idx < s.cp; ++idx) d[idx] = 0;
      } else {
        const uint8_t* src = reinterpret_cast<const uint8_t*>(c.ws->padded.data()) + n * pad_item;
        uint8_t* d = reinterpret_cast<uint8_t*>(scratch) + size_t(x) * s.cp;
        int idx = 0;
        for (int i = 0; i < s.kh; ++i) {
          const uint8_t* p = src + (size_t(y * s.sh + i) * wp + size_t(x) * s.sw) * cin;
          for (int j = 0; j < s.kw * cin; ++j) d[idx++] = p[j];
        }
        for (; idx < s.cp; ++idx) d[idx] = to_u8(int8_t(zin));
      }
    }
    int8_gemm(s.w8, scratch, s.cp, O.w, s.taps.data(), out_row, O.c, acc_row);
    return;
  }
  const size_t pad_item = size_t(hp) * wp * s.pad_cs;
  const char* base =
      reinterpret_cast<const char*>(c.ws->padded.data()) + (n * pad_item + size_t(y) * s.sh * wp * s.pad_cs) * elem;
  int8_gemm(s.w8, base, ptrdiff_t(s.sw) * s.pad_cs, O.w, s.taps.data(), out_row, O.c, acc_row);
}

void SimdNetwork::run_conv_int8(const Ctx& c, const Step& s, const int8_t* in, int8_t* out, int batch) {
  prepare_padded_int8(c, s, in, batch);
  const ItemShape& O = s.out;
  const size_t out_item = O.size();
  if (!s.fuse_pool) {
    rows(c, batch * O.h, [&](int begin, int end, int tid) {
      for (int r = begin; r < end; ++r) {
        const int n = r / O.h, y = r % O.h;
        conv_int8_row(c, s, n, y, tid, out + n * out_item + size_t(y) * O.w * O.c, nullptr);
      }
    });
    return;
  }
  // Fused max pooling: per pooled row, the kh conv rows as int32, their max, then the window max along
  // the width, then one requantisation per pooled output.
  const PoolGeometry& g = s.fpool;
  const int stride = s.w8.blocks * kInt8Block;  // int32 per conv pixel
  const size_t row_len = size_t(s.conv_out.w) * stride;
  const size_t im2col_bytes = s.im2col ? size_t(s.conv_out.w) * s.cp * (s.w8.family == Int8Family::i16 ? 2 : 1) : 0;
  rows(c, batch * g.oh, [&](int begin, int end, int tid) {
    char* scratch = reinterpret_cast<char*>(thread_scratch_[tid].data());
    int32_t* rows = reinterpret_cast<int32_t*>(scratch + ((im2col_bytes + 63) & ~size_t(63)));
    for (int r = begin; r < end; ++r) {
      const int n = r / g.oh, py = r % g.oh;
      for (int i = 0; i < g.kh; ++i) conv_int8_row(c, s, n, py * g.sh + i, tid, nullptr, rows + i * row_len);
      for (int i = 1; i < g.kh; ++i) max_into_i32(s.w8.isa, rows, rows + i * row_len, int(row_len));
      int8_t* o = out + n * out_item + size_t(py) * g.ow * O.c;
      for (int px = 0; px < g.ow; ++px) {
        int32_t* m = rows + size_t(px) * g.sw * stride;
        for (int j = 1; j < g.kw; ++j) max_into_i32(s.w8.isa, m, m + size_t(j) * stride, stride);
        requantize_row(s.w8, m, O.c, o + size_t(px) * O.c);
      }
    }
  });
}

void SimdNetwork::run_conv_float(const Ctx& c, const Step& s, const float* in, float* out, int batch) {
  const ItemShape& I = s.in;
  const ItemShape& O = s.out;
  const size_t in_item = I.size(), out_item = O.size();
  const int hp = I.h + s.pt + s.pb, wp = I.w + s.pl + s.pr;
  const size_t pad_item = size_t(hp) * wp * I.c;
  rows(c, batch * hp, [&](int begin, int end, int) {
    for (int r = begin; r < end; ++r) {
      const int n = r / hp, yy = r % hp, iy = yy - s.pt;
      float* d = c.ws->padded.data() + n * pad_item + size_t(yy) * wp * I.c;
      std::fill(d, d + size_t(wp) * I.c, 0.f);
      if (iy >= 0 && iy < I.h)
        std::memcpy(d + size_t(s.pl) * I.c, in + n * in_item + size_t(iy) * I.w * I.c, sizeof(float) * I.w * I.c);
    }
  });
  rows(c, batch * O.h, [&](int begin, int end, int) {
    for (int r = begin; r < end; ++r) {
      const int n = r / O.h, y = r % O.h;
      const float* base = c.ws->padded.data() + n * pad_item + size_t(y) * s.sh * wp * I.c;
      float_gemm(s.wf, base, ptrdiff_t(s.sw) * I.c, O.w, s.taps.data(), out + n * out_item + size_t(y) * O.w * O.c,
                 O.c);
    }
  });
}

void SimdNetwork::run_pool(const Ctx& c, const Step& s, const void* in, void* out, int batch) {
  const PoolGeometry& g = s.pool;
  const size_t in_item = s.in.size(), out_item = s.out.size();
  const bool avg = s.kind == LayerKind::avgpool || s.kind == LayerKind::globalavgpool;
  rows(c, batch * g.oh, [&](int begin, int end, int tid) {
    for (int r = begin; r < end; ++r) {
      const int n = r / g.oh, y = r % g.oh;
      if (s.int8_in) {
        const int8_t* src = static_cast<const int8_t*>(in) + n * in_item;
        int8_t* dst = static_cast<int8_t*>(out) + n * out_item;
        if (avg)
          avg_pool_rows_i8(g, src, dst, y, y + 1, s.in_q.zero, s.pool_multiplier, s.out_q.zero, thread_acc_[tid]);
        else
          max_pool_rows(g, src, dst, y, y + 1);
      } else {
        const float* src = static_cast<const float*>(in) + n * in_item;
        float* dst = static_cast<float*>(out) + n * out_item;
        if (avg)
          avg_pool_rows_f32(g, src, dst, y, y + 1);
        else
          max_pool_rows(g, src, dst, y, y + 1);
      }
    }
  });
}

void SimdNetwork::run_elementwise(const Step& s, const void* in, void* out, int batch) {
  const size_t n = s.in.size() * size_t(batch);
  const float* fi = static_cast<const float*>(in);
  float* fo = static_cast<float*>(out);
  const int8_t* qi = static_cast<const int8_t*>(in);
  int8_t* qo = static_cast<int8_t*>(out);
  switch (s.kind) {
    case LayerKind::relu:
      if (s.int8_in) {
        const int8_t z = int8_t(s.in_q.zero);
        for (size_t i = 0; i < n; ++i) qo[i] = qi[i] > z ? qi[i] : z;
      } else {
        for (size_t i = 0; i < n; ++i) fo[i] = fi[i] > 0.f ? fi[i] : 0.f;
      }
      break;
    case LayerKind::elu:
      for (size_t i = 0; i < n; ++i) fo[i] = fi[i] > 0.f ? fi[i] : s.alpha * std::expm1(fi[i]);
      break;
    case LayerKind::batchnorm: {
      const size_t c = size_t(s.in.c);
      for (size_t i = 0; i < n; i += c)
        for (size_t j = 0; j < c; ++j) fo[i + j] = fi[i + j] * s.scale[j] + s.shift[j];
      break;
    }
    case LayerKind::softmax: {
      const size_t c = s.in.size();  // over the whole item, as the reference (normally a flat [C])
      for (size_t i = 0; i < n; i += c) {
        float m = fi[i];
        for (size_t j = 1; j < c; ++j) m = std::max(m, fi[i + j]);
        float sum = 0.f;
        for (size_t j = 0; j < c; ++j) sum += (fo[i + j] = std::exp(fi[i + j] - m));
        const float inv = 1.f / sum;
        for (size_t j = 0; j < c; ++j) fo[i + j] *= inv;
      }
      break;
    }
    case LayerKind::quantize:
      quantize_f32(fi, n, s.out_q.scale, s.out_q.zero, qo);
      break;
    case LayerKind::dequantize:
      dequantize_i8(qi, n, s.in_q.scale, s.in_q.zero, fo);
      break;
    case LayerKind::flatten:
      if (in != out) std::memcpy(out, in, n * (s.int8_in ? 1 : sizeof(float)));
      break;
    default:
      break;
  }
}

// Runs steps [begin, end) on `batch` items whose input is in c.ws->buf[cur]; returns the buffer index of the result.
int SimdNetwork::run_steps(const Ctx& c, size_t begin, size_t end, int batch, int cur) {
  for (size_t si = begin; si < end; ++si) {
    const Step& s = steps_[si];
    if (s.kind == LayerKind::flatten) continue;  // NHWC is already (h, w, c) order
    void* in = c.ws->buf[cur].data();
    void* out = c.ws->buf[1 - cur].data();
    switch (s.kind) {
      case LayerKind::conv2d:
        if (s.int8_in)
          run_conv_int8(c, s, static_cast<const int8_t*>(in), static_cast<int8_t*>(out), batch);
        else
          run_conv_float(c, s, static_cast<const float*>(in), static_cast<float*>(out), batch);
        break;
      case LayerKind::dense:
        if (s.int8_in) {
          // Rows in the kernel family's representation, padded to a multiple of 4 values.
          const int k = int(s.in.size());
          const bool i16 = s.w8.family == Int8Family::i16;
          const int8_t* src = static_cast<const int8_t*>(in);
          const int zin = s.in_q.zero;
          for (int nb = 0; nb < batch; ++nb) {
            if (i16) {
              int16_t* d = reinterpret_cast<int16_t*>(c.ws->padded.data()) + size_t(nb) * s.cp;
              for (int i = 0; i < k; ++i) d[i] = to_i16(src[size_t(nb) * k + i], zin);
              for (int i = k; i < s.cp; ++i) d[i] = 0;
            } else {
              uint8_t* d = reinterpret_cast<uint8_t*>(c.ws->padded.data()) + size_t(nb) * s.cp;
              for (int i = 0; i < k; ++i) d[i] = to_u8(src[size_t(nb) * k + i]);
              for (int i = k; i < s.cp; ++i) d[i] = to_u8(int8_t(zin));
            }
          }
          const size_t elem = i16 ? 2 : 1;
          rows(c, batch, [&](int begin, int end, int) {
            const char* base = reinterpret_cast<const char*>(c.ws->padded.data()) + size_t(begin) * s.cp * elem;
            int8_gemm(s.w8, base, s.cp, end - begin, s.taps.data(), static_cast<int8_t*>(out) + size_t(begin) * s.out.c,
                      s.out.c);
          });
        } else {
          const float* src = static_cast<const float*>(in);
          rows(c, batch, [&](int begin, int end, int) {
            float_gemm(s.wf, src + size_t(begin) * s.cp, s.cp, end - begin, s.taps.data(),
                       static_cast<float*>(out) + size_t(begin) * s.out.c, s.out.c);
          });
        }
        break;
      case LayerKind::maxpool:
      case LayerKind::avgpool:
      case LayerKind::globalavgpool:
      case LayerKind::globalmaxpool:
        run_pool(c, s, in, out, batch);
        break;
      default:
        run_elementwise(s, in, out, batch);
        break;
    }
    cur = 1 - cur;
  }
  return cur;
}

void SimdNetwork::rows(const Ctx& c, int tasks, const ThreadPool::Chunk& fn) {
  if (c.parallel)
    pool_->run(tasks, fn);
  else if (tasks > 0)
    fn(0, tasks, c.tid);
}

Expected<void> SimdNetwork::run(const float* input, int batch, float* output) {
  if (batch < 1 || batch > max_batch_)
    return make_error(Status::invalid_argument, "simd backend: batch " + std::to_string(batch) +
                                                    " outside [1, " + std::to_string(max_batch_) + "]");
  Workspace& main = ws_[0];
  const Ctx whole{&main, true, 0};
  if (split_ > 0) {
    // The spatial part one item at a time (its activations stay in cache), outputs staged; then the
    // flat part on the whole batch. With several threads and items, each thread takes whole items.
    const ItemShape& staged = steps_[split_ - 1].out;
    const size_t bytes = staged.size() * (steps_[split_ - 1].int8_out ? 1 : sizeof(float));
    auto items = [&](int begin, int end, const Ctx& c) {
      for (int n = begin; n < end; ++n) {
        std::memcpy(c.ws->buf[0].data(), input + size_t(n) * input_.size(), sizeof(float) * input_.size());
        const int r = run_steps(c, 0, split_, 1, 0);
        std::memcpy(reinterpret_cast<char*>(stage_.data()) + size_t(n) * bytes, c.ws->buf[r].data(), bytes);
      }
    };
    if (pool_->threads() > 1 && batch >= pool_->threads()) {
      pool_->run(batch, [&](int begin, int end, int tid) { items(begin, end, Ctx{&ws_[tid], false, tid}); });
    } else {
      items(0, batch, whole);
    }
    std::memcpy(main.buf[0].data(), stage_.data(), bytes * size_t(batch));
  } else {
    std::memcpy(main.buf[0].data(), input, sizeof(float) * input_.size() * size_t(batch));
  }
  const int cur = run_steps(whole, split_, steps_.size(), batch, 0);
  const size_t n = output_size() * size_t(batch);
  const bool int8_out = !steps_.empty() && steps_.back().int8_out;
  if (int8_out) {
    const QuantParams& q = steps_.back().out_q;
    dequantize_i8(reinterpret_cast<const int8_t*>(main.buf[cur].data()), n, q.scale, q.zero, output);
  } else {
    std::memcpy(output, main.buf[cur].data(), sizeof(float) * n);
  }
  return {};
}

}  // namespace melgenre::simd
