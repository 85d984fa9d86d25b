// The summary row's fast iSTFT (four frames per four-lane inverse FFT, used by HPSS) against the plain
// public melgenre::istft, which is its reference: same librosa semantics, so the same samples.
#include <cmath>
#include <random>

#include "catch.hpp"
#include "features/summary/overlap_add_inverse.hpp"
#include "melgenre/features.hpp"

using namespace melgenre;

TEST_CASE("OverlapAddInverse equals the reference istft") {
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.f, 0.3f);
  struct Case { int n_fft, hop, samples; };
  for (const Case c : {Case{2048, 512, 30000}, Case{512, 256, 7001}, Case{512, 128, 513}, Case{64, 16, 64},
                       Case{2048, 512, 1}}) {
    CAPTURE(c.n_fft, c.hop, c.samples);
    std::vector<float> y(size_t(c.samples));
    for (auto& v : y) v = noise(rng);
    StftParams params;
    params.n_fft = c.n_fft;
    params.hop = c.hop;
    params.pad = PadMode::reflect;
    auto stft = Stft::create(params);
    REQUIRE(stft.ok());
    std::vector<std::complex<float>> spectrum;
    stft->complex(y.data(), y.size(), spectrum);
    const int frames = stft->n_frames(y.size());
    // Perturb the spectrum so it is not a consistent STFT (HPSS masks make it so).
    for (auto& z : spectrum) z *= 0.5f + 0.5f * std::abs(noise(rng));

    auto reference = istft(spectrum, frames, params);
    REQUIRE(reference.ok());
    auto fast = OverlapAddInverse::create(c.n_fft, c.hop);
    REQUIRE(fast.ok());
    std::vector<float> out;
    fast->inverse(spectrum.data(), frames, out);
    REQUIRE(out.size() == reference->size());
    double worst = 0, peak = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      worst = std::max(worst, double(std::abs(out[i] - (*reference)[i])));
      peak = std::max(peak, double(std::abs((*reference)[i])));
    }
    CHECK(worst <= 1e-5 * std::max(1.0, peak));
  }
}
