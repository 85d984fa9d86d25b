// End-to-end classifier on small random models built by the tests: segmentation, padding, bundle
// weighting, streaming vs batch, bad audio.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "catch.hpp"
#include "melgenre/classifier.hpp"
#include "audio_test_files.hpp"
#include "test_model_builder.hpp"

using namespace melgenre;

namespace {

constexpr double kPi = 3.14159265358979323846;

// A deterministic "music-like" signal: a few partials with a slow envelope plus a little noise.
Audio make_audio(double seconds, int rate, uint32_t seed = 1) {
  Audio a;
  a.sample_rate = rate;
  a.samples.resize(size_t(seconds * rate));
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> noise(-0.05f, 0.05f);
  for (size_t i = 0; i < a.samples.size(); ++i) {
    const double t = double(i) / rate;
    const double env = 0.6 + 0.4 * std::sin(2 * kPi * 0.7 * t);
    a.samples[i] = float(env * (0.3 * std::sin(2 * kPi * 220 * t) + 0.2 * std::sin(2 * kPi * 1375 * t) +
                                0.1 * std::sin(2 * kPi * 3100 * t * (1 + 0.01 * t)))) +
                   noise(gen);
  }
  return a;
}

Classifier make_classifier(const Model& m, int max_batch = 32, double max_seconds = 3600) {
  auto bytes = save_model(m);
  ClassifierOptions o;
  o.backend = "reference";
  o.max_batch = max_batch;
  o.max_seconds = max_seconds;
  auto c = Classifier::create(bytes.data(), bytes.size(), o);
  REQUIRE(c.ok());
  return std::move(*c);
}

float sum(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += x;
  return float(s);
}

}  // namespace

TEST_CASE("a 30 s track gives (frames - F) / hop + 1 segments whose mean is the track result") {
  Classifier c = make_classifier(test::make_cnn_model(1), /*max_batch=*/7);  // batches do not divide the count
  CHECK(c.backend_name() == "reference");
  CHECK(c.labels().size() == 10);
  const Audio audio = make_audio(30.0, 22050);
  auto r = c.classify(audio);
  REQUIRE(r.ok());
  const int frames = 1 + int(audio.samples.size()) / 256;  // centred STFT, hop 256
  const int expected = (frames - 32) / 16 + 1;
  REQUIRE(int(r->segments.size()) == expected);
  CHECK(expected == 160);
  CHECK(r->duration == Catch::Detail::Approx(30.0));
  CHECK(r->segments[1].start == Catch::Detail::Approx(16 * 256 / 22050.0));
  CHECK(r->segments[0].end == Catch::Detail::Approx(32 * 256 / 22050.0));
  std::vector<double> mean(10, 0.0);
  for (const auto& s : r->segments) {
    REQUIRE(s.scores.size() == 10);
    CHECK(sum(s.scores) == Catch::Detail::Approx(1.f).epsilon(1e-5));
    for (int k = 0; k < 10; ++k) mean[size_t(k)] += s.scores[size_t(k)] / double(expected);
  }
  for (int k = 0; k < 10; ++k) CHECK(r->scores[size_t(k)] == Catch::Detail::Approx(mean[size_t(k)]).epsilon(1e-5));
  CHECK(sum(r->scores) == Catch::Detail::Approx(1.f).epsilon(1e-5));
  CHECK(r->confidence == r->scores[size_t(r->top)]);
  for (float s : r->scores) CHECK(s <= r->confidence);
  // Different segments see different audio, so they do not all agree exactly.
  CHECK(r->segments.front().scores != r->segments[80].scores);

  // Same result on a second call (scratch reuse) and with another batch size.
  auto again = c.classify(audio);
  REQUIRE(again.ok());
  CHECK(again->scores == r->scores);
  Classifier big = make_classifier(test::make_cnn_model(1), 32);
  auto r32 = big.classify(audio);
  REQUIRE(r32.ok());
  for (int k = 0; k < 10; ++k) CHECK(r32->scores[size_t(k)] == Catch::Detail::Approx(r->scores[size_t(k)]).epsilon(1e-6));
}

TEST_CASE("a short track is zero-padded to one segment, never refused") {
  Classifier c = make_classifier(test::make_cnn_model(2));
  for (double seconds : {0.01, 0.2, 0.37}) {
    const Audio audio = make_audio(seconds, 22050);
    auto r = c.classify(audio);
    REQUIRE(r.ok());
    REQUIRE(r->segments.size() == 1);
    CHECK(r->segments[0].start == 0.0);
    CHECK(r->segments[0].end == Catch::Detail::Approx(audio.duration_seconds()));
    for (int k = 0; k < 10; ++k)
      CHECK(r->scores[size_t(k)] == Catch::Detail::Approx(r->segments[0].scores[size_t(k)]).epsilon(1e-6));
  }
  // Padding with zeros in samples: the padded track classifies the same as the short one.
  Audio shortt = make_audio(0.2, 22050);
  Audio padded = shortt;
  padded.samples.resize((32 - 1) * 256, 0.f);  // exactly one segment of 32 frames
  auto a = c.classify(shortt);
  auto b = c.classify(padded);
  REQUIRE((a.ok() && b.ok()));
  CHECK(a->scores == b->scores);
}

TEST_CASE("a bundle is the weighted mean of its networks") {
  Model m1 = test::make_cnn_model(3);
  Model m2 = test::make_cnn_model(4);
  m2.networks[0].recipe.db = DbMode::refmax;
  m2.networks[0].segment_frames = 24;
  m2.networks[0].segment_hop = 8;
  m2.networks[0] = test::make_cnn_network("other", m2.networks[0].recipe, 24, 8, 10, 4);
  Model bundle = m1;
  bundle.networks.push_back(m2.networks[0]);
  bundle.networks[0].weight = 1.f;
  bundle.networks[1].weight = 3.f;
  m2.networks[0].weight = 1.f;
  const Audio audio = make_audio(4.0, 22050);
  auto r1 = make_classifier(m1).classify(audio);
  auto r2 = make_classifier(m2).classify(audio);
  auto rb = make_classifier(bundle).classify(audio);
  REQUIRE((r1.ok() && r2.ok() && rb.ok()));
  for (int k = 0; k < 10; ++k)
    CHECK(rb->scores[size_t(k)] ==
          Catch::Detail::Approx((1 * r1->scores[size_t(k)] + 3 * r2->scores[size_t(k)]) / 4).epsilon(1e-5));
  // Segments shown are the first mel network's.
  CHECK(rb->segments.size() == r1->segments.size());
  // A zero weight drops a network.
  bundle.networks[1].weight = 0.f;
  auto r0 = make_classifier(bundle).classify(audio);
  REQUIRE(r0.ok());
  for (int k = 0; k < 10; ++k) CHECK(r0->scores[size_t(k)] == Catch::Detail::Approx(r1->scores[size_t(k)]).epsilon(1e-6));
}

TEST_CASE("the stream equals the batch classifier for the same audio") {
  for (DbMode db : {DbMode::none, DbMode::ref1}) {
    Model m = test::make_cnn_model(5, /*int8=*/db == DbMode::ref1, db);
    m.networks[0].recipe.top_db = 0.f;  // no whole-track floor: the stream can match exactly
    if (db == DbMode::none) m.networks[0].norm_mean = {0.01f}, m.networks[0].norm_std = {0.05f};
    Classifier c = make_classifier(m, 5);
    for (double seconds : {6.0, 0.3}) {
      const Audio audio = make_audio(seconds, 22050, 9);
      auto batch = c.classify(audio);
      REQUIRE(batch.ok());
      auto stream = c.open_stream(22050);
      REQUIRE(stream.ok());
      CHECK_FALSE(stream->result().ok());  // nothing yet
      std::mt19937 gen(3);
      std::uniform_int_distribution<size_t> chunk(1, 3000);
      size_t pos = 0;
      size_t seen_segments = 0;
      while (pos < audio.samples.size()) {
        const size_t n = std::min(chunk(gen), audio.samples.size() - pos);
        REQUIRE(stream->push(audio.samples.data() + pos, n).ok());
        pos += n;
        auto partial = stream->result();
        if (partial.ok()) {
          CHECK(partial->segments.size() >= seen_segments);  // results only grow
          seen_segments = partial->segments.size();
          auto latest = stream->latest();
          REQUIRE(latest.ok());
          CHECK(latest->scores == partial->segments.back().scores);
        }
      }
      REQUIRE(stream->finish().ok());
      CHECK_FALSE(stream->push(audio.samples.data(), 10).ok());
      auto r = stream->result();
      REQUIRE(r.ok());
      REQUIRE(r->segments.size() == batch->segments.size());
      for (size_t k = 0; k < r->segments.size(); ++k) {
        CHECK(r->segments[k].start == Catch::Detail::Approx(batch->segments[k].start));
        for (int j = 0; j < 10; ++j)
          CHECK(r->segments[k].scores[size_t(j)] ==
                Catch::Detail::Approx(batch->segments[k].scores[size_t(j)]).margin(1e-6));
      }
      for (int j = 0; j < 10; ++j)
        CHECK(r->scores[size_t(j)] == Catch::Detail::Approx(batch->scores[size_t(j)]).margin(1e-6));
      CHECK(r->top == batch->top);
      // reset() starts over.
      stream->reset();
      CHECK_FALSE(stream->result().ok());
      REQUIRE(stream->push(audio.samples.data(), audio.samples.size()).ok());
    }
  }
}

TEST_CASE("the stream resamples other input rates and keeps memory bounded over long input") {
  Classifier c = make_classifier(test::make_cnn_model(6, false, DbMode::refmax));
  auto stream = c.open_stream(44100);
  REQUIRE(stream.ok());
  const Audio audio = make_audio(20.0, 44100);
  for (size_t pos = 0; pos < audio.samples.size(); pos += 4410)
    REQUIRE(stream->push(audio.samples.data() + pos, std::min<size_t>(4410, audio.samples.size() - pos)).ok());
  auto r = stream->result();
  REQUIRE(r.ok());
  CHECK(r->duration == Catch::Detail::Approx(20.0));
  const int frames = 1 + int(20.0 * 22050) / 256;
  // Before finish() the segments needing end padding are still open: at most one hop behind.
  CHECK(int(r->segments.size()) >= (frames - 32) / 16 + 1 - 2);
  CHECK(sum(r->scores) == Catch::Detail::Approx(1.f).epsilon(1e-5));
  std::vector<float> nan(10, std::nanf(""));
  CHECK(stream->push(nan.data(), nan.size()).error().status == Status::corrupt_input);
}

TEST_CASE("bad audio and bad models are refused with a reason") {
  Classifier c = make_classifier(test::make_cnn_model(7), 32, /*max_seconds=*/2.0);
  Audio a = make_audio(1.0, 22050);
  a.samples[100] = std::nanf("");
  auto r = c.classify(a);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().status == Status::corrupt_input);
  CHECK(r.error().message.find("NaN") != std::string::npos);
  auto longer = c.classify(make_audio(3.0, 22050));
  REQUIRE_FALSE(longer.ok());
  CHECK(longer.error().status == Status::resource_limit);
  Audio empty;
  empty.sample_rate = 22050;
  CHECK_FALSE(c.classify(empty).ok());
  Audio norate = make_audio(0.5, 22050);
  norate.sample_rate = 0;
  CHECK_FALSE(c.classify(norate).ok());

  const uint8_t junk[] = {'R', 'I', 'F', 'F', 0, 0};
  auto bad = Classifier::create(junk, sizeof junk, ClassifierOptions{});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().status == Status::invalid_model);
  auto bytes = save_model(test::make_cnn_model(7));
  ClassifierOptions o;
  o.backend = "no-such";
  CHECK(Classifier::create(bytes.data(), bytes.size(), o).error().status == Status::invalid_argument);
  o.backend = "reference";
  o.threads = 0;
  CHECK_FALSE(Classifier::create(bytes.data(), bytes.size(), o).ok());
}

TEST_CASE("silent audio is refused rather than given a genre; the threshold is an option") {
  Model m = test::make_cnn_model(8);
  Classifier c = make_classifier(m);
  Audio zeros;
  zeros.sample_rate = 22050;
  zeros.samples.assign(22050 * 3, 0.f);
  auto r = c.classify(zeros);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().status == Status::invalid_argument);
  CHECK(r.error().message.find("silent") != std::string::npos);
  // A quiet tone: -70 dBFS is refused, -50 dBFS is music (the default threshold is -60 dBFS).
  Audio quiet = make_audio(3.0, 22050);
  float peak = 0.f;
  for (float v : quiet.samples) peak = std::max(peak, std::fabs(v));
  for (auto& v : quiet.samples) v *= float(std::pow(10.0, -70.0 / 20)) / peak;
  auto q = c.classify(quiet);
  REQUIRE_FALSE(q.ok());
  CHECK(q.error().message.find("-70.0 dBFS") != std::string::npos);
  for (auto& v : quiet.samples) v *= 100.f;  // -50 dBFS
  CHECK(c.classify(quiet).ok());
  // Drawing a silent spectrogram is fine.
  CHECK(c.log_mel(zeros).ok());

  // -infinity accepts silence; a positive or NaN threshold is refused.
  auto bytes = save_model(m);
  ClassifierOptions o;
  o.backend = "reference";
  o.silence_dbfs = -INFINITY;
  auto any = Classifier::create(bytes.data(), bytes.size(), o);
  REQUIRE(any.ok());
  CHECK(any->classify(zeros).ok());
  for (double bad : {3.0, double(std::nan(""))}) {
    o.silence_dbfs = bad;
    CHECK(Classifier::create(bytes.data(), bytes.size(), o).error().status == Status::invalid_argument);
    CHECK(TrackPreparer::create(m, o).error().status == Status::invalid_argument);
  }

  // The stream: silent so far gives an error, the first loud sample lifts it, reset() clears it.
  auto stream = c.open_stream(22050);
  REQUIRE(stream.ok());
  REQUIRE(stream->push(zeros.samples.data(), zeros.samples.size()).ok());
  CHECK(stream->result().error().message.find("silent") != std::string::npos);
  CHECK(stream->latest().error().message.find("silent") != std::string::npos);
  const Audio loud = make_audio(1.0, 22050);
  REQUIRE(stream->push(loud.samples.data(), loud.samples.size()).ok());
  CHECK(stream->result().ok());
  CHECK(stream->latest().ok());
  stream->reset();
  REQUIRE(stream->push(zeros.samples.data(), zeros.samples.size()).ok());
  CHECK_FALSE(stream->result().ok());
}

TEST_CASE("audio at another rate is resampled; log_mel is the first mel network's matrix") {
  Classifier c = make_classifier(test::make_cnn_model(8));
  const Audio a44 = make_audio(2.0, 44100);
  auto r = c.classify(a44);
  REQUIRE(r.ok());
  CHECK(r->duration == Catch::Detail::Approx(2.0));
  const int frames = 1 + 44100 / 256;
  CHECK(int(r->segments.size()) == (frames - 32) / 16 + 1);
  auto m = c.log_mel(make_audio(1.0, 22050));
  REQUIRE(m.ok());
  CHECK(m->n_bins == 16);
  CHECK(m->n_frames == 1 + 22050 / 256);
}

TEST_CASE("a prepared track's features are log_mel's matrix, and classify_prepared equals classify") {
  Classifier c = make_classifier(test::make_cnn_model(8));
  const Audio audio = make_audio(3.0, 22050);
  auto prepared = c.prepare(audio);
  REQUIRE(prepared.ok());
  const FeatureMatrix* f = prepared->features();
  REQUIRE(f != nullptr);
  auto m = c.log_mel(audio);
  REQUIRE(m.ok());
  CHECK(f->n_frames == m->n_frames);
  CHECK(f->n_bins == m->n_bins);
  CHECK(f->data == m->data);  // the same extractor on the same samples: bit-identical
  auto batch = c.classify_prepared({&*prepared});
  auto direct = c.classify(audio);
  REQUIRE((batch.ok() && direct.ok() && batch->front().ok()));
  CHECK(batch->front()->scores == direct->scores);

  // Encoded bytes: prepare_encoded + classify_prepared is classify_encoded, and both equal classify.
  melgenre_test::WavSpec spec;
  spec.format_tag = 3;
  spec.bits = 32;
  const melgenre_test::Bytes wav = melgenre_test::make_wav(spec, melgenre_test::float_samples(audio.samples));
  auto from_bytes = c.prepare_encoded(wav.data(), wav.size());
  REQUIRE(from_bytes.ok());
  CHECK(from_bytes->features()->data == f->data);
  auto encoded_batch = c.classify_prepared({&*from_bytes});
  auto encoded = c.classify_encoded(wav.data(), wav.size());
  REQUIRE((encoded_batch.ok() && encoded.ok() && encoded_batch->front().ok()));
  CHECK(encoded_batch->front()->scores == direct->scores);
  CHECK(encoded->scores == direct->scores);
  CHECK_FALSE(c.prepare_encoded(wav.data(), 20).ok());  // a truncated header

  // A summary-only model has no mel matrix.
  Model sm = test::make_summary_model(10);
  auto bytes = save_model(sm);
  ClassifierOptions o;
  o.backend = "reference";
  auto sc = Classifier::create(bytes.data(), bytes.size(), o);
  REQUIRE(sc.ok());
  auto sp = sc->prepare(audio);
  REQUIRE(sp.ok());
  CHECK(sp->features() == nullptr);
}

TEST_CASE("an int8 model classifies like its float twin") {
  const Audio audio = make_audio(5.0, 22050);
  auto f = make_classifier(test::make_cnn_model(9, false)).classify(audio);
  auto q = make_classifier(test::make_cnn_model(9, true)).classify(audio);
  REQUIRE((f.ok() && q.ok()));
  double l1 = 0;
  for (int k = 0; k < 10; ++k) l1 += std::fabs(f->scores[size_t(k)] - q->scores[size_t(k)]);
  CHECK(l1 < 0.1);
}

TEST_CASE("summary networks take one row per 30-60 s window, averaged; long tracks are not refused") {
  Classifier c = make_classifier(test::make_summary_model(12));
  // 95 s: three windows of ~31.7 s; the track's scores are the mean of the windows classified alone.
  const Audio track = make_audio(95.0, 22050, 4);
  auto whole = c.classify(track);
  REQUIRE(whole.ok());
  std::vector<double> mean(10, 0.0);
  for (size_t k = 0; k < 3; ++k) {
    Audio w;
    w.sample_rate = 22050;
    w.samples.assign(track.samples.begin() + long(track.samples.size() * k / 3),
                     track.samples.begin() + long(track.samples.size() * (k + 1) / 3));
    auto r = c.classify(w);
    REQUIRE(r.ok());
    for (size_t j = 0; j < 10; ++j) mean[j] += r->scores[j] / 3.0;
  }
  for (size_t j = 0; j < 10; ++j) CHECK(whole->scores[j] == Catch::Detail::Approx(mean[j]).margin(1e-6));
  auto prepared = c.prepare(track);
  REQUIRE(prepared.ok());
  CHECK(prepared->items() == 3);
  // 59 s is still one window (the whole track): not the mean of two halves.
  auto one = c.prepare(make_audio(59.0, 22050, 4));
  REQUIRE(one.ok());
  CHECK(one->items() == 1);
  // 11 minutes (more than compute_summary_row takes in one go) is classified, window by window.
  Audio eleven = make_audio(660.0, 8000, 5);
  auto long_result = c.classify(eleven);
  REQUIRE(long_result.ok());
  CHECK(sum(long_result->scores) == Catch::Detail::Approx(1.f).epsilon(1e-5));
}

TEST_CASE("summary networks take one row per short track") {
  Classifier c = make_classifier(test::make_summary_model(10));
  auto r = c.classify(make_audio(3.0, 22050));
  REQUIRE(r.ok());
  CHECK(r->segments.empty());
  CHECK(sum(r->scores) == Catch::Detail::Approx(1.f).epsilon(1e-5));
  CHECK_FALSE(c.open_stream(22050).ok());
  CHECK_FALSE(c.log_mel(make_audio(1.0, 22050)).ok());
}
