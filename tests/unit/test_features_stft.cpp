// STFT on synthetic signals: bins, framing, numpy padding semantics, agreement with a direct DFT, errors.
#include <cmath>
#include <complex>
#include <random>
#include <vector>

#include "catch.hpp"
#include "features/frame_padding.hpp"
#include "features/real_fft.hpp"
#include "melgenre/features.hpp"

using namespace melgenre;

namespace {

const double kPi = 3.14159265358979323846;

std::vector<float> sine(size_t n, double freq, double sr, double amp = 1.0) {
  std::vector<float> y(n);
  for (size_t i = 0; i < n; ++i) y[i] = float(amp * std::sin(2 * kPi * freq * double(i) / sr));
  return y;
}

// Reference: frame t of the numpy-padded signal, periodic Hann, DFT in double.
std::vector<std::complex<double>> direct_frame(const std::vector<float>& y, int n_fft, int hop, int t, PadMode pad) {
  const int n_bins = n_fft / 2 + 1;
  std::vector<std::complex<double>> out(size_t(n_bins), 0.0);
  for (int i = 0; i < n_fft; ++i) {
    const long long idx = (long long)t * hop - n_fft / 2 + i;
    const double w = 0.5 - 0.5 * std::cos(2 * kPi * i / n_fft);
    const double x = w * padded_sample(y.data(), (long long)y.size(), idx, pad);
    for (int k = 0; k < n_bins; ++k) out[size_t(k)] += x * std::polar(1.0, -2 * kPi * double(k) * i / n_fft);
  }
  return out;
}

}  // namespace

TEST_CASE("a sine lands in its bin with the Hann peak gain") {
  const int sr = 22050, n_fft = 2048;
  const int bin = 93;
  auto y = sine(size_t(sr), bin * double(sr) / n_fft, sr);
  auto stft = Stft::create(StftParams{});
  REQUIRE(stft.ok());
  FeatureMatrix mag;
  stft->magnitude(y.data(), y.size(), mag);
  REQUIRE(mag.n_bins == 1025);
  REQUIRE(mag.n_frames == 1 + sr / 512);
  for (int t = 4; t < mag.n_frames - 4; ++t) {
    const float* f = mag.frame(t);
    int best = 0;
    for (int k = 1; k < mag.n_bins; ++k)
      if (f[k] > f[best]) best = k;
    CHECK(best == bin);
    CHECK(f[bin] == Approx(n_fft / 4.0).epsilon(1e-4));  // sum of the periodic Hann / 2
  }
  FeatureMatrix pow;
  stft->power(y.data(), y.size(), pow);
  CHECK(pow.at(10, bin) == Approx(double(mag.at(10, bin)) * mag.at(10, bin)).epsilon(1e-5));
}

TEST_CASE("frame count follows librosa 0.10") {
  auto centred = Stft::create(StftParams{});
  REQUIRE(centred.ok());
  CHECK(centred->n_frames(661794) == 1293);
  CHECK(centred->n_frames(512) == 2);
  CHECK(centred->n_frames(511) == 1);
  CHECK(centred->n_frames(1) == 1);
  StftParams p;
  p.center = false;
  auto plain = Stft::create(p);
  REQUIRE(plain.ok());
  CHECK(plain->n_frames(2047) == 0);
  CHECK(plain->n_frames(2048) == 1);
  CHECK(plain->n_frames(2048 + 512) == 2);
}

TEST_CASE("reflect padding is numpy's 'reflect' (no edge repeat, periodic for long pads)") {
  const float a[] = {1, 2, 3};
  const float expect_a[] = {1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3};  // np.pad(a, 8, 'reflect')
  for (int i = 0; i < 19; ++i) CHECK(padded_sample(a, 3, i - 8, PadMode::reflect) == expect_a[i]);
  const float b[] = {1, 2, 3, 4, 5};
  const float expect_b[] = {4, 3, 2, 1, 2, 3, 4, 5, 4, 3, 2};  // np.pad(b, 3, 'reflect')
  for (int i = 0; i < 11; ++i) CHECK(padded_sample(b, 5, i - 3, PadMode::reflect) == expect_b[i]);
  for (int i = -3; i < 8; ++i) CHECK(padded_sample(b, 5, i, PadMode::constant) == (i >= 0 && i < 5 ? b[i] : 0.f));
  const float c[] = {7};
  CHECK(padded_sample(c, 1, -5, PadMode::reflect) == 7.f);
}

TEST_CASE("STFT equals a direct DFT of the padded, windowed frames") {
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.f, 0.3f);
  std::vector<float> y(3000);
  for (auto& v : y) v = noise(rng);
  for (PadMode pad : {PadMode::constant, PadMode::reflect})
    for (int n_fft : {64, 30, 15}) {  // power of two, mixed radix, odd (complex FFT path)
      StftParams p;
      p.n_fft = n_fft;
      p.hop = 7;
      p.pad = pad;
      auto stft = Stft::create(p);
      REQUIRE(stft.ok());
      std::vector<std::complex<float>> spec;
      stft->complex(y.data(), y.size(), spec);
      const int frames = stft->n_frames(y.size());
      const int bins = n_fft / 2 + 1;
      REQUIRE(spec.size() == size_t(frames) * bins);
      for (int t : {0, 1, frames / 2, frames - 1}) {
        auto ref = direct_frame(y, n_fft, p.hop, t, pad);
        double peak = 0, err = 0;
        for (int k = 0; k < bins; ++k) {
          peak = std::max(peak, std::abs(ref[size_t(k)]));
          err = std::max(err, std::abs(ref[size_t(k)] - std::complex<double>(spec[size_t(t) * bins + k])));
        }
        INFO("n_fft " << n_fft << " frame " << t);
        CHECK(err <= 1e-5 * peak);
      }
    }
}

TEST_CASE("real FFT round trip and irfft scaling") {
  for (int n : {2, 8, 30, 2048, 9}) {
    auto fft = RealFft::create(n);
    REQUIRE(fft.ok());
    std::vector<float> x(static_cast<size_t>(n)), back(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) x[size_t(i)] = float(std::sin(0.37 * i) + 0.1 * i);
    std::vector<std::complex<float>> X(static_cast<size_t>(fft->n_bins()));
    fft->forward(x.data(), X.data());
    fft->inverse(X.data(), back.data());
    for (int i = 0; i < n; ++i) CHECK(back[size_t(i)] == Approx(x[size_t(i)]).margin(1e-4));
  }
}

TEST_CASE("bad STFT parameters are errors, not crashes") {
  StftParams p;
  p.n_fft = 0;
  CHECK_FALSE(Stft::create(p).ok());
  p.n_fft = 2048;
  p.hop = 0;
  CHECK_FALSE(Stft::create(p).ok());
  p.hop = -5;
  CHECK_FALSE(Stft::create(p).ok());
  CHECK_FALSE(RealFft::create(0).ok());

  FeatureRecipe r;
  auto fx = FeatureExtractor::create(r);
  REQUIRE(fx.ok());
  FeatureMatrix m;
  auto empty = fx->compute(nullptr, 0, m);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().status == Status::invalid_argument);
  const float one = 0.5f;
  CHECK(fx->compute(&one, 1, m).ok());  // a single sample is one centred frame, as librosa
  CHECK(m.n_frames == 1);

  r.stft.n_fft = 0;
  CHECK_FALSE(FeatureExtractor::create(r).ok());
  r = FeatureRecipe{};
  r.n_mels = 2000;  // more bands than the 1025 bins
  CHECK_FALSE(FeatureExtractor::create(r).ok());
  r = FeatureRecipe{};
  r.kind = FeatureKind::mfcc;
  r.n_mfcc = 200;  // more coefficients than mel bands
  CHECK_FALSE(FeatureExtractor::create(r).ok());
  r.n_mfcc = 0;
  CHECK_FALSE(FeatureExtractor::create(r).ok());
  r = FeatureRecipe{};
  r.sample_rate = 0;
  CHECK_FALSE(FeatureExtractor::create(r).ok());

  StftParams centreless;
  centreless.center = false;
  r = FeatureRecipe{};
  r.stft = centreless;
  fx = FeatureExtractor::create(r);
  REQUIRE(fx.ok());
  std::vector<float> short_signal(100, 0.1f);
  CHECK_FALSE(fx->compute(short_signal.data(), short_signal.size(), m).ok());  // shorter than one frame
}

TEST_CASE("4-lane FFT blocks give bit-identical results to single frames") {
  std::mt19937 rng(11);
  std::normal_distribution<float> noise(0.f, 0.2f);
  std::vector<float> y(9000);
  for (auto& v : y) v = noise(rng);
  for (PadMode pad : {PadMode::constant, PadMode::reflect})
    for (int n_fft : {2048, 512, 30}) {
      StftParams p;
      p.n_fft = n_fft;
      p.hop = n_fft / 4 + 1;
      p.pad = pad;
      auto stft = Stft::create(p);
      REQUIRE(stft.ok());
      const int frames = stft->n_frames(y.size());
      const int bins = stft->n_bins();
      FeatureMatrix block;
      stft->power(y.data(), y.size(), block);  // blocks of 4 plus a partial block
      std::vector<float> single(static_cast<size_t>(bins));
      int mismatches = 0;
      for (int t = 0; t < frames; ++t) {
        stft->frame_power(y.data(), y.size(), t, single.data());
        for (int k = 0; k < bins; ++k) mismatches += single[size_t(k)] != block.at(t, k);
      }
      INFO("n_fft " << n_fft << ", " << frames << " frames");
      CHECK(mismatches == 0);
      std::vector<float> part(static_cast<size_t>(3 * bins));  // an odd block in the middle
      stft->power_frames(y.data(), y.size(), 5, 3, part.data());
      for (int k = 0; k < bins; ++k) CHECK(part[size_t(2 * bins + k)] == block.at(7, k));
    }
}
