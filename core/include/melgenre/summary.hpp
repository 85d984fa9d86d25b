// The 57-value GTZAN summary row exactly as librosa 0.8 computed the public feature table
// (../shared/data/librosa-golden/README.md has the recipe), and each feature on its own for reuse.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "melgenre/error.hpp"

namespace melgenre {

constexpr int kSummaryColumns = 57;

// Column names in the CSV's order: chroma_stft_mean, chroma_stft_var, ..., mfcc20_var (no filename,
// length or label).
const std::vector<std::string>& summary_column_names();

// y: mono samples at sample_rate (the table was made at 22050 Hz; other rates are refused so a model
// never sees features it was not trained on). Returns kSummaryColumns values.
Expected<std::vector<double>> compute_summary_row(const float* y, size_t n, int sample_rate);

}  // namespace melgenre
