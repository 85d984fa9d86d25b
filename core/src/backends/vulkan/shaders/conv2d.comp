#version 450
// conv2d, float32: NHWC input, zero padding, optional fused ReLU.
// An invocation computes 8 output channels of one output position; the work group's y index picks the
// channel block, so every weight load is uniform across the work group (a broadcast on GPUs, a single
// scalar load on lavapipe) while the input loads vary by position. Weights are repacked at compile time
// to [Cout/8][kh][kw][Cin][8] (zero-padded), so the 8 weights of one input value are contiguous.
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;  // N * OH * OW (positions)
  int H, W, Cin, OH, OW, Cout, KH, KW, SH, SW, PT, PL;
  int relu;
  uint weight_off, bias_off;  // bias padded to a multiple of 8
} pc;

void main() {
  uint pos = global_index();
  if (pos >= pc.total) return;
  uint block = gl_WorkGroupID.y;
  int ox = int(pos % uint(pc.OW));
  uint t = pos / uint(pc.OW);
  int oy = int(t % uint(pc.OH));
  int n = int(t / uint(pc.OH));
  uint bb = pc.bias_off + block * 8u;
  vec4 a0 = vec4(param_f(bb), param_f(bb + 1u), param_f(bb + 2u), param_f(bb + 3u));
  vec4 a1 = vec4(param_f(bb + 4u), param_f(bb + 5u), param_f(bb + 6u), param_f(bb + 7u));
  uint wblock = pc.weight_off + block * uint(pc.KH * pc.KW * pc.Cin) * 8u;
  for (int ky = 0; ky < pc.KH; ++ky) {
    int iy = oy * pc.SH - pc.PT + ky;
    if (iy < 0 || iy >= pc.H) continue;
    for (int kx = 0; kx < pc.KW; ++kx) {
      int ix = ox * pc.SW - pc.PL + kx;
      if (ix < 0 || ix >= pc.W) continue;
      uint xb = uint(((n * pc.H + iy) * pc.W + ix) * pc.Cin);
      uint wb = wblock + uint((ky * pc.KW + kx) * pc.Cin) * 8u;
      for (int ci = 0; ci < pc.Cin; ++ci) {
        float v = x[xb + uint(ci)];
        a0 += v * vec4(param_f(wb), param_f(wb + 1u), param_f(wb + 2u), param_f(wb + 3u));
        a1 += v * vec4(param_f(wb + 4u), param_f(wb + 5u), param_f(wb + 6u), param_f(wb + 7u));
        wb += 8u;
      }
    }
  }
  if (pc.relu != 0) {
    a0 = max(a0, vec4(0.0));
    a1 = max(a1, vec4(0.0));
  }
  uint ob = pos * uint(pc.Cout) + block * 8u;
  int valid = min(8, pc.Cout - int(block) * 8);
  for (int j = 0; j < valid; ++j) y[ob + uint(j)] = j < 4 ? a0[j] : a1[j - 4];
}
