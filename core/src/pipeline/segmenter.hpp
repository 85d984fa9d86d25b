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

// dst[r][c] = (src[r][c] - mean[c or 0]) / std[c or 0] over rows x cols values; mean/std hold 1 or
// cols values.
void normalize_rows(const float* src, size_t rows, size_t cols, const std::vector<float>& mean,
                    const std::vector<float>& std, float* dst);

}  // namespace melgenre
