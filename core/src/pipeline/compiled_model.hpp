// A model's networks compiled on one backend (shared by the batch classifier and the stream), and
// batched execution of many items through one network.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "melgenre/backend.hpp"
#include "melgenre/classifier.hpp"
#include "melgenre/model.hpp"

namespace melgenre {

struct CompiledModel {
  // Declared before `networks` so they outlive them (members are destroyed in reverse order).
  std::vector<std::unique_ptr<Backend>> backends;      // [0] the chosen one; [1] reference fallback
  std::vector<std::unique_ptr<CompiledNetwork>> networks;  // one per Model::networks entry
  std::string backend_name;
};

// Compiles every network on options.backend. With "auto", a network the chosen backend refuses is
// compiled on the reference backend instead (backend_name then says so); a named backend that
// refuses a network is an error.
Expected<CompiledModel> compile_model(const Model& model, const ClassifierOptions& options);

// Runs `count` items of `item_size` floats through `network` in batches of at most max_batch, appending
// output_size() floats per item to `out`. `scratch` is reused between calls.
Expected<void> run_items(CompiledNetwork& network, const float* items, size_t item_size, int count,
                         std::vector<float>& out);

// Segments a 30 s track gives the mel networks of `model`: the work hint for choosing a GPU.
long segments_per_30s(const Model& model);

}  // namespace melgenre
