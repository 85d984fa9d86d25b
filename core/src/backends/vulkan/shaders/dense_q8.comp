#version 450
// dense on int8 activations with int8 weights [out, in] and int32 bias; requantised as conv2d_q8.
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;  // N * Out
  int In, Out;
  int relu;
  uint weight_off, bias_off, multiplier_off;  // multiplier[c] = in_scale * weight_scale[c] / out_scale
  int in_zero, out_zero;
} pc;

void main() {
  uint i = global_index();
  if (i >= pc.total) return;
  uint o = i % uint(pc.Out);
  uint n = i / uint(pc.Out);
  uint xb = n * uint(pc.In);
  uint wb = pc.weight_off + o * uint(pc.In);
  int acc = param_i(pc.bias_off + o);
  for (uint k = 0u; k < uint(pc.In); ++k) acc += (int(x[xb + k]) - pc.in_zero) * param_i(wb + k);
  float multiplier = param_f(pc.multiplier_off + o);
  float lo = pc.relu != 0 ? float(pc.out_zero) : -128.0;
  y[i] = clamp(round_away(float(acc) * multiplier) + float(pc.out_zero), lo, 127.0);
}
