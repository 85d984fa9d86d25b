// `melgenre bench features FILE`: time the spectral front end on one clip, 1 thread, plans built once
// (as a long-running process would), decode excluded.
#include <cstdio>
#include <string>
#include <variant>

#include "bench.hpp"
#include "clip_bench.hpp"
#include "commands.hpp"
#include "melgenre/audio.hpp"
#include "melgenre/features.hpp"

namespace melgenre::cli {

int run_bench_features(int argc, char** argv) {
  static const char* const kUsage =
      "usage: melgenre bench features [--runs N] FILE\n\n"
      "Times, on the clip decoded at 22050 Hz (1 thread, decode excluded):\n"
      "  mel128+mfcc20  librosa.feature.mfcc defaults: STFT 2048/512 -> mel128 -> dB -> DCT (20)\n"
      "  stft power     |STFT|^2 only (n_fft 2048, hop 512)\n"
      "  mel128 power   STFT -> mel128 power (librosa.feature.melspectrogram defaults)\n"
      "Prints median, p10, p90 and min in milliseconds (on a busy machine min is the best estimate\n"
      "of the uncontended time).\n";
  auto loaded = load_clip_bench("melgenre bench features", argc, argv, 30, kUsage);
  if (const int* code = std::get_if<int>(&loaded)) return *code;
  const ClipBench& clip = std::get<ClipBench>(loaded);
  const std::string& path = clip.path;
  const Audio& audio = clip.audio;
  const int runs = clip.runs;
  const float* y = audio.samples.data();
  const size_t n = audio.samples.size();  // >= 1: load_clip_bench refuses empty clips

  FeatureRecipe mfcc_recipe;
  mfcc_recipe.kind = FeatureKind::mfcc;
  FeatureRecipe mel_recipe;
  mel_recipe.kind = FeatureKind::mel;
  mel_recipe.db = DbMode::none;
  auto mfcc = FeatureExtractor::create(mfcc_recipe);
  auto mel = FeatureExtractor::create(mel_recipe);
  auto stft = Stft::create(StftParams{});
  if (!mfcc || !mel || !stft) {
    std::fprintf(stderr, "melgenre bench features: cannot build the default recipes\n");
    return kExitBadInput;
  }
  FeatureMatrix out;
  std::printf("%s: %.2f s at 22050 Hz, %d frames (n_fft 2048, hop 512), 1 thread\n", path.c_str(),
              audio.duration_seconds(), stft->n_frames(n));
  std::printf("%-16s %10s %10s %10s %10s %6s\n", "what", "median ms", "p10 ms", "p90 ms", "min ms", "runs");
  auto row = [&](const char* name, Timing t) {
    std::printf("%-16s %10.3f %10.3f %10.3f %10.3f %6d\n", name, t.median_ms, t.p10_ms, t.p90_ms, t.min_ms, t.runs);
  };
  row("mel128+mfcc20", time_runs([&] { (void)mfcc->compute(y, n, out); }, runs));
  row("stft power", time_runs([&] { stft->power(y, n, out); }, runs));
  row("mel128 power", time_runs([&] { (void)mel->compute(y, n, out); }, runs));
  return kExitOk;
}

}  // namespace melgenre::cli
