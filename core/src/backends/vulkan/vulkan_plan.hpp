// Turns a network's layer list into a sequence of compute dispatches (shader + push constants + how many
// invocations per batch item) and one packed parameter block. Pure bookkeeping, no Vulkan calls; shapes
// and int8 placement come from infer_activations (model/network_shapes.hpp), shared with every backend.
//
// Int8 networks run exactly as the format defines them: int8 activations are kept as integer-valued
// floats, int8 weights are widened to int32 words, conv2d/dense accumulate in int32 and requantise in
// float (round half away from zero) with the reference's multipliers, so results match `reference`
// within 1 LSB (the input quantisation divides on the GPU, whose division may differ by an ulp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "melgenre/error.hpp"
#include "melgenre/model.hpp"

namespace melgenre::vk {

struct Step {
  std::string shader;              // shaders/<shader>.comp
  std::array<uint32_t, 32> push{};  // push[0] (the invocation count) is filled per run
  uint32_t push_words = 1;
  size_t invocations_per_item = 0;  // along x (spilling into z)
  uint32_t channel_blocks = 1;      // work groups along y (conv2d: blocks of 8 output channels)
  size_t output_per_item = 0;      // floats
  bool layout_only = false;        // flatten: no work unless the result must move to another buffer
  std::string layer;               // "layer 3 (conv2d)" for messages
};

struct Plan {
  std::vector<Step> steps;
  std::vector<uint32_t> params;  // float bits / int32 words, indexed by the offsets in push constants
  size_t input_per_item = 0;
  size_t output_per_item = 0;
  size_t largest_per_item = 0;   // the biggest activation (input included), floats
};

Expected<Plan> plan_network(const Network& network);

}  // namespace melgenre::vk
