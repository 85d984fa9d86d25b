#version 450
// conv2d on int8 activations (integer-valued floats) with int8 OHWI weights (per-output-channel
// symmetric) and int32 bias: exact int32 accumulation, then float requantisation as in FORMAT.md.
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;  // N * OH * OW * Cout
  int H, W, Cin, OH, OW, Cout, KH, KW, SH, SW, PT, PL;
  int relu;
  uint weight_off, bias_off, multiplier_off;  // multiplier[c] = in_scale * weight_scale[c] / out_scale
  int in_zero, out_zero;
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
  int acc = param_i(pc.bias_off + uint(co));
  for (int ky = 0; ky < pc.KH; ++ky) {
    int iy = oy * pc.SH - pc.PT + ky;
    if (iy < 0 || iy >= pc.H) continue;  // padding holds the zero point: contributes nothing
    for (int kx = 0; kx < pc.KW; ++kx) {
      int ix = ox * pc.SW - pc.PL + kx;
      if (ix < 0 || ix >= pc.W) continue;
      uint xb = uint(((n * pc.H + iy) * pc.W + ix) * pc.Cin);
      uint wb = pc.weight_off + uint(((co * pc.KH + ky) * pc.KW + kx) * pc.Cin);
      for (int ci = 0; ci < pc.Cin; ++ci) acc += (int(x[xb + uint(ci)]) - pc.in_zero) * param_i(wb + uint(ci));
    }
  }
  float multiplier = param_f(pc.multiplier_off + uint(co));
  float lo = pc.relu != 0 ? float(pc.out_zero) : -128.0;
  y[i] = clamp(round_away(float(acc) * multiplier) + float(pc.out_zero), lo, 127.0);
}
