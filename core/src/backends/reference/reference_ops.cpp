#include "backends/reference/reference_ops.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace melgenre::reference {
namespace {

int8_t clamp_round(float v, int zero, int lo) {
  // Clamp before converting so huge values cannot overflow the integer conversion.
  if (std::isnan(v)) v = 0.f;
  float r = std::round(v);  // half away from zero
  r = std::min(std::max(r, -1024.f), 1024.f);
  int q = int(r) + zero;
  return int8_t(std::min(127, std::max(lo, q)));
}

float apply_act(float v, Activation act) { return act == Activation::relu && v < 0.f ? 0.f : v; }

}  // namespace

Window window_of(const Layer& l) {
  Window w;
  w.kh = l.kernel_h;
  w.kw = l.kernel_w;
  w.sh = l.stride_h;
  w.sw = l.stride_w;
  w.pad_top = l.pad_top;
  w.pad_left = l.pad_left;
  w.pad_bottom = l.pad_bottom;
  w.pad_right = l.pad_right;
  return w;
}

int8_t requantize(int32_t acc, float multiplier, int zero, int lo) {
  return clamp_round(float(acc) * multiplier, zero, lo);
}

int8_t quantize_value(float x, const QuantParams& q) { return clamp_round(x / q.scale, q.zero, -128); }

void conv2d_f32(const float* in, Dims d, const float* weight, const float* bias, int cout, const Window& win,
                Activation act, float* out) {
  const int oh = win.out_h(d.h), ow = win.out_w(d.w);
  for (int n = 0; n < d.n; ++n)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int o = 0; o < cout; ++o) {
          float acc = bias[o];
          for (int ky = 0; ky < win.kh; ++ky) {
            const int iy = y * win.sh + ky - win.pad_top;
            if (iy < 0 || iy >= d.h) continue;
            for (int kx = 0; kx < win.kw; ++kx) {
              const int ix = x * win.sw + kx - win.pad_left;
              if (ix < 0 || ix >= d.w) continue;
              const float* src = in + ((size_t(n) * d.h + iy) * d.w + ix) * d.c;
              const float* wt = weight + ((size_t(o) * win.kh + ky) * win.kw + kx) * d.c;
              for (int c = 0; c < d.c; ++c) acc += src[c] * wt[c];
            }
          }
          out[((size_t(n) * oh + y) * ow + x) * cout + o] = apply_act(acc, act);
        }
}

void conv2d_i8(const int8_t* in, Dims d, QuantParams in_q, const int8_t* weight, const float* weight_scale,
               const int32_t* bias, int cout, const Window& win, QuantParams out_q, Activation act, int8_t* out) {
  const int oh = win.out_h(d.h), ow = win.out_w(d.w);
  const int lo = act == Activation::relu ? out_q.zero : -128;
  for (int n = 0; n < d.n; ++n)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int o = 0; o < cout; ++o) {
          int32_t acc = bias[o];
          for (int ky = 0; ky < win.kh; ++ky) {
            const int iy = y * win.sh + ky - win.pad_top;
            if (iy < 0 || iy >= d.h) continue;  // padding holds in.zero: (q - zero) = 0
            for (int kx = 0; kx < win.kw; ++kx) {
              const int ix = x * win.sw + kx - win.pad_left;
              if (ix < 0 || ix >= d.w) continue;
              const int8_t* src = in + ((size_t(n) * d.h + iy) * d.w + ix) * d.c;
              const int8_t* wt = weight + ((size_t(o) * win.kh + ky) * win.kw + kx) * d.c;
              for (int c = 0; c < d.c; ++c) acc += (int32_t(src[c]) - in_q.zero) * int32_t(wt[c]);
            }
          }
          out[((size_t(n) * oh + y) * ow + x) * cout + o] =
              requantize(acc, requant_multiplier(in_q.scale, weight_scale[o], out_q.scale), out_q.zero, lo);
        }
}

void dense_f32(const float* in, int rows, int in_features, const float* weight, const float* bias, int out_features,
               Activation act, float* out) {
  for (int r = 0; r < rows; ++r)
    for (int o = 0; o < out_features; ++o) {
      float acc = bias[o];
      const float* x = in + size_t(r) * in_features;
      const float* w = weight + size_t(o) * in_features;
      for (int i = 0; i < in_features; ++i) acc += x[i] * w[i];
      out[size_t(r) * out_features + o] = apply_act(acc, act);
    }
}

void dense_i8(const int8_t* in, int rows, int in_features, QuantParams in_q, const int8_t* weight,
              const float* weight_scale, const int32_t* bias, int out_features, QuantParams out_q, Activation act,
              int8_t* out) {
  const int lo = act == Activation::relu ? out_q.zero : -128;
  for (int r = 0; r < rows; ++r)
    for (int o = 0; o < out_features; ++o) {
      int32_t acc = bias[o];
      const int8_t* x = in + size_t(r) * in_features;
      const int8_t* w = weight + size_t(o) * in_features;
      for (int i = 0; i < in_features; ++i) acc += (int32_t(x[i]) - in_q.zero) * int32_t(w[i]);
      out[size_t(r) * out_features + o] =
          requantize(acc, requant_multiplier(in_q.scale, weight_scale[o], out_q.scale), out_q.zero, lo);
    }
}

void batchnorm_f32(const float* in, size_t count, int channels, const float* scale, const float* shift, float* out) {
  for (size_t i = 0; i < count; ++i) {
    const int c = int(i % size_t(channels));
    out[i] = in[i] * scale[c] + shift[c];
  }
}

void relu_f32(const float* in, size_t count, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = in[i] < 0.f ? 0.f : in[i];
}

void relu_i8(const int8_t* in, size_t count, int zero, int8_t* out) {
  for (size_t i = 0; i < count; ++i) out[i] = int8_t(std::max(int(in[i]), zero));
}

void elu_f32(const float* in, size_t count, float alpha, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = in[i] > 0.f ? in[i] : alpha * std::expm1(in[i]);
}

namespace {

// Visits every pooling window: fn(n, y, x, c, first input index of the window) for each output.
template <class Fn>
void for_each_window(Dims d, const Window& win, Fn fn) {
  const int oh = win.out_h(d.h), ow = win.out_w(d.w);
  for (int n = 0; n < d.n; ++n)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int c = 0; c < d.c; ++c) {
          const size_t out_index = ((size_t(n) * oh + y) * ow + x) * d.c + c;
          fn(out_index, n, y * win.sh, x * win.sw, c);
        }
}

inline size_t at(Dims d, int n, int y, int x, int c) {
  return ((size_t(n) * d.h + y) * d.w + x) * d.c + c;
}

}  // namespace

void maxpool_f32(const float* in, Dims d, const Window& win, float* out) {
  for_each_window(d, win, [&](size_t o, int n, int y0, int x0, int c) {
    float m = -std::numeric_limits<float>::infinity();
    for (int ky = 0; ky < win.kh; ++ky)
      for (int kx = 0; kx < win.kw; ++kx) m = std::max(m, in[at(d, n, y0 + ky, x0 + kx, c)]);
    out[o] = m;
  });
}

void maxpool_i8(const int8_t* in, Dims d, const Window& win, int8_t* out) {
  for_each_window(d, win, [&](size_t o, int n, int y0, int x0, int c) {
    int m = -128;
    for (int ky = 0; ky < win.kh; ++ky)
      for (int kx = 0; kx < win.kw; ++kx) m = std::max(m, int(in[at(d, n, y0 + ky, x0 + kx, c)]));
    out[o] = int8_t(m);
  });
}

void avgpool_f32(const float* in, Dims d, const Window& win, float* out) {
  const float inv = 1.f / float(win.kh * win.kw);
  for_each_window(d, win, [&](size_t o, int n, int y0, int x0, int c) {
    float s = 0.f;
    for (int ky = 0; ky < win.kh; ++ky)
      for (int kx = 0; kx < win.kw; ++kx) s += in[at(d, n, y0 + ky, x0 + kx, c)];
    out[o] = s * inv;
  });
}

void avgpool_i8(const int8_t* in, Dims d, const Window& win, QuantParams in_q, QuantParams out_q, int8_t* out) {
  const float m = in_q.scale / (out_q.scale * float(win.kh * win.kw));
  for_each_window(d, win, [&](size_t o, int n, int y0, int x0, int c) {
    int32_t acc = 0;
    for (int ky = 0; ky < win.kh; ++ky)
      for (int kx = 0; kx < win.kw; ++kx) acc += int32_t(in[at(d, n, y0 + ky, x0 + kx, c)]) - in_q.zero;
    out[o] = requantize(acc, m, out_q.zero);
  });
}

void globalavgpool_f32(const float* in, Dims d, float* out) {
  const float inv = 1.f / float(d.h * d.w);
  for (int n = 0; n < d.n; ++n)
    for (int c = 0; c < d.c; ++c) {
      float s = 0.f;
      for (int y = 0; y < d.h; ++y)
        for (int x = 0; x < d.w; ++x) s += in[at(d, n, y, x, c)];
      out[size_t(n) * d.c + c] = s * inv;
    }
}

void globalavgpool_i8(const int8_t* in, Dims d, QuantParams in_q, QuantParams out_q, int8_t* out) {
  const float m = in_q.scale / (out_q.scale * float(d.h * d.w));
  for (int n = 0; n < d.n; ++n)
    for (int c = 0; c < d.c; ++c) {
      int32_t acc = 0;
      for (int y = 0; y < d.h; ++y)
        for (int x = 0; x < d.w; ++x) acc += int32_t(in[at(d, n, y, x, c)]) - in_q.zero;
      out[size_t(n) * d.c + c] = requantize(acc, m, out_q.zero);
    }
}

void globalmaxpool_f32(const float* in, Dims d, float* out) {
  for (int n = 0; n < d.n; ++n)
    for (int c = 0; c < d.c; ++c) {
      float m = -std::numeric_limits<float>::infinity();
      for (int y = 0; y < d.h; ++y)
        for (int x = 0; x < d.w; ++x) m = std::max(m, in[at(d, n, y, x, c)]);
      out[size_t(n) * d.c + c] = m;
    }
}

void globalmaxpool_i8(const int8_t* in, Dims d, int8_t* out) {
  for (int n = 0; n < d.n; ++n)
    for (int c = 0; c < d.c; ++c) {
      int m = -128;
      for (int y = 0; y < d.h; ++y)
        for (int x = 0; x < d.w; ++x) m = std::max(m, int(in[at(d, n, y, x, c)]));
      out[size_t(n) * d.c + c] = int8_t(m);
    }
}

void softmax_f32(const float* in, int rows, int cols, float* out) {
  for (int r = 0; r < rows; ++r) {
    const float* x = in + size_t(r) * cols;
    float* y = out + size_t(r) * cols;
    float m = x[0];
    for (int i = 1; i < cols; ++i) m = std::max(m, x[i]);
    float sum = 0.f;
    for (int i = 0; i < cols; ++i) {
      y[i] = std::exp(x[i] - m);
      sum += y[i];
    }
    for (int i = 0; i < cols; ++i) y[i] /= sum;
  }
}

void quantize_f32(const float* in, size_t count, QuantParams q, int8_t* out) {
  for (size_t i = 0; i < count; ++i) out[i] = quantize_value(in[i], q);
}

void dequantize_i8(const int8_t* in, size_t count, QuantParams q, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = dequantize_value(in[i], q);
}

}  // namespace melgenre::reference
