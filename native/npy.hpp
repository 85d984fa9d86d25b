// .npy output (NumPy format 1.0, little-endian float32, C order): what `melgenre features` writes.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include "melgenre/error.hpp"
#include "melgenre/features.hpp"

namespace melgenre::cli {

// The header for a float32 C-order array of this shape, padded so the data starts on a 64-byte boundary.
std::string npy_header_f32(const std::vector<size_t>& shape);

// Writes `data` (product of shape floats) to an open stream; `name` is used in error messages.
Expected<void> write_npy_f32(std::FILE* out, const std::string& name, const float* data,
                             const std::vector<size_t>& shape);
// Writes to a path ("-" is stdout).
Expected<void> write_npy_f32(const std::string& path, const float* data, const std::vector<size_t>& shape);

// A FeatureMatrix in librosa's layout: shape (bins, frames), i.e. the transpose of [frame][bin].
Expected<void> write_feature_matrix_npy(const std::string& path, const FeatureMatrix& m);

}  // namespace melgenre::cli
