// Embind over the core API. Every call returns a plain JS value; a failure returns
// {melgenreError: message, status: name} instead of throwing, because a JS exception unwinding through
// wasm frames would skip C++ destructors (leaking the copied input). wasm/api.mjs turns those into
// thrown MelgenreError objects with the core's message.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "melgenre/audio.hpp"
#include "melgenre/classifier.hpp"
#include "melgenre/error.hpp"
#include "melgenre/features.hpp"
#include "melgenre/resampler.hpp"

using emscripten::val;

namespace melgenre::wasm {
namespace {

#ifdef __EMSCRIPTEN_PTHREADS__
constexpr int kMaxThreads = MELGENRE_WASM_THREADS;  // the pthread pool is preallocated to this size
#else
constexpr int kMaxThreads = 1;
#endif

// The Status enumerator's name, for programs ("corrupt_input"); status_name() is for people.
const char* status_id(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::invalid_argument: return "invalid_argument";
    case Status::unsupported_format: return "unsupported_format";
    case Status::corrupt_input: return "corrupt_input";
    case Status::io_error: return "io_error";
    case Status::invalid_model: return "invalid_model";
    case Status::backend_unavailable: return "backend_unavailable";
    case Status::resource_limit: return "resource_limit";
    case Status::internal: return "internal";
  }
  return "internal";
}

val error_value(const Error& error) {
  val out = val::object();
  out.set("melgenreError", error.message);
  out.set("status", std::string(status_id(error.status)));
  return out;
}

val error_value(Status status, const std::string& message) { return error_value(make_error(status, message)); }

// Copies a JS typed array (Uint8Array / Float32Array) into wasm memory with one bulk set().
template <class T>
std::vector<T> copy_in(const val& array) {
  const size_t n = array["length"].as<size_t>();
  std::vector<T> out(n);
  if (n > 0) val(emscripten::typed_memory_view(n, out.data())).call<void>("set", array);
  return out;
}

// A JS-owned copy (the view into wasm memory would be invalidated by growth or reuse).
val float32_copy(const float* data, size_t n) {
  return val::global("Float32Array").new_(emscripten::typed_memory_view(n, data));
}

val scores_array(const std::vector<float>& scores) {
  val out = val::array();
  for (size_t i = 0; i < scores.size(); ++i) out.set(i, double(scores[i]));
  return out;
}

val track_value(const TrackResult& track, const std::vector<std::string>& labels) {
  val out = val::object();
  out.set("genre", labels.at(size_t(track.top)));
  out.set("top", track.top);
  out.set("confidence", double(track.confidence));
  out.set("duration", track.duration);
  out.set("scores", scores_array(track.scores));
  val segments = val::array();
  for (size_t i = 0; i < track.segments.size(); ++i) {
    const SegmentResult& s = track.segments[i];
    val seg = val::object();
    seg.set("start", s.start);
    seg.set("end", s.end);
    seg.set("scores", scores_array(s.scores));
    segments.set(i, seg);
  }
  out.set("segments", segments);
  return out;
}

val matrix_value(const FeatureMatrix& m) {
  val out = val::object();
  out.set("frames", m.n_frames);
  out.set("bins", m.n_bins);
  out.set("data", float32_copy(m.data.data(), m.data.size()));
  return out;
}

Audio audio_from(const val& samples, int sample_rate) {
  Audio audio;
  audio.samples = copy_in<float>(samples);
  audio.sample_rate = sample_rate;
  return audio;
}

}  // namespace

// One classifier (model + backend + scratch) and at most one live stream over it. The stream lives
// inside the engine because it borrows the classifier's state.
class Engine {
 public:
  val load(const val& model_bytes, int threads, const std::string& backend) {
    stream_.reset();
    classifier_.reset();
    const std::vector<uint8_t> bytes = copy_in<uint8_t>(model_bytes);
    ClassifierOptions options;
    options.backend = backend.empty() ? "auto" : backend;
    options.threads = std::clamp(threads, 1, kMaxThreads);
    Expected<Classifier> created = Classifier::create(bytes.data(), bytes.size(), options);
    if (!created) return error_value(created.error());
    classifier_.emplace(std::move(created.value()));
    return info();
  }

  val info() const {
    if (!classifier_) return error_value(Status::invalid_argument, "no model loaded");
    val out = val::object();
    val labels = val::array();
    const auto& names = classifier_->labels();
    for (size_t i = 0; i < names.size(); ++i) labels.set(i, names[i]);
    out.set("labels", labels);
    out.set("backend", classifier_->backend_name());
    out.set("model", classifier_->model().name);
    return out;
  }

  val classifyEncoded(const val& bytes) {
    if (!classifier_) return error_value(Status::invalid_argument, "no model loaded");
    const std::vector<uint8_t> data = copy_in<uint8_t>(bytes);
    Expected<TrackResult> r = classifier_->classify_encoded(data.data(), data.size());
    if (!r) return error_value(r.error());
    return track_value(*r, classifier_->labels());
  }

  val classifyPcm(const val& samples, int sample_rate) {
    if (!classifier_) return error_value(Status::invalid_argument, "no model loaded");
    Expected<TrackResult> r = classifier_->classify(audio_from(samples, sample_rate));
    if (!r) return error_value(r.error());
    return track_value(*r, classifier_->labels());
  }

  val logMelPcm(const val& samples, int sample_rate) {
    if (!classifier_) return error_value(Status::invalid_argument, "no model loaded");
    Expected<FeatureMatrix> m = classifier_->log_mel(audio_from(samples, sample_rate));
    if (!m) return error_value(m.error());
    return matrix_value(*m);
  }

  val logMelEncoded(const val& bytes) {
    if (!classifier_) return error_value(Status::invalid_argument, "no model loaded");
    const std::vector<uint8_t> data = copy_in<uint8_t>(bytes);
    Expected<Audio> audio = decode_memory(data.data(), data.size());
    if (!audio) return error_value(audio.error());
    Expected<FeatureMatrix> m = classifier_->log_mel(*audio);
    if (!m) return error_value(m.error());
    return matrix_value(*m);
  }

  // What the page shows for a dropped file: the result and the log-mel matrix from one decode
  // (classifyEncoded + logMelEncoded would decode the file twice).
  val classifyEncodedWithMel(const val& bytes) {
    if (!classifier_) return error_value(Status::invalid_argument, "no model loaded");
    const std::vector<uint8_t> data = copy_in<uint8_t>(bytes);
    // One feature pass: the prepared track's features are both classified and drawn.
    Expected<PreparedTrack> prepared = classifier_->prepare_encoded(data.data(), data.size());
    if (!prepared) return error_value(prepared.error());
    auto results = classifier_->classify_prepared({&*prepared});
    if (!results) return error_value(results.error());
    Expected<TrackResult>& r = results->front();
    if (!r) return error_value(r.error());
    const FeatureMatrix* m = prepared->features();
    if (!m) return error_value(Status::invalid_argument, "this model has no mel network (summary features only)");
    val out = val::object();
    out.set("result", track_value(*r, classifier_->labels()));
    out.set("mel", matrix_value(*m));
    return out;
  }

  val streamOpen(int sample_rate) {
    if (!classifier_) return error_value(Status::invalid_argument, "no model loaded");
    stream_.reset();
    Expected<ClassifierStream> s = classifier_->open_stream(sample_rate);
    if (!s) return error_value(s.error());
    stream_.emplace(std::move(s.value()));
    return val::object();
  }

  val streamPush(const val& samples) {
    if (!stream_) return error_value(Status::invalid_argument, "no stream open");
    const std::vector<float> pcm = copy_in<float>(samples);
    Expected<void> pushed = stream_->push(pcm.data(), pcm.size());
    if (!pushed) return error_value(pushed.error());
    return val::object();
  }

  val streamResult() const {
    if (!stream_) return error_value(Status::invalid_argument, "no stream open");
    Expected<TrackResult> r = stream_->result();
    if (!r) return error_value(r.error());
    return track_value(*r, classifier_->labels());
  }

  val streamLatest() const {
    if (!stream_) return error_value(Status::invalid_argument, "no stream open");
    Expected<SegmentResult> r = stream_->latest();
    if (!r) return error_value(r.error());
    val out = val::object();
    out.set("start", r->start);
    out.set("end", r->end);
    out.set("scores", scores_array(r->scores));
    return out;
  }

  void streamClose() { stream_.reset(); }

 private:
  std::optional<Classifier> classifier_;
  std::optional<ClassifierStream> stream_;  // declared after classifier_: destroyed first
};

// Decoding and resampling without a model (the page uses them for formats the browser decodes).
val decode(const val& bytes, int target_rate) {
  const std::vector<uint8_t> data = copy_in<uint8_t>(bytes);
  DecodeOptions options;
  options.target_rate = target_rate;
  options.max_seconds = 3600;
  Expected<Audio> audio = decode_memory(data.data(), data.size(), options);
  if (!audio) return error_value(audio.error());
  val out = val::object();
  out.set("samples", float32_copy(audio->samples.data(), audio->samples.size()));
  out.set("sampleRate", audio->sample_rate);
  return out;
}

val sniff(const val& bytes) {
  const std::vector<uint8_t> data = copy_in<uint8_t>(bytes);
  return val(std::string(format_name(sniff_format(data.data(), data.size()))));
}

val resample(const val& samples, int in_rate, int out_rate) {
  const std::vector<float> pcm = copy_in<float>(samples);
  Expected<std::vector<float>> out = melgenre::resample(pcm.data(), pcm.size(), in_rate, out_rate);
  if (!out) return error_value(out.error());
  return float32_copy(out->data(), out->size());
}

int maxThreads() { return kMaxThreads; }

EMSCRIPTEN_BINDINGS(melgenre) {
  emscripten::class_<Engine>("Engine")
      .constructor<>()
      .function("load", &Engine::load)
      .function("info", &Engine::info)
      .function("classifyEncoded", &Engine::classifyEncoded)
      .function("classifyPcm", &Engine::classifyPcm)
      .function("logMelPcm", &Engine::logMelPcm)
      .function("logMelEncoded", &Engine::logMelEncoded)
      .function("classifyEncodedWithMel", &Engine::classifyEncodedWithMel)
      .function("streamOpen", &Engine::streamOpen)
      .function("streamPush", &Engine::streamPush)
      .function("streamResult", &Engine::streamResult)
      .function("streamLatest", &Engine::streamLatest)
      .function("streamClose", &Engine::streamClose);
  emscripten::function("decode", &decode);
  emscripten::function("sniff", &sniff);
  emscripten::function("resample", &resample);
  emscripten::function("maxThreads", &maxThreads);
}

}  // namespace melgenre::wasm
