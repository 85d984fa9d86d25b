// The 57-value GTZAN summary row exactly as librosa 0.8 computed the public feature table
// (../shared/data/librosa-golden/README.md has the recipe), and each feature on its own for reuse.
#pragma once

#include <complex>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "melgenre/error.hpp"
#include "melgenre/features.hpp"

namespace melgenre {

constexpr int kSummaryColumns = 57;

// Column names in the CSV's order: chroma_stft_mean, chroma_stft_var, ..., mfcc20_var (no filename,
// length or label).
const std::vector<std::string>& summary_column_names();

// y: mono samples at sample_rate (the table was made at 22050 Hz; other rates are refused so a model
// never sees features it was not trained on). Returns kSummaryColumns values.
Expected<std::vector<double>> compute_summary_row(const float* y, size_t n, int sample_rate);

// ---- Each feature on its own (librosa 0.8 semantics; matrices frame-major as in features.hpp) ----

// librosa.estimate_tuning(S=spectrum, bins_per_octave=12, resolution=0.01): piptrack peaks between
// 150 and 4000 Hz above 0.1 x each frame's maximum, kept if their magnitude reaches the median, then
// the most common deviation from the 12-TET grid. Returns the histogram bin's left edge, in [-0.5, 0.5)
// fractions of a semitone. chroma_stft passes the POWER spectrogram here.
double estimate_tuning(const FeatureMatrix& spectrum, int sample_rate, int n_fft);

// librosa.filters.chroma(sr, n_fft, n_chroma, tuning, ctroct=5, octwidth=2, norm=2, base_c=True):
// weights [chroma][bin] (n_fft/2+1 bins), float32.
std::vector<float> chroma_filterbank(int sample_rate, int n_fft, double tuning, int n_chroma = 12);

// chroma[t][c] = filterbank . power[t], divided by its maximum over c (norm=inf; frames whose maximum
// is below FLT_MIN are left as they are).
void chroma_from_power(const FeatureMatrix& power, const std::vector<float>& filterbank, int n_chroma,
                       FeatureMatrix& chroma);

// librosa.feature.rms(y=y): unwindowed frames of the reflect-padded signal, sqrt(mean(x^2)).
std::vector<float> rms_frames(const float* y, size_t n, int frame_length, int hop);

// librosa.feature.zero_crossing_rate(y): edge-padded frames, |x| <= 1e-10 counts as positive zero,
// sign changes / frame_length.
std::vector<float> zero_crossing_rate(const float* y, size_t n, int frame_length, int hop);

// spectral_centroid, spectral_bandwidth (p=2, norm) and spectral_rolloff(roll_percent) of a
// magnitude spectrogram (n_fft/2+1 bins), one value per frame.
struct SpectralShape {
  std::vector<double> centroid, bandwidth, rolloff;
};
void spectral_shape(const FeatureMatrix& magnitude, int sample_rate, int n_fft, double roll_percent,
                    SpectralShape& out);

// librosa.decompose.hpss(D, kernel_size=kernel, power=2, margin=1) for a complex STFT D [frame][bin]
// with magnitudes |D|: median filters (scipy 'reflect' edges) over `kernel` frames (harmonic) and
// `kernel` bins (percussive), soft masks. Writes the harmonic spectrum; the percussive one is D - H.
void harmonic_spectrum(const std::vector<std::complex<float>>& stft, const FeatureMatrix& magnitude, int kernel,
                       std::vector<std::complex<float>>& harmonic);

// librosa.onset.onset_strength(S=mel_db, lag=1, max_size=1, aggregate=np.median, center=True) for a dB
// mel spectrogram from an STFT with n_fft/hop: one value per frame.
std::vector<float> onset_strength_median(const FeatureMatrix& mel_db, int n_fft, int hop);

// The tempo librosa.beat.beat_track reports: librosa.beat.tempo(onset_envelope, start_bpm, std_bpm=1,
// ac_size=8 s, max_tempo=320, aggregate=mean) (0 when the envelope is all zeros), in BPM.
double beat_track_tempo(const std::vector<float>& onset_envelope, int sample_rate, int hop,
                        double start_bpm = 120.0);

// How long each stage of one row took (filled by SummaryExtractor::compute when asked).
struct SummaryStageTime {
  const char* stage;
  double ms;
};

// Explicit state: STFT plan, mel filterbank, DCT and scratch buffers are built once and reused.
class SummaryExtractor {
 public:
  static Expected<SummaryExtractor> create();
  SummaryExtractor(SummaryExtractor&&) noexcept;
  SummaryExtractor& operator=(SummaryExtractor&&) noexcept;
  ~SummaryExtractor();

  // Writes kSummaryColumns values into `row`. Refuses rates other than 22050 Hz, fewer than 2048
  // samples, more than 10 minutes (scratch memory grows ~1.5 MB per second) and non-finite samples.
  Expected<void> compute(const float* y, size_t n, int sample_rate, std::vector<double>& row,
                         std::vector<SummaryStageTime>* timings = nullptr);

 private:
  struct State;
  explicit SummaryExtractor(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace melgenre
