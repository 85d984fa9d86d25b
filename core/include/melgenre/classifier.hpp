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
  // Audio whose loudest sample stays below this level (dB relative to full scale 1.0) is refused as
  // silent (Status::invalid_argument) instead of getting a genre: a net given silence still answers
  // with some label. -60 dBFS is far below the quietest music; -infinity accepts anything.
  double silence_dbfs = -60;
  long expected_tracks = 1;    // how many tracks this classifier will see: lets "auto" judge whether a GPU pays
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

// One track turned into what every network of a model consumes (the features of the whole track, the
// summary rows), before any backend run: the CPU half of classification. Made by Classifier::prepare or
// by a TrackPreparer (on any thread); consumed by Classifier::classify_prepared.
class PreparedTrack {
 public:
  struct Data;  // defined inside the core
  explicit PreparedTrack(std::unique_ptr<Data> data);
  PreparedTrack(PreparedTrack&&) noexcept;
  PreparedTrack& operator=(PreparedTrack&&) noexcept;
  ~PreparedTrack();

  double duration() const;  // seconds of audio
  long items() const;       // backend items it adds to a batch: segments of every mel network + summary rows
  // The first mel network's features of the whole track, as classification uses them (what
  // Classifier::log_mel returns, except that a track shorter than one segment is zero-padded to one);
  // nullptr for a summary-only model. Lets a caller draw the spectrogram without computing it again.
  const FeatureMatrix* features() const;
  const Data& data() const;

 private:
  std::unique_ptr<Data> data_;
};

// The features half of a Classifier, without a backend: one per thread that prepares tracks for a
// Classifier shared by all of them (a GPU backend is one device queue fed by one caller).
class TrackPreparer {
 public:
  // `model` is copied (tensors are shared); options.max_seconds applies as in Classifier.
  static Expected<TrackPreparer> create(const Model& model, const ClassifierOptions& options);
  TrackPreparer(TrackPreparer&&) noexcept;
  TrackPreparer& operator=(TrackPreparer&&) noexcept;
  ~TrackPreparer();

  Expected<PreparedTrack> prepare(const Audio& audio);
  Expected<PreparedTrack> prepare_encoded(const uint8_t* data, size_t size);
  Expected<PreparedTrack> prepare_file(const std::string& path);

 private:
  struct State;
  explicit TrackPreparer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
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

  // Many tracks at once: the segments of all of them go into batches of up to max_batch items, one
  // backend run per batch (what keeps a GPU busy), and the results are split back per track. One result
  // per track, in order, equal to classify() of that track; a bad track (nullptr, bad audio) gets its
  // own error and does not affect the others. The outer error is a backend failure (no track has a
  // result). Every track's features are held at once: the caller bounds memory by how many it passes.
  Expected<std::vector<Expected<TrackResult>>> classify_many(const std::vector<const Audio*>& tracks);
  // The two halves of classify_many: the features of one track (CPU work), and the batched backend runs
  // over tracks prepared here or by a TrackPreparer of the same model (a track prepared for another
  // model, or nullptr, gets an error of its own).
  Expected<PreparedTrack> prepare(const Audio& audio);
  // prepare() of encoded bytes, decoded as classify_encoded decodes them (same length limit).
  Expected<PreparedTrack> prepare_encoded(const uint8_t* data, size_t size);
  Expected<std::vector<Expected<TrackResult>>> classify_prepared(const std::vector<const PreparedTrack*>& tracks);

  // The first mel network's log-mel matrix (frame-major), for drawing.
  Expected<FeatureMatrix> log_mel(const Audio& audio);

  // Live audio: push PCM chunks, read updated results. Mel networks only (summary networks of a bundle
  // are left out and the weights of the mel networks renormalised). The stream owns its own backend
  // and scratch, so it does not depend on this Classifier staying alive.
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

  // Samples at the rate given to open_stream. A segment is classified as soon as all of its frames
  // are complete (no end padding needed).
  Expected<void> push(const float* samples, size_t n);
  // The end of the audio: the tail frames are computed with the recipe's end padding, the remaining
  // segments classified, and a stream shorter than one segment is zero-padded to one, exactly as the
  // batch classifier does. push() is refused afterwards until reset().
  Expected<void> finish();
  // Mean over the segments completed so far (and the segments themselves); an error before the first
  // full segment. Equals Classifier::classify of the same audio after finish() when the audio is at the
  // network's rate and the dB scaling does not depend on the whole track. Differences by design: with
  // db=refmax (and for the top_db floor) the stream uses the running maximum of what it has seen so
  // far, where the batch classifier uses the whole track's maximum; audio at another rate goes through
  // the streaming Resampler instead of the one-shot resample().
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
