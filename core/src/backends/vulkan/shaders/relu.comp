#version 450
// relu: y = max(x, floor); floor is 0 for float activations and the zero point for int8 ones.
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;
  float floor_value;
} pc;

void main() {
  uint i = global_index();
  if (i >= pc.total) return;
  y[i] = max(x[i], pc.floor_value);
}
