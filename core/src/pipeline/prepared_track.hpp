// What a PreparedTrack holds, and the features half of classification shared by Classifier and
// TrackPreparer: audio checks, resampling per network rate, whole-track features, summary rows.
#pragma once

#include <optional>
#include <vector>

#include "melgenre/classifier.hpp"

namespace melgenre {

struct PreparedNetworkInput {
  FeatureMatrix features;   // mel: features of the whole (padded) track; segments are cut when a batch is filled
  int segments = 0;         // mel: segments cut from `features`; summary57: windows (rows in `rows`)
  std::vector<float> rows;  // summary57: the normalised rows, one per window (summary_window_count)
};

struct PreparedTrack::Data {
  double duration = 0;        // seconds of the audio given
  double shown_duration = 0;  // seconds at the first mel network's rate, before padding (clamps segment times)
  int shown = -1;             // index of the first mel network, -1 if none
  std::vector<PreparedNetworkInput> networks;  // one per Model::networks entry
};

// One per network; only mel networks have one.
using FeatureExtractors = std::vector<std::optional<FeatureExtractor>>;
Expected<FeatureExtractors> make_extractors(const Model& model);

// The options Classifier and TrackPreparer check the same way (max_seconds, silence_dbfs).
Expected<void> check_audio_options(const ClassifierOptions& options);

// Sample rate, emptiness, length limit (max_seconds > 0) and finiteness of the samples; with a finite
// silence_dbfs also that the loudest sample reaches it.
Expected<void> check_audio(const Audio& audio, double max_seconds, double silence_dbfs);

// The loudest |sample| of n samples, or the error for a NaN or infinite one (batch and stream alike).
Expected<float> sample_peak(const float* samples, size_t n);

// The loudest |sample| as dBFS (-infinity for all zeros), and the error for audio below the threshold.
double peak_dbfs(float peak);
Error silent_audio_error(float peak, double silence_dbfs);

// Features of `audio` for every network of `model` (a short track is zero-padded to one segment).
Expected<PreparedTrack> prepare_track(const Model& model, FeatureExtractors& extractors,
                                      const ClassifierOptions& options, const Audio& audio);

}  // namespace melgenre
