// Classifier's private state, shared by classifier.cpp and classifier_stream.cpp (open_stream).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "melgenre/classifier.hpp"
#include "pipeline/compiled_model.hpp"

namespace melgenre {

struct Classifier::State {
  Model model;
  ClassifierOptions options;
  CompiledModel compiled;
  // One per network; only mel networks have one (built once, reused for every track).
  std::vector<std::optional<FeatureExtractor>> extractors;
  std::vector<float> items;  // scratch: normalised segments of one batch
  std::vector<float> probs;  // scratch: network outputs
};

// Index of the first mel network (its segments and log-mel are what TrackResult/log_mel show), or -1.
int first_mel_network(const Model& model);

// Bundle combination: sum_i w_i p_i / sum_i w_i over the networks that produced a result.
void combine_weighted(const std::vector<std::vector<float>>& per_network, const std::vector<float>& weights,
                      std::vector<float>& out);

// Fills top/confidence from scores.
void finish_scores(TrackResult& r);

}  // namespace melgenre
