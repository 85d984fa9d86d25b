#version 450
// conv2d, float32: NHWC input, OHWI weights, zero padding, optional fused ReLU.
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;  // N * OH * OW * Cout
  int H, W, Cin, OH, OW, Cout, KH, KW, SH, SW, PT, PL;
  int relu;
  uint weight_off, bias_off;
} pc;

void main() {
  uint i = global_index();
  if (i >= pc.total) return;
  int co = int(i % uint(pc.Cout));
  uint t = i / uint(pc.Cout);
  int ox = int(t % uint(pc.OW));
  t /= uint(pc.OW);
  int oy = int(t % uint(pc.OH));
  int n = int(t / uint(pc.OH));
  float acc = param_f(pc.bias_off + uint(co));
  for (int ky = 0; ky < pc.KH; ++ky) {
    int iy = oy * pc.SH - pc.PT + ky;
    if (iy < 0 || iy >= pc.H) continue;
    for (int kx = 0; kx < pc.KW; ++kx) {
      int ix = ox * pc.SW - pc.PL + kx;
      if (ix < 0 || ix >= pc.W) continue;
      uint xb = uint(((n * pc.H + iy) * pc.W + ix) * pc.Cin);
      uint wb = pc.weight_off + uint(((co * pc.KH + ky) * pc.KW + kx) * pc.Cin);
      for (int ci = 0; ci < pc.Cin; ++ci) acc += x[xb + uint(ci)] * param_f(wb + uint(ci));
    }
  }
  if (pc.relu != 0) acc = max(acc, 0.0);
  y[i] = acc;
}
