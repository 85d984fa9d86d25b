// istft: librosa.istft output length and perfect reconstruction in the interior.
#include <cmath>
#include <random>
#include <vector>

#include "catch.hpp"
#include "melgenre/features.hpp"

using namespace melgenre;

TEST_CASE("istft(stft(x)) reconstructs x with librosa's output length") {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  std::vector<float> x(20000);
  for (auto& v : x) v = u(rng);
  for (PadMode pad : {PadMode::constant, PadMode::reflect})
    for (int n_fft : {2048, 512}) {
      StftParams p;
      p.n_fft = n_fft;
      p.hop = n_fft / 4;
      p.pad = pad;
      auto stft = Stft::create(p);
      REQUIRE(stft.ok());
      std::vector<std::complex<float>> spec;
      stft->complex(x.data(), x.size(), spec);
      const int frames = stft->n_frames(x.size());
      auto y = istft(spec, frames, p);
      REQUIRE(y.ok());
      // librosa without `length`: n_fft + hop*(frames-1) minus the two n_fft/2 pads.
      REQUIRE(y->size() == size_t(frames - 1) * size_t(p.hop));
      double err = 0;
      for (size_t i = size_t(n_fft); i + size_t(n_fft) < y->size(); ++i)
        err = std::max(err, std::fabs(double((*y)[i]) - x[i]));
      INFO("n_fft " << n_fft);
      CHECK(err < 1e-5);
    }
}

TEST_CASE("istft of a 661794-sample clip's STFT has 661504 samples (the GTZAN table's harmonic length)") {
  StftParams p;
  const int frames = 1 + 661794 / 512;
  std::vector<std::complex<float>> spec(size_t(frames) * 1025, {0.f, 0.f});
  auto y = istft(spec, frames, p);
  REQUIRE(y.ok());
  CHECK(y->size() == 661504);
}

TEST_CASE("istft rejects inconsistent input") {
  StftParams p;
  std::vector<std::complex<float>> spec(1025 * 3);
  CHECK_FALSE(istft(spec, 0, p).ok());
  CHECK_FALSE(istft(spec, 4, p).ok());  // size does not match frames x bins
  p.hop = 0;
  CHECK_FALSE(istft(spec, 3, p).ok());
  p.hop = 512;
  p.n_fft = 0;
  CHECK_FALSE(istft(spec, 3, p).ok());
}
