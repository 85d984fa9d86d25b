// Shared by every melgenre compute shader: one invocation per output element (conv2d: per position, with
// the work-group's y index choosing a block of output channels), work groups spilling into z when the
// count exceeds the x limit, and three storage buffers bound the same way for all operators (input
// activations, output activations, packed parameters as raw 32-bit words).
layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer InputBuffer { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer OutputBuffer { float y[]; };
layout(std430, set = 0, binding = 2) readonly buffer ParamBuffer { uint params[]; };

uint global_index() {
  return gl_GlobalInvocationID.x + gl_GlobalInvocationID.z * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
}

// Float tensors are stored as their bit patterns, int tensors (int8 widened, int32) as two's complement.
float param_f(uint i) { return uintBitsToFloat(params[i]); }
int param_i(uint i) { return int(params[i]); }

// Round half away from zero (the model format's rule for int8 requantisation). v - trunc(v) is exact,
// unlike floor(|v| + 0.5), which rounds 0.49999997 up.
float round_away(float v) {
  float r = trunc(v);
  return abs(v - r) >= 0.5 ? r + sign(v) : r;
}
