#version 450
// globalavgpool / globalmaxpool: [N, H, W, C] -> [N, C]. avg on int8 activations requantises.
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;  // N * C
  int HW, C;
  int mode;  // 0 max, 1 avg float, 2 avg int8
  float inv_count;   // avg float: 1 / window size
  float multiplier;  // avg int8: in_scale / (out_scale * window size)
  int in_zero, out_zero;
} pc;

void main() {
  uint i = global_index();
  if (i >= pc.total) return;
  uint c = i % uint(pc.C);
  uint n = i / uint(pc.C);
  float best = -3.402823466e38;
  float sum = 0.0;
  for (uint p = 0u; p < uint(pc.HW); ++p) {
    float v = x[(n * uint(pc.HW) + p) * uint(pc.C) + c];
    best = max(best, v);
    sum += v;
  }
  if (pc.mode == 0) {
    y[i] = best;
  } else if (pc.mode == 1) {
    y[i] = sum * pc.inv_count;
  } else {
    // sum holds integers below 2^24: exact; the int8 rule accumulates q - in_zero
    float acc = sum - float(pc.HW * pc.in_zero);
    y[i] = clamp(round_away(acc * pc.multiplier) + float(pc.out_zero), -128.0, 127.0);
  }
}
