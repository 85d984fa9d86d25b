#version 450
// elu: y = x > 0 ? x : alpha * (exp(x) - 1).
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;
  float alpha;
} pc;

void main() {
  uint i = global_index();
  if (i >= pc.total) return;
  float v = x[i];
  y[i] = v > 0.0 ? v : pc.alpha * (exp(v) - 1.0);
}
