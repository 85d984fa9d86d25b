// Cutting a feature matrix into the network's segments, and the arithmetic around it (how many
// segments, how many samples a short track is padded to, segment times, input normalisation).
#pragma once

#include <cstddef>
#include <vector>

#include "melgenre/features.hpp"

namespace melgenre {

// Segments of `frames` frames starting every `hop` frames; the last one is the last full one.
// 0 when the matrix is shorter than one segment.
int segment_count(int n_frames, int frames, int hop);

// The fewest samples for which the STFT of `stft` yields at least `frames` frames (a short track is
// zero-padded to this length, in samples, before features).
size_t samples_for_frames(const StftParams& stft, int frames);

// Seconds at which frame `t` starts being the current frame (t * hop / sample_rate).
inline double frame_seconds(const FeatureRecipe& recipe, long t) {
  return double(t) * recipe.stft.hop / recipe.sample_rate;
}

// Summary networks were trained on rows of 30 s GTZAN clips: a track is cut into
// max(1, floor(seconds / 30)) windows of equal length (30-60 s each; the whole track when shorter than
// 60 s), one row per window, probabilities averaged. Window k covers samples
// [k * n / count, (k + 1) * n / count). Also keeps the summary code's memory bounded for long tracks.
constexpr double kSummaryWindowSeconds = 30.0;
int summary_window_count(size_t n_samples, int sample_rate);

// dst[r][c] = (src[r][c] - mean[c or 0]) / std[c or 0] over rows x cols values; mean/std hold 1 or
// cols values.
void normalize_rows(const float* src, size_t rows, size_t cols, const std::vector<float>& mean,
                    const std::vector<float>& std, float* dst);

}  // namespace melgenre
