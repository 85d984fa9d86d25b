// The scalar definition of every operator (models/FORMAT.md), float32 and int8. Other backends are
// tested against these functions; they are written for clarity, not speed. Activations are NHWC with
// C fastest, or [N, C]. Outputs never alias inputs unless a function says so.
#pragma once

#include <cstddef>
#include <cstdint>

#include "melgenre/model.hpp"

namespace melgenre::reference {

struct Dims {
  int n = 1, h = 1, w = 1, c = 1;
  size_t count() const { return size_t(n) * h * w * c; }
};

// Kernel, stride and zero padding of a conv or pooling layer.
struct Window {
  int kh = 1, kw = 1, sh = 1, sw = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int out_h(int in_h) const { return (in_h + pad_top + pad_bottom - kh) / sh + 1; }
  int out_w(int in_w) const { return (in_w + pad_left + pad_right - kw) / sw + 1; }
};
Window window_of(const Layer& layer);

// The requantisation rule: round-half-away-from-zero of float(acc) * multiplier, + zero, clamped to
// [lo, 127]. multiplier = in_scale * weight_scale[c] / out_scale, computed in float in that order.
int8_t requantize(int32_t acc, float multiplier, int zero, int lo = -128);
// q = clamp(round_half_away(x / scale) + zero, -128, 127).
int8_t quantize_value(float x, const QuantParams& q);
inline float dequantize_value(int8_t v, const QuantParams& q) { return float(int(v) - q.zero) * q.scale; }
// multiplier of channel c for an int8 conv/dense.
inline float requant_multiplier(float in_scale, float weight_scale, float out_scale) {
  return in_scale * weight_scale / out_scale;
}

// conv2d: weight [cout, kh, kw, d.c] (OHWI), bias [cout]; out [d.n, out_h, out_w, cout].
void conv2d_f32(const float* in, Dims d, const float* weight, const float* bias, int cout, const Window& win,
                Activation act, float* out);
// int8: padding is the input zero point (real 0); acc = bias + sum (q - in.zero) * w.
void conv2d_i8(const int8_t* in, Dims d, QuantParams in_q, const int8_t* weight, const float* weight_scale,
               const int32_t* bias, int cout, const Window& win, QuantParams out_q, Activation act, int8_t* out);

// dense: weight [out_features, in_features], rows = batch items.
void dense_f32(const float* in, int rows, int in_features, const float* weight, const float* bias, int out_features,
               Activation act, float* out);
void dense_i8(const int8_t* in, int rows, int in_features, QuantParams in_q, const int8_t* weight,
              const float* weight_scale, const int32_t* bias, int out_features, QuantParams out_q, Activation act,
              int8_t* out);

// y = x * scale[c] + shift[c] over `count` values whose last axis has c channels. May run in place.
void batchnorm_f32(const float* in, size_t count, int channels, const float* scale, const float* shift, float* out);
// May run in place.
void relu_f32(const float* in, size_t count, float* out);
void relu_i8(const int8_t* in, size_t count, int zero, int8_t* out);  // max(q, zero)
void elu_f32(const float* in, size_t count, float alpha, float* out);   // x > 0 ? x : alpha * (exp(x) - 1)

// Pooling without padding, floor: out [d.n, win.out_h(d.h), win.out_w(d.w), d.c].
void maxpool_f32(const float* in, Dims d, const Window& win, float* out);
void maxpool_i8(const int8_t* in, Dims d, const Window& win, int8_t* out);
void avgpool_f32(const float* in, Dims d, const Window& win, float* out);
// int8 average: acc = sum (q - in.zero); requantize(acc, in.scale / (out.scale * count), out.zero).
void avgpool_i8(const int8_t* in, Dims d, const Window& win, QuantParams in_q, QuantParams out_q, int8_t* out);
// [d.n, d.h, d.w, d.c] -> [d.n, d.c].
void globalavgpool_f32(const float* in, Dims d, float* out);
void globalavgpool_i8(const int8_t* in, Dims d, QuantParams in_q, QuantParams out_q, int8_t* out);
void globalmaxpool_f32(const float* in, Dims d, float* out);
void globalmaxpool_i8(const int8_t* in, Dims d, int8_t* out);

// Over the last axis (cols) of `rows` rows: exp(x - max) / sum. May run in place.
void softmax_f32(const float* in, int rows, int cols, float* out);

void quantize_f32(const float* in, size_t count, QuantParams q, int8_t* out);
void dequantize_i8(const int8_t* in, size_t count, QuantParams q, float* out);

}  // namespace melgenre::reference
