#version 450
// batchnorm (folded): y = x * scale[c] + shift[c], C the fastest axis.
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;
  int C;
  uint scale_off, shift_off;
} pc;

void main() {
  uint i = global_index();
  if (i >= pc.total) return;
  uint c = i % uint(pc.C);
  y[i] = x[i] * param_f(pc.scale_off + c) + param_f(pc.shift_off + c);
}
