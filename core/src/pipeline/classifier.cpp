// The batch classifier: audio -> per-network rate -> features of the whole track -> segments ->
// batched backend runs -> mean of segment probabilities -> weighted mean over the bundle.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "melgenre/resampler.hpp"
#include "melgenre/summary.hpp"
#include "pipeline/classifier_state.hpp"
#include "pipeline/segmenter.hpp"

namespace melgenre {
namespace {

// The summary table was computed at 22050 Hz; compute_summary_row refuses other rates.
constexpr int kSummaryRate = 22050;

int network_rate(const Network& n) { return n.input == InputKind::mel ? n.recipe.sample_rate : kSummaryRate; }

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

Expected<void> check_audio(const Audio& audio, double max_seconds) {
  if (audio.sample_rate < 1 || audio.sample_rate > 1000000)
    return make_error(Status::invalid_argument, "audio sample rate " + std::to_string(audio.sample_rate) + " is not valid");
  if (audio.samples.empty()) return make_error(Status::invalid_argument, "the audio has no samples");
  if (max_seconds > 0 && audio.duration_seconds() > max_seconds)
    return make_error(Status::resource_limit, "audio is " + seconds_text(audio.duration_seconds()) +
                                                  " long, over the limit of " + seconds_text(max_seconds));
  for (float v : audio.samples)
    if (!std::isfinite(v)) return make_error(Status::corrupt_input, "the audio contains NaN or infinite samples");
  return {};
}

// Mean over rows of a rows x cols matrix.
std::vector<float> mean_rows(const float* m, size_t rows, size_t cols) {
  std::vector<double> acc(cols, 0.0);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) acc[c] += m[r * cols + c];
  std::vector<float> out(cols);
  for (size_t c = 0; c < cols; ++c) out[c] = float(acc[c] / double(rows));
  return out;
}

}  // namespace

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
  if (!(options.max_seconds >= 0) || std::isinf(options.max_seconds))
    return make_error(Status::invalid_argument, "max_seconds must be a finite number >= 0");
  auto model = load_model(model_bytes, size);
  if (!model) return model.error();
  auto state = std::make_unique<State>();
  state->model = std::move(*model);
  state->options = options;
  for (const auto& net : state->model.networks) {
    if (net.input != InputKind::mel) {
      state->extractors.emplace_back();
      continue;
    }
    auto fx = FeatureExtractor::create(net.recipe);
    if (!fx)
      return make_error(Status::invalid_model, "model network '" + net.name + "': feature recipe: " + fx.error().message);
    state->extractors.emplace_back(std::move(*fx));
  }
  auto compiled = compile_model(state->model, options);
  if (!compiled) return compiled.error();
  state->compiled = std::move(*compiled);
  return Classifier(std::move(state));
}

const Model& Classifier::model() const { return state_->model; }
const std::vector<std::string>& Classifier::labels() const { return state_->model.labels; }
std::string Classifier::backend_name() const { return state_->compiled.backend_name; }

Expected<TrackResult> Classifier::classify(const Audio& audio) {
  State& s = *state_;
  if (auto r = check_audio(audio, s.options.max_seconds); !r) return r.error();
  const size_t n_labels = s.model.labels.size();
  std::map<int, std::vector<float>> at_rate;  // the track resampled once per distinct network rate
  std::vector<std::vector<float>> per_network(s.model.networks.size());
  std::vector<float> weights;
  TrackResult result;
  result.duration = audio.duration_seconds();
  const int shown = first_mel_network(s.model);

  for (size_t i = 0; i < s.model.networks.size(); ++i) {
    const Network& net = s.model.networks[i];
    weights.push_back(net.weight);
    const int rate = network_rate(net);
    if (!at_rate.count(rate)) {
      if (rate == audio.sample_rate) {
        at_rate[rate] = audio.samples;
      } else {
        auto y = resample(audio.samples.data(), audio.samples.size(), audio.sample_rate, rate);
        if (!y) return y.error();
        at_rate[rate] = std::move(*y);
      }
    }
    const std::vector<float>& y = at_rate[rate];
    CompiledNetwork& compiled = *s.compiled.networks[i];
    s.probs.clear();

    if (net.input == InputKind::summary57) {
      if (y.empty()) return make_error(Status::invalid_argument, "the audio is too short for the summary features");
      auto row = compute_summary_row(y.data(), y.size(), rate);
      if (!row) return row.error();
      std::vector<float> raw(row->begin(), row->end());
      s.items.resize(raw.size());
      normalize_rows(raw.data(), 1, raw.size(), net.norm_mean, net.norm_std, s.items.data());
      if (auto r = run_items(compiled, s.items.data(), raw.size(), 1, s.probs); !r) return r.error();
      per_network[i].assign(s.probs.begin(), s.probs.begin() + long(n_labels));
      continue;
    }

    // mel: pad a short track (in samples) to one segment, features of the whole track, segments.
    const size_t need = samples_for_frames(net.recipe.stft, net.segment_frames);
    std::vector<float> padded;
    const float* samples = y.data();
    size_t n = y.size();
    if (n < need) {
      padded.assign(need, 0.f);
      std::copy(y.begin(), y.end(), padded.begin());
      samples = padded.data();
      n = need;
    }
    FeatureMatrix features;
    if (auto r = s.extractors[i]->compute(samples, n, features); !r) return r.error();
    const int count = segment_count(features.n_frames, net.segment_frames, net.segment_hop);
    if (count < 1) return make_error(Status::internal, "no segment after padding (network '" + net.name + "')");
    const size_t bins = size_t(features.n_bins);
    const size_t item = size_t(net.segment_frames) * bins;
    const int batch = compiled.max_batch();
    s.items.resize(item * size_t(batch));
    for (int done = 0; done < count;) {
      const int b = std::min(batch, count - done);
      for (int k = 0; k < b; ++k)
        normalize_rows(features.frame((done + k) * net.segment_hop), size_t(net.segment_frames), bins, net.norm_mean,
                       net.norm_std, s.items.data() + size_t(k) * item);
      if (auto r = run_items(compiled, s.items.data(), item, b, s.probs); !r) return r.error();
      done += b;
    }
    const size_t out = compiled.output_size();
    per_network[i] = mean_rows(s.probs.data(), size_t(count), out);
    if (int(i) == shown) {
      const double duration = double(y.size()) / rate;
      for (int k = 0; k < count; ++k) {
        SegmentResult seg;
        const long f0 = long(k) * net.segment_hop;
        seg.start = std::min(duration, frame_seconds(net.recipe, f0));
        seg.end = std::min(duration, frame_seconds(net.recipe, f0 + net.segment_frames));
        seg.scores.assign(s.probs.begin() + long(size_t(k) * out), s.probs.begin() + long(size_t(k + 1) * out));
        result.segments.push_back(std::move(seg));
      }
    }
  }
  combine_weighted(per_network, weights, result.scores);
  finish_scores(result);
  return result;
}

Expected<TrackResult> Classifier::classify_encoded(const uint8_t* data, size_t size) {
  DecodeOptions opts;
  opts.max_seconds = state_->options.max_seconds;
  auto audio = decode_memory(data, size, opts);
  if (!audio) return audio.error();
  return classify(*audio);
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
  if (auto r = check_audio(audio, s.options.max_seconds); !r) return r.error();
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
