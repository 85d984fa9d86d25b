// The explicit classifier object: a model, a backend, the feature extractors and scratch, built once
// and reused for many tracks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "melgenre/audio.hpp"
#include "melgenre/error.hpp"
#include "melgenre/features.hpp"
#include "melgenre/model.hpp"

namespace melgenre {

struct ClassifierOptions {
  std::string backend = "auto";
  int threads = 1;
  int max_batch = 32;          // segments per backend call
  double max_seconds = 3600;   // longer audio is refused (Status::resource_limit); 0 = no limit
};

struct SegmentResult {
  double start = 0, end = 0;  // seconds
  std::vector<float> scores;  // one per label
};

struct TrackResult {
  std::vector<float> scores;  // one per label, sums to 1
  int top = 0;                // index of the best label
  float confidence = 0.f;     // scores[top]
  double duration = 0;        // seconds of audio classified
  std::vector<SegmentResult> segments;  // from the first mel network (empty for summary-only models)
};

class ClassifierStream;

class Classifier {
 public:
  static Expected<Classifier> create(const uint8_t* model_bytes, size_t size, const ClassifierOptions& options);
  Classifier(Classifier&&) noexcept;
  Classifier& operator=(Classifier&&) noexcept;
  ~Classifier();

  const Model& model() const;
  const std::vector<std::string>& labels() const;
  std::string backend_name() const;

  // Audio at any rate; resampled to each network's rate.
  Expected<TrackResult> classify(const Audio& audio);
  // Encoded bytes (WAV, AU, MP3, OGG; sniffed).
  Expected<TrackResult> classify_encoded(const uint8_t* data, size_t size);
  Expected<TrackResult> classify_file(const std::string& path);

  // The first mel network's log-mel matrix (frame-major), for drawing.
  Expected<FeatureMatrix> log_mel(const Audio& audio);

  // Live audio: push PCM chunks, read updated results. Mel networks only.
  Expected<ClassifierStream> open_stream(int sample_rate);

 private:
  friend class ClassifierStream;
  struct State;
  explicit Classifier(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class ClassifierStream {
 public:
  ClassifierStream(ClassifierStream&&) noexcept;
  ClassifierStream& operator=(ClassifierStream&&) noexcept;
  ~ClassifierStream();

  Expected<void> push(const float* samples, size_t n);
  // Mean over the segments completed so far (and the segments themselves); an error before the first
  // full segment.
  Expected<TrackResult> result() const;
  // Only the most recent segment's scores (what a live display shows).
  Expected<SegmentResult> latest() const;
  void reset();

 private:
  friend class Classifier;
  struct State;
  explicit ClassifierStream(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace melgenre
