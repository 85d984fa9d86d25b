// The 57-value row: one reflect-padded STFT shared by chroma, spectral shape, HPSS and the mel
// spectrogram (MFCC and onset strength), plus the time-domain rms and zero-crossing rate.
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

#include "features/summary/harmonic_separator.hpp"
#include "features/summary/moments.hpp"
#include "features/summary/overlap_add_inverse.hpp"
#include "features/summary/tempo_estimator.hpp"
#include "melgenre/summary.hpp"

namespace melgenre {
namespace {

constexpr int kRate = 22050, kFft = 2048, kHop = 512, kMels = 128, kMfcc = 20, kChroma = 12, kKernel = 31;
constexpr double kMaxSeconds = 10 * 60;  // ~0.9 GB of spectrogram scratch at this length

std::vector<std::string> make_column_names() {
  std::vector<std::string> names;
  for (const char* base : {"chroma_stft", "rms", "spectral_centroid", "spectral_bandwidth", "rolloff",
                           "zero_crossing_rate", "harmony", "perceptr"}) {
    names.push_back(std::string(base) + "_mean");
    names.push_back(std::string(base) + "_var");
  }
  names.push_back("tempo");
  for (int i = 1; i <= kMfcc; ++i) {
    names.push_back("mfcc" + std::to_string(i) + "_mean");
    names.push_back("mfcc" + std::to_string(i) + "_var");
  }
  return names;
}

class StageClock {
 public:
  explicit StageClock(std::vector<SummaryStageTime>* out) : out_(out), last_(Clock::now()) {
    if (out_) out_->clear();
  }
  void mark(const char* stage) {
    if (!out_) return;
    const auto now = Clock::now();
    out_->push_back({stage, std::chrono::duration<double, std::milli>(now - last_).count()});
    last_ = now;
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::vector<SummaryStageTime>* out_;
  Clock::time_point last_;
};

// mag = sqrt(re^2 + im^2) (np.abs of complex64) and power = mag^2 (np.abs(D)**2) for n bins; the
// square root in vector registers (std::sqrt stays scalar because of errno).
void magnitude_and_power(const float* d, size_t n, float* mag, float* power) {
  size_t i = 0;
#if defined(__SSE2__) || defined(__wasm_simd128__)
  for (; i + 4 <= n; i += 4) {
    float re[4], im[4], p[4], m[4];
    for (int j = 0; j < 4; ++j) re[j] = d[2 * (i + j)], im[j] = d[2 * (i + j) + 1];
    for (int j = 0; j < 4; ++j) p[j] = re[j] * re[j] + im[j] * im[j];
#if defined(__SSE2__)
    _mm_storeu_ps(m, _mm_sqrt_ps(_mm_loadu_ps(p)));
#else
    wasm_v128_store(m, wasm_f32x4_sqrt(wasm_v128_load(p)));
#endif
    for (int j = 0; j < 4; ++j) mag[i + j] = m[j], power[i + j] = m[j] * m[j];
  }
#endif
  for (; i < n; ++i) {
    const float re = d[2 * i], im = d[2 * i + 1];
    const float m = std::sqrt(re * re + im * im);
    mag[i] = m;
    power[i] = m * m;
  }
}

}  // namespace

const std::vector<std::string>& summary_column_names() {
  static const std::vector<std::string> names = make_column_names();
  return names;
}

struct SummaryExtractor::State {
  Stft stft;
  MelFilterbank mel;
  Dct dct;
  TempoEstimator tempo;
  HarmonicSeparator hpss{kKernel};
  OverlapAddInverse inverse;
  double chroma_tuning = 1e9;  // tuning the cached chroma filterbank was built for
  std::vector<float> chroma_fb;
  // Scratch reused between rows.
  std::vector<std::complex<float>> spectrum, harmonic;
  std::vector<float> harmonic_wave;
  FeatureMatrix magnitude, power, chroma, mel_power, mfcc;
  SpectralShape shape;

  State(Stft st, MelFilterbank m, Dct d, TempoEstimator te, OverlapAddInverse inv)
      : stft(std::move(st)), mel(std::move(m)), dct(std::move(d)), tempo(std::move(te)), inverse(std::move(inv)) {}
};

SummaryExtractor::SummaryExtractor(std::unique_ptr<State> state) : state_(std::move(state)) {}
SummaryExtractor::SummaryExtractor(SummaryExtractor&&) noexcept = default;
SummaryExtractor& SummaryExtractor::operator=(SummaryExtractor&&) noexcept = default;
SummaryExtractor::~SummaryExtractor() = default;

Expected<SummaryExtractor> SummaryExtractor::create() {
  StftParams sp;
  sp.n_fft = kFft;
  sp.hop = kHop;
  sp.center = true;
  sp.pad = PadMode::reflect;  // librosa 0.8's default
  auto stft = Stft::create(sp);
  if (!stft) return stft.error();
  MelParams mp;
  mp.sample_rate = kRate;
  mp.n_fft = kFft;
  mp.n_mels = kMels;
  auto mel = MelFilterbank::create(mp);
  if (!mel) return mel.error();
  auto dct = Dct::create(kMels, kMfcc);
  if (!dct) return dct.error();
  auto tempo = TempoEstimator::create(kRate, kHop);
  if (!tempo) return tempo.error();
  auto inverse = OverlapAddInverse::create(kFft, kHop);
  if (!inverse) return inverse.error();
  return SummaryExtractor(std::make_unique<State>(std::move(*stft), std::move(*mel), std::move(*dct), std::move(*tempo),
                                                  std::move(*inverse)));
}

Expected<void> SummaryExtractor::compute(const float* y, size_t n, int sample_rate, std::vector<double>& row,
                                         std::vector<SummaryStageTime>* timings) {
  if (sample_rate != kRate)
    return make_error(Status::invalid_argument, "summary features need 22050 Hz audio (the GTZAN table's rate), got " +
                                                    std::to_string(sample_rate) + " Hz: resample first");
  if (n < size_t(kFft))
    return make_error(Status::invalid_argument, "summary features need at least " + std::to_string(kFft) +
                                                    " samples (93 ms), got " + std::to_string(n));
  if (double(n) > kMaxSeconds * kRate)
    return make_error(Status::resource_limit, "summary features are limited to 10 minutes of audio, got " +
                                                  std::to_string(int(double(n) / kRate)) + " s");
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(y[i]))
      return make_error(Status::invalid_argument, "audio sample " + std::to_string(i) + " is not finite");

  State& s = *state_;
  StageClock clock(timings);
  row.assign(size_t(kSummaryColumns), 0.0);
  size_t col = 0;
  auto put = [&](const Moments& m) {
    row[col++] = m.mean;
    row[col++] = m.var;
  };

  s.stft.complex(y, n, s.spectrum);
  const int frames = s.stft.n_frames(n), bins = s.stft.n_bins();
  if (s.magnitude.n_frames != frames || s.magnitude.n_bins != bins) {
    s.magnitude.resize(frames, bins);
    s.power.resize(frames, bins);
  }
  magnitude_and_power(reinterpret_cast<const float*>(s.spectrum.data()), s.spectrum.size(), s.magnitude.data.data(),
                      s.power.data.data());
  clock.mark("stft");

  const double tuning = estimate_tuning(s.power, kRate, kFft);
  if (tuning != s.chroma_tuning) {
    s.chroma_fb = chroma_filterbank(kRate, kFft, tuning, kChroma);
    s.chroma_tuning = tuning;
  }
  chroma_from_power(s.power, s.chroma_fb, kChroma, s.chroma);
  {
    const float* c = s.chroma.data.data();
    put(moments_of(s.chroma.data.size(), [c](size_t i) { return c[i]; }));
  }
  clock.mark("tuning+chroma");

  const std::vector<float> rms = rms_frames(y, n, kFft, kHop);
  put(moments_of(rms.size(), [&](size_t i) { return rms[i]; }));
  clock.mark("rms");

  spectral_shape(s.magnitude, kRate, kFft, 0.85, s.shape);
  put(moments_of(s.shape.centroid.size(), [&](size_t i) { return s.shape.centroid[i]; }));
  put(moments_of(s.shape.bandwidth.size(), [&](size_t i) { return s.shape.bandwidth[i]; }));
  put(moments_of(s.shape.rolloff.size(), [&](size_t i) { return s.shape.rolloff[i]; }));
  clock.mark("centroid+bandwidth+rolloff");

  const std::vector<float> zcr = zero_crossing_rate(y, n, kFft, kHop);
  put(moments_of(zcr.size(), [&](size_t i) { return zcr[i]; }));
  clock.mark("zcr");

  s.hpss.harmonic(s.spectrum, s.magnitude, s.harmonic);
  clock.mark("hpss masks");
  s.inverse.inverse(s.harmonic.data(), frames, s.harmonic_wave);
  const std::vector<float>* h = &s.harmonic_wave;
  // librosa.effects.hpss: istft without length, zero-padded to len(y). The percussive part istft(D - H)
  // equals y - h up to float rounding (istft(D) reconstructs y exactly where it is defined).
  const size_t kept = std::min(n, h->size());
  const float* hv = h->data();
  // Zero padding past `kept` contributes nothing to the sums, only to the count.
  put(moments_padded(kept, n, [hv](size_t i) { return hv[i]; }));
  put(moments_padded(kept, n, [hv, y](size_t i) { return y[i] - hv[i]; }));
  clock.mark("hpss istft");

  s.mel.apply(s.power, s.mel_power);
  power_to_db(s.mel_power, DbReference::one, 1e-10f, 80.f);
  clock.mark("mel+db");

  const std::vector<float> onset = onset_strength_median(s.mel_power, kFft, kHop);
  row[col++] = s.tempo.estimate(onset);
  clock.mark("onset+tempo");

  s.dct.apply(s.mel_power, s.mfcc);
  for (int c = 0; c < kMfcc; ++c)
    put(moments_of(size_t(frames), [&](size_t t) { return s.mfcc.at(int(t), c); }));
  clock.mark("mfcc");
  return {};
}

Expected<std::vector<double>> compute_summary_row(const float* y, size_t n, int sample_rate) {
  auto extractor = SummaryExtractor::create();
  if (!extractor) return extractor.error();
  std::vector<double> row;
  auto done = extractor->compute(y, n, sample_rate, row);
  if (!done) return done.error();
  return row;
}

}  // namespace melgenre
