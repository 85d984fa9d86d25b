// Spectral features, numerically librosa 0.10: STFT, Slaney mel filterbank, power_to_db, MFCC.
// Matrices are frame-major ([frame][bin]) so a frame is contiguous; librosa's (bins, frames) layout is
// its transpose (the CLI writes that layout).
#pragma once

#include <complex>
#include <cstddef>
#include <memory>
#include <vector>

#include "melgenre/error.hpp"

namespace melgenre {

struct FeatureMatrix {
  int n_frames = 0;
  int n_bins = 0;
  std::vector<float> data;  // n_frames * n_bins, [frame][bin]

  void resize(int frames, int bins) { n_frames = frames; n_bins = bins; data.assign(size_t(frames) * bins, 0.f); }
  float* frame(int t) { return data.data() + size_t(t) * n_bins; }
  const float* frame(int t) const { return data.data() + size_t(t) * n_bins; }
  float at(int t, int bin) const { return data[size_t(t) * n_bins + bin]; }
};

enum class PadMode { constant, reflect };

struct StftParams {
  int n_fft = 2048;
  int hop = 512;
  bool center = true;
  PadMode pad = PadMode::constant;
};

// Periodic Hann window, real FFT (KissFFT, same code on both targets). Owns its FFT plan and scratch.
class Stft {
 public:
  static Expected<Stft> create(const StftParams& params);
  Stft(Stft&&) noexcept;
  Stft& operator=(Stft&&) noexcept;
  ~Stft();

  const StftParams& params() const;
  int n_bins() const;                      // n_fft / 2 + 1
  int n_frames(size_t n_samples) const;    // librosa: 1 + n_samples / hop when centred
  // |X|^2, |X| or X itself, for all frames of y.
  void power(const float* y, size_t n, FeatureMatrix& out);
  void magnitude(const float* y, size_t n, FeatureMatrix& out);
  void complex(const float* y, size_t n, std::vector<std::complex<float>>& out);  // [frame][bin]
  // One frame t (0 <= t < n_frames(n)) into out[n_bins()]: lets callers stream frames without holding a
  // whole matrix. Frames are padded as params().pad says.
  void frame_power(const float* y, size_t n, int t, float* out);
  void frame_magnitude(const float* y, size_t n, int t, float* out);
  void frame_complex(const float* y, size_t n, int t, std::complex<float>* out);
  // Frames [t0, t0 + count) into count consecutive rows of n_bins() values. Runs 4 frames per SIMD FFT
  // (bit-identical to the one-frame calls); the fast path for callers that stream blocks of frames.
  void power_frames(const float* y, size_t n, int t0, int count, float* out);
  void magnitude_frames(const float* y, size_t n, int t0, int count, float* out);
  // Up to 4 frames [t0, t0 + count) as |X|^2 interleaved by frame: out[bin * 4 + j] for frame t0 + j
  // (n_bins() x 4 floats; lanes j >= count are 0). The layout MelFilterbank::apply_interleaved4 takes.
  void power_interleaved4(const float* y, size_t n, int t0, int count, float* out);

 private:
  struct State;
  explicit Stft(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Inverse STFT as librosa.istft without a length argument (Hann synthesis, window-sum normalisation).
// spectrum is [frame][bin] with n_fft/2+1 bins; returns (n_frames-1)*hop samples when centred
// (n_fft + (n_frames-1)*hop otherwise). params.pad is not used.
Expected<std::vector<float>> istft(const std::vector<std::complex<float>>& spectrum, int n_frames,
                                   const StftParams& params);

struct MelParams {
  int sample_rate = 22050;
  int n_fft = 2048;
  int n_mels = 128;
  float fmin = 0.f;
  float fmax = -1.f;        // <= 0 means sample_rate / 2
  bool htk = false;         // HTK mel scale instead of Slaney
  bool slaney_norm = true;  // norm='slaney' (area normalisation)
};

class MelFilterbank {
 public:
  static Expected<MelFilterbank> create(const MelParams& params);
  const MelParams& params() const { return params_; }
  int n_mels() const { return params_.n_mels; }
  int n_bins() const { return n_bins_; }
  const std::vector<float>& weights() const { return weights_; }  // [mel][bin], librosa.filters.mel
  // mel[t][m] = sum_k weights[m][k] * power[t][k]
  void apply(const FeatureMatrix& power, FeatureMatrix& mel) const;
  // One frame: power[n_bins()] -> mel[n_mels()].
  void apply_frame(const float* power, float* mel) const;
  // Four frames at once in Stft::power_interleaved4's layout: power[bin * 4 + j] -> mel[m * 4 + j].
  void apply_interleaved4(const float* power, float* mel) const;

 private:
  MelParams params_;
  int n_bins_ = 0;
  std::vector<float> weights_;
  std::vector<int> bin_begin_, bin_end_;  // non-zero support [begin, end) of each filter (sparse apply)
};

enum class DbReference { one, max };

// librosa.power_to_db: 10*log10(max(S, amin)) - 10*log10(max(ref, amin)), then floored at max - top_db
// (top_db <= 0: no floor). In place.
void power_to_db(FeatureMatrix& s, DbReference ref, float amin = 1e-10f, float top_db = 80.f);

// Orthonormal DCT-II over the bin axis keeping the first n_out coefficients (librosa.feature.mfcc).
class Dct {
 public:
  static Expected<Dct> create(int n_in, int n_out);
  // in.n_bins must equal n_in() (otherwise out is all zeros).
  void apply(const FeatureMatrix& in, FeatureMatrix& out) const;
  // One frame: in[n_in()] -> out[n_out()].
  void apply_frame(const float* in, float* out) const;
  int n_in() const { return n_in_; }
  int n_out() const { return n_out_; }

 private:
  int n_in_ = 0, n_out_ = 0;
  std::vector<float> basis_;  // [in][out rounded up to 4]: the inner loop runs over outputs, so it vectorises
};

enum class FeatureKind { stft, mel, mfcc };
enum class DbMode { none, ref1, refmax };

// A complete recipe from samples to a feature matrix; stored in model files so training and inference
// compute the same inputs.
struct FeatureRecipe {
  FeatureKind kind = FeatureKind::mel;
  int sample_rate = 22050;
  StftParams stft;
  int n_mels = 128;
  float fmin = 0.f;
  float fmax = -1.f;
  bool htk = false;
  DbMode db = DbMode::ref1;  // mel only; mfcc always uses ref1 as librosa
  float top_db = 80.f;
  int n_mfcc = 20;
};

// Explicit state object: plans, filterbank and scratch are built once and reused across calls.
class FeatureExtractor {
 public:
  static Expected<FeatureExtractor> create(const FeatureRecipe& recipe);
  FeatureExtractor(FeatureExtractor&&) noexcept;
  FeatureExtractor& operator=(FeatureExtractor&&) noexcept;
  ~FeatureExtractor();

  const FeatureRecipe& recipe() const;
  int n_bins() const;  // rows of the output: n_fft/2+1, n_mels or n_mfcc
  // stft -> magnitudes; mel -> power mel (then dB as recipe.db); mfcc -> MFCC.
  Expected<void> compute(const float* y, size_t n, FeatureMatrix& out);

 private:
  struct State;
  explicit FeatureExtractor(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace melgenre
