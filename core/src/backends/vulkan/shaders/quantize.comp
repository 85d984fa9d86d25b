#version 450
// quantize: q = clamp(round(x / scale) + zero, -128, 127), kept as an integer-valued float.
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;
  float scale;
  int zero;
} pc;

void main() {
  uint i = global_index();
  if (i >= pc.total) return;
  y[i] = clamp(round_away(x[i] / pc.scale) + float(pc.zero), -128.0, 127.0);
}
