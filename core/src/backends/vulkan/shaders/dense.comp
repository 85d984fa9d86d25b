#version 450
// dense, float32: y[n, o] = bias[o] + sum_i x[n, i] * weight[o, i], optional fused ReLU.
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;  // N * Out
  int In, Out;
  int relu;
  uint weight_off, bias_off;
} pc;

void main() {
  uint i = global_index();
  if (i >= pc.total) return;
  uint o = i % uint(pc.Out);
  uint n = i / uint(pc.Out);
  uint xb = n * uint(pc.In);
  uint wb = pc.weight_off + o * uint(pc.In);
  float acc = param_f(pc.bias_off + o);
  for (uint k = 0u; k < uint(pc.In); ++k) acc += x[xb + k] * param_f(wb + k);
  if (pc.relu != 0) acc = max(acc, 0.0);
  y[i] = acc;
}
