// Classifies many tracks and hands results back in input order on the calling thread. CPU backends: a
// few classifiers in parallel (one per worker thread; the backend threads are split among them). GPU
// backends (vulkan, cuda): one classifier fed groups of tracks (their segments share each dispatch,
// Classifier::classify_prepared) while worker threads decode and compute features of the next ones.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "melgenre/backend.hpp"
#include "melgenre/classifier.hpp"

namespace melgenre::cli {

struct TrackJob {
  std::string name;                          // shown in output and errors ("-" for stdin)
  const std::vector<uint8_t>* bytes = nullptr;  // encoded audio held in memory (stdin), else read `name`
};

struct TrackOutcome {
  std::optional<TrackResult> result;
  std::string error;  // set when result is empty
};

struct RunPlan {
  int workers = 1;          // classifiers running in parallel
  int backend_threads = 1;  // threads of each classifier's backend
};

// `threads` in total for `jobs` tracks: several tracks at once when there are many (decode and
// features are per track), all threads inside one backend for a single track.
RunPlan plan_threads(int threads, size_t jobs);

// Builds the classifiers (an unusable model or backend is returned as the error), then calls
// on_result(index, outcome) for every job, in order. For a GPU, plan.workers is the number of threads
// preparing tracks and options.max_batch is raised to a GPU-sized batch.
Expected<std::string> run_tracks(const std::vector<uint8_t>& model, ClassifierOptions options, const RunPlan& plan,
                                 const std::vector<TrackJob>& jobs,
                                 const std::function<void(size_t, const TrackOutcome&)>& on_result);

// A named backend that is not built in is a usage error, found before any file is read.
inline bool backend_known(const std::string& name, std::string& why) {
  if (name == "auto") return true;
  for (const auto& b : built_backends())
    if (b == name) return true;
  auto r = create_backend(name, BackendOptions{});
  why = r ? "" : r.error().message;
  return bool(r);
}

}  // namespace melgenre::cli
