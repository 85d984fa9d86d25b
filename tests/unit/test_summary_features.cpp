// Summary features on synthetic signals with known answers, and the running median against a
// brute-force reference.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "catch.hpp"
#include "features/summary/running_median.hpp"
#include "melgenre/summary.hpp"

using namespace melgenre;

namespace {

constexpr int kRate = 22050;
constexpr double kPi = 3.14159265358979323846;

std::vector<float> tone(double hz, double seconds, float amplitude = 0.5f) {
  std::vector<float> y(size_t(seconds * kRate));
  for (size_t i = 0; i < y.size(); ++i) y[i] = amplitude * float(std::sin(2 * kPi * hz * double(i) / kRate));
  return y;
}

FeatureMatrix power_of(const std::vector<float>& y) {
  StftParams p;
  p.pad = PadMode::reflect;
  auto stft = Stft::create(p);
  REQUIRE(stft.ok());
  FeatureMatrix power;
  stft->power(y.data(), y.size(), power);
  return power;
}

size_t column(const char* name) {
  const auto& names = summary_column_names();
  return size_t(std::find(names.begin(), names.end(), name) - names.begin());
}

// scipy.ndimage.median_filter(x, size=k, mode='reflect') by sorting every window.
std::vector<float> brute_median(const std::vector<float>& x, int k) {
  const int n = int(x.size());
  std::vector<float> out(x.size()), w(static_cast<size_t>(k));
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < k; ++j) {
      long long idx = i - k / 2 + j;
      const long long period = 2LL * n;
      idx %= period;
      if (idx < 0) idx += period;
      if (idx >= n) idx = period - 1 - idx;
      w[size_t(j)] = x[size_t(idx)];
    }
    std::sort(w.begin(), w.end());
    out[size_t(i)] = w[size_t(k / 2)];
  }
  return out;
}

}  // namespace

TEST_CASE("column names follow the GTZAN table", "[summary]") {
  const auto& names = summary_column_names();
  REQUIRE(int(names.size()) == kSummaryColumns);
  CHECK(names.front() == "chroma_stft_mean");
  CHECK(names[16] == "tempo");
  CHECK(names.back() == "mfcc20_var");
}

TEST_CASE("running median equals sorting every reflected window", "[summary][median]") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> level(0, 9);  // few distinct values: many ties
  std::exponential_distribution<float> spread(1.f);
  for (int k : {1, 3, 5, 31}) {
    RunningMedian median(k);
    for (int n : {1, 2, 3, 7, 31, 32, 100, 517}) {
      std::vector<float> x(static_cast<size_t>(n));
      for (size_t i = 0; i < x.size(); ++i) x[i] = (i % 3 == 0) ? float(level(rng)) : spread(rng);
      std::vector<float> got(x.size());
      median.filter(x.data(), 1, n, got.data(), 1);
      INFO("k=" << k << " n=" << n);
      CHECK(got == brute_median(x, k));
    }
  }
  // Interleaved rows (columns of a row-major matrix), fewer and more than eight of them.
  for (int rows : {3, 8, 13}) {
    const int n = 77;
    std::vector<float> m(static_cast<size_t>(n * rows)), got(m.size());
    for (size_t i = 0; i < m.size(); ++i) m[i] = float(level(rng)) + (i % 5 ? spread(rng) : 0.f);
    RunningMedian(31).filter_columns(m.data(), n, rows, rows, got.data());
    for (int r = 0; r < rows; ++r) {
      std::vector<float> row(static_cast<size_t>(n)), row_got(static_cast<size_t>(n));
      for (int i = 0; i < n; ++i) row[size_t(i)] = m[size_t(i * rows + r)], row_got[size_t(i)] = got[size_t(i * rows + r)];
      INFO("rows=" << rows << " r=" << r);
      CHECK(row_got == brute_median(row, 31));
    }
  }
  // Strided input and output.
  RunningMedian median(31);
  std::vector<float> x(600), got(300), dense(300);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float((i * 7919) % 101);
  std::vector<float> even(300);
  for (size_t i = 0; i < 300; ++i) even[i] = x[2 * i];
  median.filter(x.data(), 2, 300, got.data(), 1);
  CHECK(got == brute_median(even, 31));
}

TEST_CASE("a 440 Hz tone puts chroma on A and has no tuning offset", "[summary][chroma]") {
  const auto y = tone(440.0, 3.0);
  const FeatureMatrix power = power_of(y);
  const double tuning = estimate_tuning(power, kRate, 2048);
  // Parabolic interpolation on the power spectrum is biased by a couple of cents (numpy gives 0.02).
  CHECK(std::fabs(tuning) <= 0.03);
  FeatureMatrix chroma;
  chroma_from_power(power, chroma_filterbank(kRate, 2048, tuning), 12, chroma);
  std::vector<double> mean(12, 0.0);
  for (int t = 0; t < chroma.n_frames; ++t)
    for (int c = 0; c < 12; ++c) mean[size_t(c)] += chroma.at(t, c) / chroma.n_frames;
  const size_t peak = size_t(std::max_element(mean.begin(), mean.end()) - mean.begin());
  CHECK(peak == 9);  // C C# D D# E F F# G G# A A# B
  CHECK(mean[9] == Approx(1.0).margin(1e-3));
  CHECK(mean[8] < 0.5);
  CHECK(mean[10] < 0.5);
}

TEST_CASE("a tone a quarter semitone sharp is estimated as +0.25", "[summary][chroma]") {
  const auto y = tone(440.0 * std::pow(2.0, 0.25 / 12), 3.0);
  const double tuning = estimate_tuning(power_of(y), kRate, 2048);
  CHECK(tuning == Approx(0.25).margin(0.04));  // numpy's estimate_tuning gives 0.22 here (see above)
}

TEST_CASE("the chroma filterbank matches librosa's shape and normalisation", "[summary][chroma]") {
  const auto fb = chroma_filterbank(kRate, 2048, 0.0);
  REQUIRE(fb.size() == size_t(12 * 1025));
  // Bin 41 is 441.4 Hz (A4): its column peaks on A; every column's 12 weights are positive.
  int best = 0;
  for (int c = 0; c < 12; ++c)
    if (fb[size_t(c) * 1025 + 41] > fb[size_t(best) * 1025 + 41]) best = c;
  CHECK(best == 9);
  for (int k = 0; k < 1025; k += 97)
    for (int c = 0; c < 12; ++c) CHECK(fb[size_t(c) * 1025 + size_t(k)] > 0.f);
}

TEST_CASE("zero-crossing rate of a square wave", "[summary][zcr]") {
  // Period 100 samples: a sign change every 50 samples -> 40 or 41 per 2048-sample frame.
  std::vector<float> y(22050);
  for (size_t i = 0; i < y.size(); ++i) y[i] = (i / 50) % 2 ? -0.25f : 0.25f;
  const auto zcr = zero_crossing_rate(y.data(), y.size(), 2048, 512);
  REQUIRE(zcr.size() == 1 + y.size() / 512);
  for (size_t t = 2; t + 2 < zcr.size(); ++t) {
    INFO("frame " << t);
    CHECK((zcr[t] == Approx(40.0 / 2048) || zcr[t] == Approx(41.0 / 2048)));
  }
  // Silence and tiny values count as positive: no crossings.
  std::vector<float> quiet(4096, 0.f);
  quiet[100] = -1e-11f;
  for (float v : zero_crossing_rate(quiet.data(), quiet.size(), 2048, 512)) CHECK(v == 0.f);
}

TEST_CASE("rms of a constant and of a sine", "[summary][rms]") {
  std::vector<float> c(10000, 0.5f);
  for (float v : rms_frames(c.data(), c.size(), 2048, 512)) CHECK(v == Approx(0.5f).epsilon(1e-6));
  const auto y = tone(1000.0, 1.0, 0.8f);
  const auto r = rms_frames(y.data(), y.size(), 2048, 512);
  for (size_t t = 4; t + 4 < r.size(); ++t) CHECK(r[t] == Approx(0.8 / std::sqrt(2.0)).epsilon(2e-3));
}

TEST_CASE("centroid and rolloff of a tone sit at its frequency", "[summary][spectral]") {
  const double hz = 100 * 22050.0 / 2048;  // bin 100
  const auto y = tone(hz, 2.0);
  StftParams p;
  p.pad = PadMode::reflect;
  auto stft = Stft::create(p);
  REQUIRE(stft.ok());
  FeatureMatrix mag;
  stft->magnitude(y.data(), y.size(), mag);
  SpectralShape shape;
  spectral_shape(mag, kRate, 2048, 0.85, shape);
  for (int t = 5; t < mag.n_frames - 5; ++t) {
    CHECK(shape.centroid[size_t(t)] == Approx(hz).epsilon(0.01));
    CHECK(shape.rolloff[size_t(t)] == Approx(hz + 22050.0 / 2048));  // 85 % is reached one bin above the peak
    CHECK(shape.bandwidth[size_t(t)] < 200.0);
  }
}

TEST_CASE("a click train at 120 BPM has a tempo of about 120", "[summary][tempo]") {
  std::vector<float> y(size_t(20 * kRate), 0.f);
  for (size_t i = 0; i < y.size(); i += size_t(kRate / 2))
    for (size_t j = 0; j < 64 && i + j < y.size(); ++j) y[i + j] = 0.9f * float(std::exp(-double(j) / 8.0));
  auto row = compute_summary_row(y.data(), y.size(), kRate);
  REQUIRE(row.ok());
  const double tempo = (*row)[column("tempo")];
  // The tempo grid is 60 * 22050 / (512 k): 117.45 (k=22) and 123.05 (k=21) bracket 120.
  CHECK(tempo >= 117.0);
  CHECK(tempo <= 123.1);
}

TEST_CASE("a tone is harmonic, clicks are percussive", "[summary][hpss]") {
  const auto y = tone(440.0, 3.0);
  auto row = compute_summary_row(y.data(), y.size(), kRate);
  REQUIRE(row.ok());
  CHECK((*row)[column("harmony_var")] > 50 * (*row)[column("perceptr_var")]);
  std::vector<float> clicks(size_t(3 * kRate), 0.f);
  for (size_t i = 1000; i < clicks.size(); i += 5000) clicks[i] = 0.9f;
  auto prow = compute_summary_row(clicks.data(), clicks.size(), kRate);
  REQUIRE(prow.ok());
  CHECK((*prow)[column("perceptr_var")] > 10 * (*prow)[column("harmony_var")]);
}

TEST_CASE("silence gives zeros, not NaN", "[summary]") {
  std::vector<float> y(size_t(2 * kRate), 0.f);
  auto row = compute_summary_row(y.data(), y.size(), kRate);
  REQUIRE(row.ok());
  for (double v : *row) CHECK(std::isfinite(v));
  CHECK((*row)[column("tempo")] == 0.0);
}

TEST_CASE("short and odd-length clips give finite rows", "[summary]") {
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0.f, 0.1f);
  auto extractor = SummaryExtractor::create();
  REQUIRE(extractor.ok());
  std::vector<double> row;
  for (size_t n : {size_t(2048), size_t(2049), size_t(3001), size_t(5 * 512 + 7), size_t(22050 * 3 + 333)}) {
    std::vector<float> y(n);
    for (auto& v : y) v = noise(rng);
    auto done = extractor->compute(y.data(), y.size(), kRate, row);
    REQUIRE(done.ok());
    REQUIRE(int(row.size()) == kSummaryColumns);
    for (double v : row) CHECK(std::isfinite(v));
  }
}

TEST_CASE("bad input is refused with a clear error", "[summary]") {
  std::vector<float> y(44100, 0.1f);
  auto rate = compute_summary_row(y.data(), y.size(), 44100);
  REQUIRE(!rate.ok());
  CHECK(rate.error().status == Status::invalid_argument);
  CHECK(rate.error().message.find("22050") != std::string::npos);
  auto shortclip = compute_summary_row(y.data(), 1000, kRate);
  REQUIRE(!shortclip.ok());
  CHECK(shortclip.error().status == Status::invalid_argument);
  std::vector<float> too_long(size_t(kRate) * 601, 0.f);
  auto long_clip = compute_summary_row(too_long.data(), too_long.size(), kRate);
  REQUIRE(!long_clip.ok());
  CHECK(long_clip.error().status == Status::resource_limit);
  y[500] = std::nanf("");
  auto nan = compute_summary_row(y.data(), y.size(), kRate);
  REQUIRE(!nan.ok());
  CHECK(nan.error().message.find("500") != std::string::npos);
}

TEST_CASE("degenerate arguments to the per-feature functions give empty or zero results", "[summary]") {
  CHECK(chroma_filterbank(kRate, 1, 0.0).empty());
  CHECK(chroma_filterbank(kRate, 2048, 0.0, 0).empty());
  CHECK(chroma_filterbank(0, 2048, 0.0).empty());
  FeatureMatrix no_bins;
  no_bins.resize(3, 0);
  CHECK(estimate_tuning(no_bins, kRate, 2048) == 0.0);
  // A filterbank for another FFT size projects nothing (and reads nothing past its end).
  const FeatureMatrix power = power_of(tone(440.0, 0.5));
  FeatureMatrix chroma;
  chroma_from_power(power, chroma_filterbank(kRate, 1024, 0.0), 12, chroma);
  REQUIRE(chroma.n_frames == power.n_frames);
  REQUIRE(chroma.n_bins == 12);
  for (float v : chroma.data) CHECK(v == 0.f);
  chroma_from_power(power, chroma_filterbank(kRate, 2048, 0.0), 12, chroma);
  CHECK(*std::max_element(chroma.data.begin(), chroma.data.end()) == 1.f);
}
