// The streaming classifier: PCM chunks in, a segment classified as soon as its frames are complete.
// Memory stays bounded: only the samples that future frames need and the mel frames of the segments
// not yet classified are kept.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "melgenre/resampler.hpp"
#include "pipeline/classifier_state.hpp"
#include "pipeline/prepared_track.hpp"
#include "pipeline/segmenter.hpp"

namespace melgenre {
namespace {

constexpr float kAmin = 1e-10f;  // librosa's power_to_db amin, as FeatureExtractor uses

// One mel network's incremental pipeline.
struct NetworkStream {
  size_t index = 0;  // into the stream's model
  FeatureRecipe recipe;
  int frames = 0, hop = 0;  // segment length and hop in frames
  std::optional<Resampler> resampler;  // when the input rate differs from the recipe's
  std::optional<Stft> stft;
  std::optional<MelFilterbank> mel;
  std::optional<Dct> dct;  // mfcc recipes

  std::vector<float> samples;  // samples[0] is absolute sample `sample_base` (a multiple of the STFT hop)
  long long sample_base = 0;
  long long total = 0;       // samples seen at the network's rate
  long next_frame = 0;       // first frame not computed yet
  std::vector<float> mel_frames;  // power mel of frames [frame_base, next_frame)
  long frame_base = 0;
  long next_segment = 0;
  float running_max = 0.f;   // largest power mel value so far (refmax reference, top_db peak)
  std::vector<float> probs;  // per classified segment: one row of output_size() floats
  long segments = 0;
};

}  // namespace

struct ClassifierStream::State {
  Model model;  // the mel networks of the classifier's model
  ClassifierOptions options;
  CompiledModel compiled;
  int input_rate = 0;
  long long input_total = 0;
  float peak = 0.f;  // loudest |sample| pushed since the last reset (the silence check)
  bool finished = false;
  std::vector<NetworkStream> nets;
  std::vector<SegmentResult> shown_segments;  // of nets[0]
  std::vector<float> power, items, chunk;     // scratch

  Expected<void> reset_nets();
  Expected<void> feed(NetworkStream& ns, const float* y, size_t n);
  Expected<void> advance(NetworkStream& ns);
  Expected<void> classify_ready(NetworkStream& ns, long last_frame_exclusive);
};

Expected<void> ClassifierStream::State::reset_nets() {
  input_total = 0;
  peak = 0.f;
  finished = false;
  shown_segments.clear();
  nets.clear();
  for (size_t i = 0; i < model.networks.size(); ++i) {
    const Network& net = model.networks[i];
    NetworkStream ns;
    ns.index = i;
    ns.recipe = net.recipe;
    ns.frames = net.segment_frames;
    ns.hop = net.segment_hop;
    if (input_rate != net.recipe.sample_rate) {
      auto r = Resampler::create(input_rate, net.recipe.sample_rate);
      if (!r) return r.error();
      ns.resampler.emplace(std::move(*r));
    }
    auto stft = Stft::create(net.recipe.stft);
    if (!stft) return stft.error();
    ns.stft.emplace(std::move(*stft));
    MelParams mp;
    mp.sample_rate = net.recipe.sample_rate;
    mp.n_fft = net.recipe.stft.n_fft;
    mp.n_mels = net.recipe.n_mels;
    mp.fmin = net.recipe.fmin;
    mp.fmax = net.recipe.fmax;
    mp.htk = net.recipe.htk;
    auto mel = MelFilterbank::create(mp);
    if (!mel) return mel.error();
    ns.mel.emplace(std::move(*mel));
    if (net.recipe.kind == FeatureKind::mfcc) {
      auto d = Dct::create(net.recipe.n_mels, net.recipe.n_mfcc);
      if (!d) return d.error();
      ns.dct.emplace(std::move(*d));
    }
    nets.push_back(std::move(ns));
  }
  return {};
}

Expected<void> ClassifierStream::State::feed(NetworkStream& ns, const float* y, size_t n) {
  ns.samples.insert(ns.samples.end(), y, y + n);
  ns.total += (long long)n;
  return advance(ns);
}

// Computes every frame that is complete (or, once finished, every frame of the signal with its end
// padding), classifies the segments those frames complete, and drops what no future frame needs.
Expected<void> ClassifierStream::State::advance(NetworkStream& ns) {
  const StftParams& p = ns.recipe.stft;
  const long long pad = p.center ? p.n_fft / 2 : 0;
  long frames_ready;
  if (finished) {
    frames_ready = ns.stft->n_frames(size_t(ns.total));
  } else {
    // Frame t spans samples [t*hop - pad, t*hop - pad + n_fft).
    const long long last_start = ns.total - p.n_fft + pad;
    frames_ready = last_start < 0 ? 0 : long(last_start / p.hop + 1);
  }
  const int n_mels = ns.recipe.n_mels;
  const size_t bins = size_t(ns.stft->n_bins());
  if (frames_ready > ns.next_frame) {
    const long count = frames_ready - ns.next_frame;
    const long base_frame = long(ns.sample_base / p.hop);
    power.resize(bins * 4);
    const size_t old = ns.mel_frames.size();
    ns.mel_frames.resize(old + size_t(count) * size_t(n_mels));
    for (long t = 0; t < count; t += 4) {
      const int c = int(std::min<long>(4, count - t));
      ns.stft->power_frames(ns.samples.data(), ns.samples.size(), int(ns.next_frame + t - base_frame), c, power.data());
      for (int j = 0; j < c; ++j) {
        float* dst = ns.mel_frames.data() + old + size_t(t + j) * size_t(n_mels);
        ns.mel->apply_frame(power.data() + size_t(j) * bins, dst);
        for (int m = 0; m < n_mels; ++m) ns.running_max = std::max(ns.running_max, dst[m]);
      }
    }
    ns.next_frame = frames_ready;
    if (auto r = classify_ready(ns, frames_ready); !r) return r;
  }
  // Keep samples from the first sample a future frame (or, for reflect padding at the end, the last
  // n_fft samples) may read; trim in large steps so the copy cost stays linear.
  long long keep = std::min<long long>((long long)ns.next_frame * p.hop - pad, ns.total - p.n_fft);
  keep = std::max<long long>(0, keep) / p.hop * p.hop;
  if (keep - ns.sample_base > (1 << 16)) {
    ns.samples.erase(ns.samples.begin(), ns.samples.begin() + long(keep - ns.sample_base));
    ns.sample_base = keep;
  }
  return {};
}

// Classifies segments [next_segment, ...) whose frames lie below `frames_available`.
Expected<void> ClassifierStream::State::classify_ready(NetworkStream& ns, long frames_available) {
  const Network& net = model.networks[ns.index];
  CompiledNetwork& compiled = *this->compiled.networks[ns.index];
  const int n_mels = ns.recipe.n_mels;
  long ready = 0;
  while ((ns.next_segment + ready) * ns.hop + ns.frames <= frames_available) ++ready;
  if (ready == 0) return {};

  // dB scaling with the running maximum (see ClassifierStream::result in classifier.hpp).
  const FeatureRecipe& r = ns.recipe;
  const bool mfcc = r.kind == FeatureKind::mfcc;
  const DbMode db = mfcc ? DbMode::ref1 : r.db;
  const float ref_db =
      db == DbMode::refmax ? float(10.0 * std::log10(std::max(double(kAmin), double(ns.running_max)))) : 0.f;
  const float peak_db = 10.f * std::log10(std::max(kAmin, ns.running_max)) - ref_db;
  const bool floor = db != DbMode::none && r.top_db > 0.f;
  const float floor_db = peak_db - r.top_db;

  const int out_bins = mfcc ? r.n_mfcc : n_mels;
  const size_t item = size_t(ns.frames) * size_t(out_bins);
  items.resize(item * size_t(ready));
  FeatureMatrix seg, coeffs;
  for (long k = 0; k < ready; ++k) {
    const long f0 = (ns.next_segment + k) * ns.hop;
    seg.resize(ns.frames, n_mels);
    const float* src = ns.mel_frames.data() + size_t(f0 - ns.frame_base) * size_t(n_mels);
    std::copy(src, src + size_t(ns.frames) * size_t(n_mels), seg.data.begin());
    if (db != DbMode::none)
      for (float& v : seg.data) {
        v = 10.f * std::log10(std::max(kAmin, v)) - ref_db;
        if (floor) v = std::max(v, floor_db);
      }
    const FeatureMatrix* features = &seg;
    if (mfcc) {
      ns.dct->apply(seg, coeffs);
      features = &coeffs;
    }
    normalize_rows(features->data.data(), size_t(ns.frames), size_t(out_bins), net.norm_mean, net.norm_std,
                   items.data() + size_t(k) * item);
  }
  const size_t first_row = ns.probs.size();
  if (auto rr = run_items(compiled, items.data(), item, int(ready), ns.probs); !rr) return rr;
  if (&ns == &nets.front()) {
    const size_t out = compiled.output_size();
    for (long k = 0; k < ready; ++k) {
      SegmentResult s;
      const long f0 = (ns.next_segment + k) * ns.hop;
      s.start = frame_seconds(r, f0);
      s.end = frame_seconds(r, f0 + ns.frames);
      const float* row = ns.probs.data() + first_row + size_t(k) * out;
      s.scores.assign(row, row + out);
      shown_segments.push_back(std::move(s));
    }
  }
  ns.next_segment += ready;
  ns.segments += ready;
  // Mel frames before the next segment's first frame are no longer needed.
  const long drop = ns.next_segment * ns.hop - ns.frame_base;
  if (drop > 0) {
    const size_t n = std::min(ns.mel_frames.size(), size_t(drop) * size_t(n_mels));
    ns.mel_frames.erase(ns.mel_frames.begin(), ns.mel_frames.begin() + long(n));
    ns.frame_base += drop;
  }
  return {};
}

ClassifierStream::ClassifierStream(std::unique_ptr<State> state) : state_(std::move(state)) {}
ClassifierStream::ClassifierStream(ClassifierStream&&) noexcept = default;
ClassifierStream& ClassifierStream::operator=(ClassifierStream&&) noexcept = default;
ClassifierStream::~ClassifierStream() = default;

Expected<ClassifierStream> Classifier::open_stream(int sample_rate) {
  if (sample_rate < 1 || sample_rate > 1000000)
    return make_error(Status::invalid_argument, "stream sample rate " + std::to_string(sample_rate) + " is not valid");
  auto st = std::make_unique<ClassifierStream::State>();
  st->model.name = state_->model.name;
  st->model.labels = state_->model.labels;
  for (const auto& net : state_->model.networks)
    if (net.input == InputKind::mel) st->model.networks.push_back(net);
  if (st->model.networks.empty())
    return make_error(Status::invalid_argument, "streaming needs a mel network; this model has summary networks only");
  bool positive = false;
  for (const auto& n : st->model.networks) positive = positive || n.weight > 0;
  if (!positive)  // only zero-weight mel networks: treat them equally
    for (auto& n : st->model.networks) n.weight = 1.f;
  st->options = state_->options;
  st->input_rate = sample_rate;
  auto compiled = compile_model(st->model, st->options);
  if (!compiled) return compiled.error();
  st->compiled = std::move(*compiled);
  if (auto r = st->reset_nets(); !r) return r.error();
  return ClassifierStream(std::move(st));
}

Expected<void> ClassifierStream::push(const float* samples, size_t n) {
  State& s = *state_;
  if (s.finished) return make_error(Status::invalid_argument, "the stream is finished; reset() it to start again");
  if (n == 0) return {};
  if (!samples) return make_error(Status::invalid_argument, "push: null samples");
  auto peak = sample_peak(samples, n);
  if (!peak) return peak.error();
  if (s.options.max_seconds > 0 && double(s.input_total + (long long)n) / s.input_rate > s.options.max_seconds)
    return make_error(Status::resource_limit, "the stream is longer than the limit of " +
                                                  std::to_string(s.options.max_seconds) + " s; reset() it");
  s.input_total += (long long)n;
  s.peak = std::max(s.peak, *peak);
  for (auto& ns : s.nets) {
    const float* y = samples;
    size_t m = n;
    if (ns.resampler) {
      s.chunk.clear();
      ns.resampler->process(samples, n, s.chunk);
      y = s.chunk.data();
      m = s.chunk.size();
    }
    if (auto r = s.feed(ns, y, m); !r) return r;
  }
  return {};
}

Expected<void> ClassifierStream::finish() {
  State& s = *state_;
  if (s.finished) return {};
  if (s.input_total == 0) return make_error(Status::invalid_argument, "the stream has no audio to finish");
  for (auto& ns : s.nets) {
    if (ns.resampler) {
      s.chunk.clear();
      ns.resampler->flush(s.chunk);
      ns.samples.insert(ns.samples.end(), s.chunk.begin(), s.chunk.end());
      ns.total += (long long)s.chunk.size();
    }
    // A track shorter than one segment is zero-padded in samples to one segment, as in classify().
    const long long need = (long long)samples_for_frames(ns.recipe.stft, ns.frames);
    if (ns.total < need) {
      ns.samples.resize(ns.samples.size() + size_t(need - ns.total), 0.f);
      ns.total = need;
    }
  }
  s.finished = true;
  for (auto& ns : s.nets)
    if (auto r = s.advance(ns); !r) return r;
  return {};
}

Expected<TrackResult> ClassifierStream::result() const {
  const State& s = *state_;
  std::vector<std::vector<float>> per_network;
  std::vector<float> weights;
  bool any = false;
  for (const auto& ns : s.nets) {
    weights.push_back(s.model.networks[ns.index].weight);
    per_network.emplace_back();
    if (ns.segments == 0) continue;
    any = true;
    const size_t out = s.compiled.networks[ns.index]->output_size();
    std::vector<double> acc(out, 0.0);
    for (long k = 0; k < ns.segments; ++k)
      for (size_t c = 0; c < out; ++c) acc[c] += ns.probs[size_t(k) * out + c];
    for (double v : acc) per_network.back().push_back(float(v / double(ns.segments)));
  }
  if (!any) {
    const auto& first = s.nets.front();
    const double need = double(samples_for_frames(first.recipe.stft, first.frames)) / first.recipe.sample_rate;
    return make_error(Status::invalid_argument, "no full segment yet: the model needs " + std::to_string(need) +
                                                    " s of audio (or call finish())");
  }
  if (peak_dbfs(s.peak) < s.options.silence_dbfs) return silent_audio_error(s.peak, s.options.silence_dbfs);
  TrackResult r;
  combine_weighted(per_network, weights, r.scores);
  finish_scores(r);
  r.duration = double(s.input_total) / s.input_rate;
  r.segments = s.shown_segments;
  return r;
}

Expected<SegmentResult> ClassifierStream::latest() const {
  const State& s = *state_;
  if (s.shown_segments.empty()) return make_error(Status::invalid_argument, "no full segment yet");
  if (peak_dbfs(s.peak) < s.options.silence_dbfs) return silent_audio_error(s.peak, s.options.silence_dbfs);
  return s.shown_segments.back();
}

void ClassifierStream::reset() {
  // Re-creating the per-network state cannot fail for parameters that worked at open_stream.
  (void)state_->reset_nets();
}

}  // namespace melgenre
