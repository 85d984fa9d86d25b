// Shared vocabulary of the meta text (models/FORMAT.md) for the reader and the writer: the tokens of
// enums, so both sides spell them identically.
#pragma once

#include <string>

#include "melgenre/features.hpp"
#include "melgenre/model.hpp"

namespace melgenre::model_text {

constexpr int kFormatVersion = 1;
constexpr size_t kHeaderSize = 64;
constexpr size_t kAlignment = 64;
constexpr char kMagic[8] = {'M', 'E', 'L', 'G', 'E', 'N', 'R', 'E'};

inline const char* dtype_token(DType d) { return d == DType::f32 ? "f32" : d == DType::i8 ? "i8" : "i32"; }
inline size_t dtype_size(DType d) { return d == DType::i8 ? 1 : 4; }
inline const char* db_token(DbMode m) { return m == DbMode::none ? "none" : m == DbMode::ref1 ? "ref1" : "refmax"; }
inline const char* pad_token(PadMode p) { return p == PadMode::constant ? "constant" : "reflect"; }
inline const char* feature_kind_token(FeatureKind k) {
  return k == FeatureKind::mel ? "mel" : k == FeatureKind::mfcc ? "mfcc" : "stft";
}

}  // namespace melgenre::model_text
