// Mel filterbank, power_to_db and DCT on synthetic inputs.
#include <cmath>
#include <random>
#include <vector>

#include "catch.hpp"
#include "melgenre/features.hpp"
#include "npy_reader.hpp"

using namespace melgenre;

TEST_CASE("filterbank rows sum as librosa's") {
  auto ref = melgenre::test::read_npy_f32(std::string(MELGENRE_DATA_DIR) +
                                          "/librosa-golden/filters_mel_sr22050_nfft2048_nmels128.npy");
  REQUIRE(ref.error.empty());
  auto fb = MelFilterbank::create(MelParams{});
  REQUIRE(fb.ok());
  REQUIRE(fb->n_bins() == 1025);
  for (int m = 0; m < 128; ++m) {
    double ours = 0, theirs = 0;
    for (int k = 0; k < 1025; ++k) {
      ours += fb->weights()[size_t(m) * 1025 + k];
      theirs += ref.at(size_t(m), size_t(k));
    }
    INFO("filter " << m);
    CHECK(ours == Approx(theirs).epsilon(1e-6));
  }
}

TEST_CASE("sparse filterbank apply equals the dense product") {
  MelParams p;
  p.n_fft = 512;
  p.n_mels = 40;
  p.sample_rate = 16000;
  p.fmin = 50.f;
  p.fmax = 7000.f;
  auto fb = MelFilterbank::create(p);
  REQUIRE(fb.ok());
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(0.f, 2.f);
  FeatureMatrix power;
  power.resize(5, fb->n_bins());
  for (auto& v : power.data) v = u(rng);
  FeatureMatrix mel;
  fb->apply(power, mel);
  REQUIRE(mel.n_frames == 5);
  REQUIRE(mel.n_bins == 40);
  for (int t = 0; t < 5; ++t)
    for (int m = 0; m < 40; ++m) {
      double dense = 0;
      for (int k = 0; k < fb->n_bins(); ++k) dense += double(fb->weights()[size_t(m) * fb->n_bins() + k]) * power.at(t, k);
      CHECK(mel.at(t, m) == Approx(dense).epsilon(1e-5));
    }
}

TEST_CASE("HTK filters peak at the HTK mel centres") {
  MelParams p;
  p.htk = true;
  p.n_mels = 40;
  auto fb = MelFilterbank::create(p);
  REQUIRE(fb.ok());
  const double top = 2595.0 * std::log10(1.0 + 11025.0 / 700.0);
  const double bin_hz = 22050.0 / 2048;
  for (int m = 0; m < 40; ++m) {
    const double centre = 700.0 * (std::pow(10.0, top * (m + 1) / 41.0 / 2595.0) - 1.0);
    const float* row = fb->weights().data() + size_t(m) * 1025;
    int best = 0;
    for (int k = 1; k < 1025; ++k)
      if (row[k] > row[best]) best = k;
    INFO("filter " << m << " centre " << centre << " Hz");
    CHECK(std::fabs(best * bin_hz - centre) <= bin_hz);
  }
  auto slaney = MelFilterbank::create(MelParams{});
  REQUIRE(slaney.ok());
  CHECK(slaney->weights() != MelFilterbank::create([] { MelParams q; q.htk = true; return q; }())->weights());
}

TEST_CASE("a 1 kHz sine peaks in the mel band centred nearest 1 kHz") {
  const double sr = 22050;
  std::vector<float> y(22050);
  for (size_t i = 0; i < y.size(); ++i) y[i] = float(std::sin(2 * 3.14159265358979 * 1000.0 * double(i) / sr));
  FeatureRecipe r;
  r.db = DbMode::none;
  auto fx = FeatureExtractor::create(r);
  REQUIRE(fx.ok());
  FeatureMatrix mel;
  REQUIRE(fx->compute(y.data(), y.size(), mel).ok());
  const float* f = mel.frame(mel.n_frames / 2);
  int best = 0;
  for (int m = 1; m < mel.n_bins; ++m)
    if (f[m] > f[best]) best = m;
  // Slaney scale: 1 kHz is mel 15; 128 bands over [0, mel(11025)] put it near band 15/(step) - 1.
  const double top = 15.0 + std::log(11025.0 / 1000.0) / (std::log(6.4) / 27.0);
  const double expected_band = 15.0 / (top / 129.0) - 1.0;
  CHECK(std::fabs(best - expected_band) <= 1.0);
}

TEST_CASE("bad mel parameters are errors") {
  MelParams p;
  p.n_mels = 1026;
  CHECK_FALSE(MelFilterbank::create(p).ok());
  p = MelParams{};
  p.n_mels = 0;
  CHECK_FALSE(MelFilterbank::create(p).ok());
  p = MelParams{};
  p.fmax = 20000.f;  // above Nyquist
  CHECK_FALSE(MelFilterbank::create(p).ok());
  p = MelParams{};
  p.fmin = 5000.f;
  p.fmax = 4000.f;
  CHECK_FALSE(MelFilterbank::create(p).ok());
  p = MelParams{};
  p.sample_rate = 0;
  CHECK_FALSE(MelFilterbank::create(p).ok());
}

TEST_CASE("power_to_db: reference, amin and top_db as librosa") {
  FeatureMatrix s;
  s.resize(1, 4);
  s.data = {1.f, 0.1f, 1e-12f, 100.f};
  power_to_db(s, DbReference::one);
  CHECK(s.data[0] == Approx(0.0).margin(1e-6));
  CHECK(s.data[1] == Approx(-10.0).margin(1e-5));
  CHECK(s.data[2] == Approx(20.0 - 80.0).margin(1e-5));  // floored at max - top_db
  CHECK(s.data[3] == Approx(20.0).margin(1e-5));

  s.data = {1.f, 0.1f, 1e-12f, 100.f};
  power_to_db(s, DbReference::max, 1e-10f, 0.f);  // top_db 0: no floor
  CHECK(s.data[0] == Approx(-20.0).margin(1e-5));
  CHECK(s.data[2] == Approx(-120.0).margin(1e-4));  // amin 1e-10 -> -100 dB, minus 20
  CHECK(s.data[3] == Approx(0.0).margin(1e-6));

  s.data = {0.f, 0.f, 0.f, 0.f};
  power_to_db(s, DbReference::max);  // silence: everything at amin
  for (float v : s.data) CHECK(v == Approx(0.0).margin(1e-6));
}

TEST_CASE("DCT-II ortho basis is orthonormal and matches the formula") {
  const int n = 128;
  auto dct = Dct::create(n, n);
  REQUIRE(dct.ok());
  // Rows of D are the transforms of unit vectors' duals: D e_i gives column i; D D^T = I.
  std::vector<std::vector<float>> D(n, std::vector<float>(n));
  std::vector<float> e(n), col(n);
  for (int i = 0; i < n; ++i) {
    std::fill(e.begin(), e.end(), 0.f);
    e[size_t(i)] = 1.f;
    dct->apply_frame(e.data(), col.data());
    for (int k = 0; k < n; ++k) D[size_t(k)][size_t(i)] = col[size_t(k)];
  }
  double worst = 0;
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b) {
      double dot = 0;
      for (int i = 0; i < n; ++i) dot += double(D[size_t(a)][size_t(i)]) * D[size_t(b)][size_t(i)];
      worst = std::max(worst, std::fabs(dot - (a == b ? 1.0 : 0.0)));
    }
  CHECK(worst < 1e-5);
  CHECK(D[0][5] == Approx(std::sqrt(1.0 / n)).epsilon(1e-6));
  CHECK(D[3][7] == Approx(std::sqrt(2.0 / n) * std::cos(3.14159265358979 * 3 * 15 / (2.0 * n))).margin(1e-6));

  auto mfcc = Dct::create(128, 20);
  REQUIRE(mfcc.ok());
  FeatureMatrix in, out;
  in.resize(2, 128);
  std::fill(in.data.begin(), in.data.end(), -3.f);
  mfcc->apply(in, out);
  REQUIRE(out.n_bins == 20);
  CHECK(out.at(1, 0) == Approx(-3.0 * std::sqrt(128.0)).epsilon(1e-5));
  for (int k = 1; k < 20; ++k) CHECK(out.at(1, k) == Approx(0.0).margin(1e-4));

  CHECK_FALSE(Dct::create(0, 0).ok());
  CHECK_FALSE(Dct::create(128, 129).ok());
  CHECK_FALSE(Dct::create(128, 0).ok());
}

TEST_CASE("power_to_db's log10 agrees with libm across the float range") {
  FeatureMatrix s;
  std::vector<double> values;
  for (double v = 1e-10; v < 1e12; v *= 1.0137) values.push_back(v);
  for (double v : {1.0, 2.0, 0.5, 1.41421356, 1.4142137, 0.70710678, 3.4e38}) values.push_back(v);
  s.resize(1, int(values.size()));
  for (size_t i = 0; i < values.size(); ++i) s.data[i] = float(values[i]);
  power_to_db(s, DbReference::one, 1e-10f, 0.f);
  double worst = 0;
  for (size_t i = 0; i < values.size(); ++i)
    worst = std::max(worst, std::fabs(s.data[i] - 10.0 * std::log10(double(float(values[i])))));
  CHECK(worst < 5e-5);  // a few float32 ulps of values up to 385 dB
  FeatureMatrix odd;
  odd.resize(1, 3);
  odd.data = {NAN, -1.f, INFINITY};
  power_to_db(odd, DbReference::one, 1e-10f, 0.f);
  CHECK(odd.data[0] == Approx(-100.0).margin(1e-3));  // NaN and negatives clamp to amin
  CHECK(odd.data[1] == Approx(-100.0).margin(1e-3));
  CHECK(std::isfinite(odd.data[2]));
}
