#version 450
// conv2d on int8 activations (integer-valued floats) with int8 weights (per-output-channel symmetric,
// widened to int32) and int32 bias: exact int32 accumulation, then float requantisation as in FORMAT.md.
// Same work split and blocked weight layout [Cout/8][kh][kw][Cin][8] as conv2d.comp.
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;  // N * OH * OW (positions)
  int H, W, Cin, OH, OW, Cout, KH, KW, SH, SW, PT, PL;
  int relu;
  uint weight_off, bias_off, multiplier_off;  // bias and multipliers padded to a multiple of 8
  int in_zero, out_zero;                      // multiplier[c] = in_scale * weight_scale[c] / out_scale
} pc;

ivec4 param_i4(uint i) { return ivec4(param_i(i), param_i(i + 1u), param_i(i + 2u), param_i(i + 3u)); }

void main() {
  uint pos = global_index();
  if (pos >= pc.total) return;
  uint block = gl_WorkGroupID.y;
  int ox = int(pos % uint(pc.OW));
  uint t = pos / uint(pc.OW);
  int oy = int(t % uint(pc.OH));
  int n = int(t / uint(pc.OH));
  uint bb = pc.bias_off + block * 8u;
  ivec4 a0 = param_i4(bb), a1 = param_i4(bb + 4u);
  uint wblock = pc.weight_off + block * uint(pc.KH * pc.KW * pc.Cin) * 8u;
  for (int ky = 0; ky < pc.KH; ++ky) {
    int iy = oy * pc.SH - pc.PT + ky;
    if (iy < 0 || iy >= pc.H) continue;  // padding holds the zero point: contributes nothing
    for (int kx = 0; kx < pc.KW; ++kx) {
      int ix = ox * pc.SW - pc.PL + kx;
      if (ix < 0 || ix >= pc.W) continue;
      uint xb = uint(((n * pc.H + iy) * pc.W + ix) * pc.Cin);
      uint wb = wblock + uint((ky * pc.KW + kx) * pc.Cin) * 8u;
      for (int ci = 0; ci < pc.Cin; ++ci) {
        int v = int(x[xb + uint(ci)]) - pc.in_zero;
        a0 += v * param_i4(wb);
        a1 += v * param_i4(wb + 4u);
        wb += 8u;
      }
    }
  }
  uint mb = pc.multiplier_off + block * 8u;
  float lo = pc.relu != 0 ? float(pc.out_zero) : -128.0;
  uint ob = pos * uint(pc.Cout) + block * 8u;
  int valid = min(8, pc.Cout - int(block) * 8);
  for (int j = 0; j < valid; ++j) {
    int acc = j < 4 ? a0[j] : a1[j - 4];
    y[ob + uint(j)] = clamp(round_away(float(acc) * param_f(mb + uint(j))) + float(pc.out_zero), lo, 127.0);
  }
}
