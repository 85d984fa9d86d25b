#version 450
// softmax over the last axis, one invocation per item (C is the label count, small).
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;  // N
  int C;
} pc;

void main() {
  uint n = global_index();
  if (n >= pc.total) return;
  uint b = n * uint(pc.C);
  float m = x[b];
  for (uint c = 1u; c < uint(pc.C); ++c) m = max(m, x[b + c]);
  float s = 0.0;
  for (uint c = 0u; c < uint(pc.C); ++c) s += exp(x[b + c] - m);
  for (uint c = 0u; c < uint(pc.C); ++c) y[b + c] = exp(x[b + c] - m) / s;
}
