#version 450
// maxpool / avgpool over NHWC, no padding, floor output size. avg on int8 activations requantises.
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;  // N * OH * OW * C
  int H, W, C, OH, OW, KH, KW, SH, SW;
  int mode;  // 0 max, 1 avg float, 2 avg int8
  float inv_count;   // avg float: 1 / window size
  float multiplier;  // avg int8: in_scale / (out_scale * window size)
  int in_zero, out_zero;
} pc;

void main() {
  uint i = global_index();
  if (i >= pc.total) return;
  int c = int(i % uint(pc.C));
  uint t = i / uint(pc.C);
  int ox = int(t % uint(pc.OW));
  t /= uint(pc.OW);
  int oy = int(t % uint(pc.OH));
  int n = int(t / uint(pc.OH));
  float best = -3.402823466e38;
  float sum = 0.0;
  for (int ky = 0; ky < pc.KH; ++ky) {
    for (int kx = 0; kx < pc.KW; ++kx) {
      int iy = oy * pc.SH + ky, ix = ox * pc.SW + kx;
      float v = x[uint(((n * pc.H + iy) * pc.W + ix) * pc.C + c)];
      best = max(best, v);
      sum += v;
    }
  }
  if (pc.mode == 0) {
    y[i] = best;
  } else if (pc.mode == 1) {
    y[i] = sum * pc.inv_count;
  } else {
    // sum holds integers below 2^24: exact; the int8 rule accumulates q - in_zero
    float acc = sum - float(pc.KH * pc.KW * pc.in_zero);
    y[i] = clamp(round_away(acc * pc.multiplier) + float(pc.out_zero), -128.0, 127.0);
  }
}
