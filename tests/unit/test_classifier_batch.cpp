// Cross-track batching: Classifier::classify_many / classify_prepared give every track exactly what
// classify() gives it alone (CPU backends bit for bit; vulkan within float noise when a device exists),
// with batches that span tracks, short padded tracks, bundles with a summary network, and bad tracks.
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "catch.hpp"
#include "melgenre/backend.hpp"
#include "melgenre/classifier.hpp"
#include "test_model_builder.hpp"

using namespace melgenre;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Partials with a slow envelope plus noise; `seed` changes the pitch so tracks differ.
Audio make_audio(double seconds, int rate, uint32_t seed) {
  Audio a;
  a.sample_rate = rate;
  a.samples.resize(size_t(seconds * rate));
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> noise(-0.05f, 0.05f);
  const double f0 = 110.0 * (1 + seed % 7);
  for (size_t i = 0; i < a.samples.size(); ++i) {
    const double t = double(i) / rate;
    const double env = 0.6 + 0.4 * std::sin(2 * kPi * (0.3 + 0.1 * (seed % 5)) * t);
    a.samples[i] = float(env * (0.3 * std::sin(2 * kPi * f0 * t) + 0.2 * std::sin(2 * kPi * 2.7 * f0 * t))) + noise(gen);
  }
  return a;
}

bool backend_built(const std::string& name) {
  for (const auto& b : built_backends())
    if (b == name) return true;
  return false;
}

Classifier make_classifier(const Model& m, const std::string& backend, int max_batch) {
  auto bytes = save_model(m);
  ClassifierOptions o;
  o.backend = backend;
  o.max_batch = max_batch;
  auto c = Classifier::create(bytes.data(), bytes.size(), o);
  REQUIRE(c.ok());
  return std::move(*c);
}

// A CNN + a summary network, weighted 2:1.
Model make_bundle(uint32_t seed, bool int8) {
  Model m = test::make_cnn_model(seed, int8);
  m.networks[0].weight = 2.f;
  m.networks.push_back(test::make_summary_network("mlp", int(m.labels.size()), seed + 1));
  return m;
}

// Short (padded to one segment), long, and at another rate (resampled); enough segments that batches
// of a few items span several tracks.
std::vector<Audio> mixed_tracks() {
  std::vector<Audio> v;
  v.push_back(make_audio(2.5, 22050, 1));
  v.push_back(make_audio(0.15, 22050, 2));  // shorter than one segment
  v.push_back(make_audio(4.0, 44100, 3));
  v.push_back(make_audio(0.37, 16000, 4));  // short and resampled
  v.push_back(make_audio(1.3, 22050, 5));
  return v;
}

std::vector<const Audio*> pointers(const std::vector<Audio>& tracks) {
  std::vector<const Audio*> p;
  for (const auto& a : tracks) p.push_back(&a);
  return p;
}

void check_same(const TrackResult& batched, const TrackResult& alone, double tolerance) {
  REQUIRE(batched.scores.size() == alone.scores.size());
  REQUIRE(batched.segments.size() == alone.segments.size());
  CHECK(batched.duration == alone.duration);
  if (tolerance == 0) {
    CHECK(batched.scores == alone.scores);
    CHECK(batched.top == alone.top);
    CHECK(batched.confidence == alone.confidence);
  }
  for (size_t k = 0; k < alone.scores.size(); ++k)
    CHECK(std::fabs(batched.scores[k] - alone.scores[k]) <= tolerance);
  for (size_t s = 0; s < alone.segments.size(); ++s) {
    CHECK(batched.segments[s].start == alone.segments[s].start);
    CHECK(batched.segments[s].end == alone.segments[s].end);
    if (tolerance == 0) CHECK(batched.segments[s].scores == alone.segments[s].scores);
    for (size_t k = 0; k < alone.segments[s].scores.size(); ++k)
      CHECK(std::fabs(batched.segments[s].scores[k] - alone.segments[s].scores[k]) <= tolerance);
  }
}

// classify_many of `tracks` against classify() of each track on a classifier of the same backend.
void check_many_equals_single(const Model& model, const std::string& backend, int max_batch, double tolerance) {
  const std::vector<Audio> tracks = mixed_tracks();
  Classifier batched = make_classifier(model, backend, max_batch);
  Classifier alone = make_classifier(model, backend, max_batch);
  auto many = batched.classify_many(pointers(tracks));
  REQUIRE(many.ok());
  REQUIRE(many->size() == tracks.size());
  for (size_t t = 0; t < tracks.size(); ++t) {
    INFO("backend " << backend << ", track " << t << " (" << tracks[t].duration_seconds() << " s)");
    auto one = alone.classify(tracks[t]);
    REQUIRE(one.ok());
    REQUIRE((*many)[t].ok());
    check_same(*(*many)[t], *one, tolerance);
  }
}

}  // namespace

TEST_CASE("classify_many equals classify per track on the CPU backends, bit for bit") {
  for (const std::string backend : {"reference", "simd", "xnnpack"}) {
    if (!backend_built(backend)) {
      WARN(backend << " not built in: skipped");
      continue;
    }
    DYNAMIC_SECTION(backend) {
      // max_batch 5: batches cut across tracks and do not divide any track's segment count.
      SECTION("float CNN") { check_many_equals_single(test::make_cnn_model(21), backend, 5, 0); }
      SECTION("int8 CNN") { check_many_equals_single(test::make_cnn_model(22, true), backend, 5, 0); }
      SECTION("bundle of an int8 CNN and a summary network, summary rows batched too") {
        check_many_equals_single(make_bundle(23, true), backend, 3, 0);
      }
      SECTION("summary-only model: one row per short track, rows batched") {
        check_many_equals_single(test::make_summary_model(28), backend, 2, 0);
      }
      SECTION("one batch holds everything") { check_many_equals_single(make_bundle(24, false), backend, 256, 0); }
    }
  }
}

TEST_CASE("classify_many on vulkan equals per-track classify", "[vulkan]") {
  auto probe = create_backend("vulkan", BackendOptions{});
  if (!probe) {
    WARN("vulkan section skipped: " << probe.error().message);
    return;
  }
  probe->reset();
  // Per-item shaders: the batch a segment lands in does not change its result.
  check_many_equals_single(make_bundle(25, false), "vulkan", 7, 0);
  check_many_equals_single(test::make_cnn_model(26, true), "vulkan", 1024, 0);
  // And vulkan batched against reference alone: float noise only.
  const std::vector<Audio> tracks = mixed_tracks();
  const Model model = make_bundle(27, false);
  Classifier gpu = make_classifier(model, "vulkan", 1024);
  Classifier ref = make_classifier(model, "reference", 32);
  auto many = gpu.classify_many(pointers(tracks));
  REQUIRE(many.ok());
  for (size_t t = 0; t < tracks.size(); ++t) {
    auto one = ref.classify(tracks[t]);
    REQUIRE(((*many)[t].ok() && one.ok()));
    check_same(*(*many)[t], *one, 1e-4);
  }
}

TEST_CASE("a bad track in the middle gets its own error and does not spoil the others") {
  const Model model = make_bundle(31, true);
  Classifier c = make_classifier(model, "reference", 4);
  std::vector<Audio> tracks = mixed_tracks();
  Audio nan_track = make_audio(1.0, 22050, 9);
  nan_track.samples[100] = std::nanf("");
  Audio empty_track;
  empty_track.sample_rate = 22050;
  Audio bad_rate = make_audio(0.5, 22050, 10);
  bad_rate.sample_rate = 0;
  std::vector<const Audio*> mixed = {&tracks[0], &nan_track, &tracks[1], nullptr, &tracks[2],
                                     &empty_track, &tracks[3], &bad_rate, &tracks[4]};
  auto many = c.classify_many(mixed);
  REQUIRE(many.ok());
  REQUIRE(many->size() == mixed.size());
  CHECK((*many)[1].error().status == Status::corrupt_input);
  CHECK((*many)[3].error().status == Status::invalid_argument);
  CHECK((*many)[5].error().status == Status::invalid_argument);
  CHECK((*many)[7].error().status == Status::invalid_argument);
  Classifier alone = make_classifier(model, "reference", 4);
  for (size_t t : {size_t(0), size_t(2), size_t(4), size_t(6), size_t(8)}) {
    INFO("track " << t);
    auto one = alone.classify(*mixed[t]);
    REQUIRE(one.ok());
    REQUIRE((*many)[t].ok());
    check_same(*(*many)[t], *one, 0);
  }
  // The errors are the ones classify() gives.
  auto one_nan = alone.classify(nan_track);
  REQUIRE_FALSE(one_nan.ok());
  CHECK((*many)[1].error().message == one_nan.error().message);

  // Nothing usable, or nothing at all: no backend run, no error for the call.
  auto none = c.classify_many({&nan_track, nullptr});
  REQUIRE(none.ok());
  CHECK(none->size() == 2);
  CHECK_FALSE((*none)[0].ok());
  auto empty = c.classify_many({});
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("tracks prepared by TrackPreparers classify as classify() does") {
  const Model model = make_bundle(41, true);
  Classifier c = make_classifier(model, "reference", 6);
  const std::vector<Audio> tracks = mixed_tracks();
  // Two preparers taking turns, as the CLI's worker threads do (no threads here: this file also runs
  // in the single-threaded wasm test build).
  std::vector<TrackPreparer> preparers;
  for (int w = 0; w < 2; ++w) {
    auto p = TrackPreparer::create(c.model(), ClassifierOptions{});
    REQUIRE(p.ok());
    preparers.push_back(std::move(*p));
  }
  std::vector<std::optional<Expected<PreparedTrack>>> prepared(tracks.size());
  for (size_t t = 0; t < tracks.size(); ++t) prepared[t] = preparers[t % 2].prepare(tracks[t]);
  std::vector<const PreparedTrack*> ptrs;
  long items = 0;
  for (auto& p : prepared) {
    REQUIRE(p.has_value());
    REQUIRE(p->ok());
    ptrs.push_back(&**p);
    items += (*p)->items();
    CHECK((*p)->items() >= 2);  // one segment at least, and one summary row
  }
  CHECK(items > 6);  // more than one batch
  auto many = c.classify_prepared(ptrs);
  REQUIRE(many.ok());
  for (size_t t = 0; t < tracks.size(); ++t) {
    auto one = c.classify(tracks[t]);
    REQUIRE(((*many)[t].ok() && one.ok()));
    check_same(*(*many)[t], *one, 0);
    CHECK((*ptrs[t]).duration() == tracks[t].duration_seconds());
  }

  // A track prepared for another model is refused, the others still classified.
  Classifier other = make_classifier(test::make_cnn_model(42, false, DbMode::ref1, 24, 8), "reference", 6);
  auto foreign = other.prepare(tracks[0]);
  REQUIRE(foreign.ok());
  auto mixed = c.classify_prepared({ptrs[0], &*foreign, ptrs[1]});
  REQUIRE(mixed.ok());
  CHECK((*mixed)[0].ok());
  REQUIRE_FALSE((*mixed)[1].ok());
  CHECK((*mixed)[1].error().message.find("another model") != std::string::npos);
  CHECK((*mixed)[2].ok());

  // max_seconds applies to prepared tracks as to classify().
  ClassifierOptions limited;
  limited.max_seconds = 1.0;
  auto p = TrackPreparer::create(c.model(), limited);
  REQUIRE(p.ok());
  auto too_long = p->prepare(tracks[0]);
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().status == Status::resource_limit);
}
