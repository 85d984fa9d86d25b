// The batch classifier: a Classifier is built once per model and backend; classify() = prepare (the
// features, track_preparer.cpp) + classify_prepared (the backend runs, classifier_batch.cpp).
#include <cmath>
#include <string>

#include "melgenre/resampler.hpp"
#include "pipeline/classifier_state.hpp"
#include "pipeline/prepared_track.hpp"

namespace melgenre {

int first_mel_network(const Model& model) {
  for (size_t i = 0; i < model.networks.size(); ++i)
    if (model.networks[i].input == InputKind::mel) return int(i);
  return -1;
}

void combine_weighted(const std::vector<std::vector<float>>& per_network, const std::vector<float>& weights,
                      std::vector<float>& out) {
  double total = 0;
  size_t width = 0;
  for (size_t i = 0; i < per_network.size(); ++i)
    if (!per_network[i].empty()) {
      total += weights[i];
      width = per_network[i].size();
    }
  out.assign(width, 0.f);
  if (width == 0) return;
  std::vector<double> acc(width, 0.0);
  for (size_t i = 0; i < per_network.size(); ++i) {
    if (per_network[i].empty()) continue;
    // All present weights 0 (only possible when a weighted network is absent): plain mean.
    const double w = total > 0 ? weights[i] / total : 1.0;
    for (size_t c = 0; c < width; ++c) acc[c] += w * per_network[i][c];
  }
  double sum = 0;
  for (double v : acc) sum += v;
  for (size_t c = 0; c < width; ++c) out[c] = float(sum > 0 ? acc[c] / sum : acc[c]);
}

void finish_scores(TrackResult& r) {
  r.top = 0;
  for (size_t i = 1; i < r.scores.size(); ++i)
    if (r.scores[i] > r.scores[size_t(r.top)]) r.top = int(i);
  r.confidence = r.scores.empty() ? 0.f : r.scores[size_t(r.top)];
}

Classifier::Classifier(std::unique_ptr<State> state) : state_(std::move(state)) {}
Classifier::Classifier(Classifier&&) noexcept = default;
Classifier& Classifier::operator=(Classifier&&) noexcept = default;
Classifier::~Classifier() = default;

Expected<Classifier> Classifier::create(const uint8_t* model_bytes, size_t size, const ClassifierOptions& options) {
  if (auto r = check_audio_options(options); !r) return r.error();
  auto model = load_model(model_bytes, size);
  if (!model) return model.error();
  auto state = std::make_unique<State>();
  state->model = std::move(*model);
  state->options = options;
  auto extractors = make_extractors(state->model);
  if (!extractors) return extractors.error();
  state->extractors = std::move(*extractors);
  auto compiled = compile_model(state->model, options);
  if (!compiled) return compiled.error();
  state->compiled = std::move(*compiled);
  return Classifier(std::move(state));
}

const Model& Classifier::model() const { return state_->model; }
const std::vector<std::string>& Classifier::labels() const { return state_->model.labels; }
std::string Classifier::backend_name() const { return state_->compiled.backend_name; }

namespace {

// One prepared track through the batch path, so one track alone and many batched give the same result.
Expected<TrackResult> classify_one(Classifier& classifier, const Expected<PreparedTrack>& prepared) {
  if (!prepared) return prepared.error();
  auto results = classifier.classify_prepared({&*prepared});
  if (!results) return results.error();
  return std::move(results->front());
}

}  // namespace

Expected<TrackResult> Classifier::classify(const Audio& audio) { return classify_one(*this, prepare(audio)); }

Expected<PreparedTrack> Classifier::prepare(const Audio& audio) {
  return prepare_track(state_->model, state_->extractors, state_->options, audio);
}

Expected<PreparedTrack> Classifier::prepare_encoded(const uint8_t* data, size_t size) {
  DecodeOptions opts;
  opts.max_seconds = state_->options.max_seconds;
  auto audio = decode_memory(data, size, opts);
  if (!audio) return audio.error();
  return prepare(*audio);
}

Expected<TrackResult> Classifier::classify_encoded(const uint8_t* data, size_t size) {
  return classify_one(*this, prepare_encoded(data, size));
}

Expected<TrackResult> Classifier::classify_file(const std::string& path) {
  DecodeOptions opts;
  opts.max_seconds = state_->options.max_seconds;
  auto audio = decode_file(path, opts);
  if (!audio) return audio.error();
  return classify(*audio);
}

Expected<FeatureMatrix> Classifier::log_mel(const Audio& audio) {
  State& s = *state_;
  const int i = first_mel_network(s.model);
  if (i < 0) return make_error(Status::invalid_argument, "this model has no mel network (summary features only)");
  // Drawing silence is harmless: only classification refuses it.
  if (auto r = check_audio(audio, s.options.max_seconds, -INFINITY); !r) return r.error();
  const Network& net = s.model.networks[size_t(i)];
  std::vector<float> resampled;
  const std::vector<float>* y = &audio.samples;
  if (audio.sample_rate != net.recipe.sample_rate) {
    auto r = resample(audio.samples.data(), audio.samples.size(), audio.sample_rate, net.recipe.sample_rate);
    if (!r) return r.error();
    resampled = std::move(*r);
    y = &resampled;
  }
  if (y->empty()) return make_error(Status::invalid_argument, "the audio has no samples at the model's rate");
  FeatureMatrix m;
  if (auto r = s.extractors[size_t(i)]->compute(y->data(), y->size(), m); !r) return r.error();
  return m;
}

}  // namespace melgenre
