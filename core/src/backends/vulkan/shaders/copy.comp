#version 450
// flatten (and any layout-only step): a plain copy, used only where the result must land in another buffer.
#include "common.glsl"

layout(push_constant) uniform Push {
  uint total;
} pc;

void main() {
  uint i = global_index();
  if (i >= pc.total) return;
  y[i] = x[i];
}
