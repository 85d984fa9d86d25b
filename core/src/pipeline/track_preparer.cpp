// The features half of classification: audio -> per-network rate -> features of the whole track (mel
// networks) or the normalised summary row (summary networks). No backend involved.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "melgenre/resampler.hpp"
#include "melgenre/summary.hpp"
#include "pipeline/prepared_track.hpp"
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

}  // namespace

Expected<void> check_audio_options(const ClassifierOptions& options) {
  if (!(options.max_seconds >= 0) || std::isinf(options.max_seconds))
    return make_error(Status::invalid_argument, "max_seconds must be a finite number >= 0");
  if (!(options.silence_dbfs <= 0))
    return make_error(Status::invalid_argument, "silence_dbfs must be a level <= 0 dBFS (or -infinity to accept silence)");
  return {};
}

Expected<float> sample_peak(const float* samples, size_t n) {
  float peak = 0.f;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(samples[i])) return make_error(Status::corrupt_input, "the audio contains NaN or infinite samples");
    peak = std::max(peak, std::fabs(samples[i]));
  }
  return peak;
}

double peak_dbfs(float peak) { return peak > 0 ? 20.0 * std::log10(double(peak)) : -INFINITY; }

Error silent_audio_error(float peak, double silence_dbfs) {
  const double db = peak_dbfs(peak);
  char buf[160];
  if (std::isinf(db))
    std::snprintf(buf, sizeof buf, "the audio is silent (every sample is 0): there is no music to classify");
  else
    std::snprintf(buf, sizeof buf, "the audio is silent (its loudest sample is at %.1f dBFS, below %.0f dBFS): "
                  "there is no music to classify", db, silence_dbfs);
  return make_error(Status::invalid_argument, buf);
}

Expected<void> check_audio(const Audio& audio, double max_seconds, double silence_dbfs) {
  if (audio.sample_rate < 1 || audio.sample_rate > 1000000)
    return make_error(Status::invalid_argument, "audio sample rate " + std::to_string(audio.sample_rate) + " is not valid");
  if (audio.samples.empty()) return make_error(Status::invalid_argument, "the audio has no samples");
  if (max_seconds > 0 && audio.duration_seconds() > max_seconds)
    return make_error(Status::resource_limit, "audio is " + seconds_text(audio.duration_seconds()) +
                                                  " long, over the limit of " + seconds_text(max_seconds));
  auto peak = sample_peak(audio.samples.data(), audio.samples.size());
  if (!peak) return peak.error();
  if (peak_dbfs(*peak) < silence_dbfs) return silent_audio_error(*peak, silence_dbfs);
  return {};
}

Expected<FeatureExtractors> make_extractors(const Model& model) {
  FeatureExtractors out;
  for (const auto& net : model.networks) {
    if (net.input != InputKind::mel) {
      out.emplace_back();
      continue;
    }
    auto fx = FeatureExtractor::create(net.recipe);
    if (!fx)
      return make_error(Status::invalid_model, "model network '" + net.name + "': feature recipe: " + fx.error().message);
    out.emplace_back(std::move(*fx));
  }
  return out;
}

Expected<PreparedTrack> prepare_track(const Model& model, FeatureExtractors& extractors,
                                      const ClassifierOptions& options, const Audio& audio) {
  if (auto r = check_audio(audio, options.max_seconds, options.silence_dbfs); !r) return r.error();
  auto data = std::make_unique<PreparedTrack::Data>();
  data->duration = audio.duration_seconds();
  data->networks.resize(model.networks.size());
  std::map<int, std::vector<float>> resampled;  // once per distinct network rate other than the audio's
  bool shown_seen = false;

  for (size_t i = 0; i < model.networks.size(); ++i) {
    const Network& net = model.networks[i];
    PreparedNetworkInput& in = data->networks[i];
    const int rate = network_rate(net);
    if (rate != audio.sample_rate && !resampled.count(rate)) {
      auto r = resample(audio.samples.data(), audio.samples.size(), audio.sample_rate, rate);
      if (!r) return r.error();
      resampled[rate] = std::move(*r);
    }
    const std::vector<float>& y = rate == audio.sample_rate ? audio.samples : resampled[rate];

    if (net.input == InputKind::summary57) {
      if (y.empty()) return make_error(Status::invalid_argument, "the audio is too short for the summary features");
      const int windows = summary_window_count(y.size(), rate);
      std::vector<float> raw;
      for (int k = 0; k < windows; ++k) {
        const size_t begin = y.size() * size_t(k) / size_t(windows), end = y.size() * size_t(k + 1) / size_t(windows);
        auto row = compute_summary_row(y.data() + begin, end - begin, rate);
        if (!row) return row.error();
        raw.insert(raw.end(), row->begin(), row->end());
      }
      in.segments = windows;
      in.rows.resize(raw.size());
      normalize_rows(raw.data(), size_t(windows), raw.size() / size_t(windows), net.norm_mean, net.norm_std,
                     in.rows.data());
      continue;
    }

    // mel: pad a short track (in samples) to one segment, features of the whole track.
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
    if (auto r = extractors[i]->compute(samples, n, in.features); !r) return r.error();
    in.segments = segment_count(in.features.n_frames, net.segment_frames, net.segment_hop);
    if (in.segments < 1) return make_error(Status::internal, "no segment after padding (network '" + net.name + "')");
    if (!shown_seen) {  // the first mel network: its segments are the ones a TrackResult shows
      data->shown_duration = double(y.size()) / rate;
      data->shown = int(i);
      shown_seen = true;
    }
  }
  return PreparedTrack(std::move(data));
}

PreparedTrack::PreparedTrack(std::unique_ptr<Data> data) : data_(std::move(data)) {}
PreparedTrack::PreparedTrack(PreparedTrack&&) noexcept = default;
PreparedTrack& PreparedTrack::operator=(PreparedTrack&&) noexcept = default;
PreparedTrack::~PreparedTrack() = default;

double PreparedTrack::duration() const { return data_->duration; }
const PreparedTrack::Data& PreparedTrack::data() const { return *data_; }

const FeatureMatrix* PreparedTrack::features() const {
  return data_->shown < 0 ? nullptr : &data_->networks[size_t(data_->shown)].features;
}

long PreparedTrack::items() const {
  long n = 0;
  for (const auto& in : data_->networks) n += in.segments;
  return n;
}

struct TrackPreparer::State {
  Model model;
  FeatureExtractors extractors;
  ClassifierOptions options;
};

TrackPreparer::TrackPreparer(std::unique_ptr<State> state) : state_(std::move(state)) {}
TrackPreparer::TrackPreparer(TrackPreparer&&) noexcept = default;
TrackPreparer& TrackPreparer::operator=(TrackPreparer&&) noexcept = default;
TrackPreparer::~TrackPreparer() = default;

Expected<TrackPreparer> TrackPreparer::create(const Model& model, const ClassifierOptions& options) {
  if (auto r = check_audio_options(options); !r) return r.error();
  auto state = std::make_unique<State>();
  state->model = model;
  state->options = options;
  auto fx = make_extractors(state->model);
  if (!fx) return fx.error();
  state->extractors = std::move(*fx);
  return TrackPreparer(std::move(state));
}

Expected<PreparedTrack> TrackPreparer::prepare(const Audio& audio) {
  return prepare_track(state_->model, state_->extractors, state_->options, audio);
}

Expected<PreparedTrack> TrackPreparer::prepare_encoded(const uint8_t* data, size_t size) {
  DecodeOptions opts;
  opts.max_seconds = state_->options.max_seconds;
  auto audio = decode_memory(data, size, opts);
  if (!audio) return audio.error();
  return prepare(*audio);
}

Expected<PreparedTrack> TrackPreparer::prepare_file(const std::string& path) {
  DecodeOptions opts;
  opts.max_seconds = state_->options.max_seconds;
  auto audio = decode_file(path, opts);
  if (!audio) return audio.error();
  return prepare(*audio);
}

}  // namespace melgenre
