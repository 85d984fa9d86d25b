#version 450
// dequantize: x = (q - zero) * scale.
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;
  float scale;
  int zero;
} pc;

void main() {
  uint i = global_index();
  if (i >= pc.total) return;
  y[i] = (x[i] - float(pc.zero)) * pc.scale;
}
