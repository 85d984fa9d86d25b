// Samples -> feature matrix as the recipe says. Frames are streamed (FFT -> power -> mel in one pass per
// frame) so no full-resolution spectrogram is ever held for mel/MFCC.
#include <algorithm>
#include <string>

#include "melgenre/features.hpp"

namespace melgenre {

struct FeatureExtractor::State {
  FeatureRecipe recipe;
  Stft stft;
  MelFilterbank mel;  // unused for FeatureKind::stft
  Dct dct;            // unused unless FeatureKind::mfcc
  static constexpr int kBlock = 4;  // frames per SIMD FFT (Stft::power_interleaved4)
  std::vector<float> power;  // kBlock frames of |X|^2, interleaved [bin][frame]
  std::vector<float> mel4;   // kBlock frames of mel power, interleaved [band][frame]
  FeatureMatrix mel_db;      // MFCC only: the dB mel spectrogram before the DCT

  State(const FeatureRecipe& r, Stft s, MelFilterbank m, Dct d)
      : recipe(r), stft(std::move(s)), mel(std::move(m)), dct(std::move(d)), power(size_t(stft.n_bins()) * kBlock), mel4(size_t(r.n_mels) * kBlock) {}
};

FeatureExtractor::FeatureExtractor(std::unique_ptr<State> state) : state_(std::move(state)) {}
FeatureExtractor::FeatureExtractor(FeatureExtractor&&) noexcept = default;
FeatureExtractor& FeatureExtractor::operator=(FeatureExtractor&&) noexcept = default;
FeatureExtractor::~FeatureExtractor() = default;

Expected<FeatureExtractor> FeatureExtractor::create(const FeatureRecipe& r) {
  auto stft = Stft::create(r.stft);
  if (!stft) return stft.error();
  MelFilterbank mel;
  Dct dct;
  if (r.kind != FeatureKind::stft) {
    MelParams mp;
    mp.sample_rate = r.sample_rate;
    mp.n_fft = r.stft.n_fft;
    mp.n_mels = r.n_mels;
    mp.fmin = r.fmin;
    mp.fmax = r.fmax;
    mp.htk = r.htk;
    auto m = MelFilterbank::create(mp);
    if (!m) return m.error();
    mel = std::move(*m);
    if (!(r.top_db >= 0.f))
      return make_error(Status::invalid_argument, "top_db must be >= 0 (0 disables the floor), got " +
                                                      std::to_string(r.top_db));
  }
  if (r.kind == FeatureKind::mfcc) {
    if (r.n_mfcc < 1 || r.n_mfcc > r.n_mels)
      return make_error(Status::invalid_argument, "n_mfcc must be in [1, n_mels = " + std::to_string(r.n_mels) +
                                                      "], got " + std::to_string(r.n_mfcc));
    auto d = Dct::create(r.n_mels, r.n_mfcc);
    if (!d) return d.error();
    dct = std::move(*d);
  }
  return FeatureExtractor(std::make_unique<State>(r, std::move(*stft), std::move(mel), std::move(dct)));
}

const FeatureRecipe& FeatureExtractor::recipe() const { return state_->recipe; }

int FeatureExtractor::n_bins() const {
  switch (state_->recipe.kind) {
    case FeatureKind::stft: return state_->stft.n_bins();
    case FeatureKind::mel: return state_->recipe.n_mels;
    case FeatureKind::mfcc: return state_->recipe.n_mfcc;
  }
  return 0;
}

Expected<void> FeatureExtractor::compute(const float* y, size_t n, FeatureMatrix& out) {
  State& s = *state_;
  if (!y || n == 0) return make_error(Status::invalid_argument, "cannot compute features of an empty signal");
  // Output of more than 2^30 values (~4 GiB) is refused before any allocation.
  const double values = (double(n) / s.recipe.stft.hop + 1) * double(std::max(n_bins(), s.stft.n_bins()));
  if (values > double(1 << 30))
    return make_error(Status::resource_limit, "signal of " + std::to_string(n) + " samples is too long for one feature matrix");
  const int frames = s.stft.n_frames(n);
  if (frames < 1)
    return make_error(Status::invalid_argument, "signal of " + std::to_string(n) + " samples is shorter than one frame");
  const FeatureRecipe& r = s.recipe;

  if (r.kind == FeatureKind::stft) {
    out.resize(frames, s.stft.n_bins());
    s.stft.magnitude_frames(y, n, 0, frames, out.data.data());
    return {};
  }

  FeatureMatrix& mel = r.kind == FeatureKind::mfcc ? s.mel_db : out;
  mel.resize(frames, r.n_mels);
  for (int t = 0; t < frames; t += State::kBlock) {
    const int count = std::min(State::kBlock, frames - t);
    s.stft.power_interleaved4(y, n, t, count, s.power.data());
    s.mel.apply_interleaved4(s.power.data(), s.mel4.data());
    for (int j = 0; j < count; ++j) {
      float* row = mel.frame(t + j);
      for (int m = 0; m < r.n_mels; ++m) row[m] = s.mel4[size_t(m) * State::kBlock + size_t(j)];
    }
  }
  if (r.kind == FeatureKind::mel) {
    if (r.db != DbMode::none)
      power_to_db(out, r.db == DbMode::refmax ? DbReference::max : DbReference::one, 1e-10f, r.top_db);
    return {};
  }
  power_to_db(mel, DbReference::one, 1e-10f, r.top_db);  // librosa.feature.mfcc: ref=1.0, amin 1e-10
  s.dct.apply(mel, out);
  return {};
}

}  // namespace melgenre
