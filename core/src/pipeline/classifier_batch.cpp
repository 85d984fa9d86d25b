// The backend half of classification, over many prepared tracks at once: for each network, the segments
// of every track are cut, normalised and packed into batches of up to max_batch items (a batch may span
// tracks), one backend run per batch; the output rows are then split back per track (mean of its
// segment probabilities, weighted mean over the bundle). Per-item backends give each track exactly the
// result it gets alone.
#include <algorithm>
#include <string>

#include "pipeline/classifier_state.hpp"
#include "pipeline/prepared_track.hpp"
#include "pipeline/segmenter.hpp"

namespace melgenre {
namespace {

// Mean over rows of a rows x cols matrix.
std::vector<float> mean_rows(const float* m, size_t rows, size_t cols) {
  std::vector<double> acc(cols, 0.0);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) acc[c] += m[r * cols + c];
  std::vector<float> out(cols);
  for (size_t c = 0; c < cols; ++c) out[c] = float(acc[c] / double(rows));
  return out;
}

size_t shape_count(const std::vector<int>& shape) {
  size_t n = 1;
  for (int d : shape) n *= size_t(d);
  return n;
}

// A track prepared by another model (other networks, bins or row widths) would be read out of bounds.
Expected<void> check_prepared(const PreparedTrack::Data& d, const Model& model, const FeatureExtractors& fx) {
  const Error mismatch = make_error(Status::invalid_argument, "the track was prepared for another model");
  if (d.networks.size() != model.networks.size()) return mismatch;
  for (size_t i = 0; i < d.networks.size(); ++i) {
    const Network& net = model.networks[i];
    const PreparedNetworkInput& in = d.networks[i];
    if (net.input == InputKind::summary57) {
      if (in.segments < 1 || in.rows.size() != size_t(in.segments) * shape_count(net.input_shape())) return mismatch;
      continue;
    }
    if (!fx[i] || in.features.n_bins != fx[i]->n_bins() ||
        in.segments != segment_count(in.features.n_frames, net.segment_frames, net.segment_hop) || in.segments < 1 ||
        in.features.data.size() != size_t(in.features.n_frames) * size_t(in.features.n_bins))
      return mismatch;
  }
  return {};
}

}  // namespace

Expected<std::vector<Expected<TrackResult>>> Classifier::classify_prepared(
    const std::vector<const PreparedTrack*>& tracks) {
  State& s = *state_;
  const size_t n_labels = s.model.labels.size();
  const size_t n_nets = s.model.networks.size();
  const int shown = first_mel_network(s.model);

  std::vector<Expected<TrackResult>> results;
  results.reserve(tracks.size());
  std::vector<const PreparedTrack::Data*> usable;  // the tracks that take part, in order
  std::vector<size_t> usable_index;                // their position in `tracks`
  for (size_t t = 0; t < tracks.size(); ++t) {
    if (!tracks[t]) {
      results.emplace_back(make_error(Status::invalid_argument, "no prepared track (null)"));
      continue;
    }
    const PreparedTrack::Data& d = tracks[t]->data();
    if (auto ok = check_prepared(d, s.model, s.extractors); !ok) {
      results.emplace_back(ok.error());
      continue;
    }
    results.emplace_back(TrackResult{});
    usable.push_back(&d);
    usable_index.push_back(t);
  }

  // per_network[u][i]: track u's probabilities from network i.
  std::vector<std::vector<std::vector<float>>> per_network(usable.size(), std::vector<std::vector<float>>(n_nets));
  for (size_t i = 0; i < n_nets && !usable.empty(); ++i) {
    const Network& net = s.model.networks[i];
    CompiledNetwork& compiled = *s.compiled.networks[i];
    const size_t out = compiled.output_size();
    const int batch = compiled.max_batch();
    s.probs.clear();

    // Items are packed into s.items in track order; a full batch is run and appended to s.probs, so
    // row r of s.probs is the r-th item packed.
    int filled = 0;
    size_t item = 0;
    auto flush = [&]() -> Expected<void> {
      if (filled == 0) return {};
      auto r = run_items(compiled, s.items.data(), item, filled, s.probs);
      filled = 0;
      return r;
    };

    if (net.input == InputKind::summary57) {
      // One item per window row; a track's probabilities are the mean over its rows.
      item = shape_count(net.input_shape());
      s.items.resize(item * size_t(batch));
      for (const auto* d : usable) {
        const PreparedNetworkInput& in = d->networks[i];
        for (int k = 0; k < in.segments; ++k) {
          std::copy(in.rows.begin() + long(size_t(k) * item), in.rows.begin() + long(size_t(k + 1) * item),
                    s.items.begin() + long(size_t(filled) * item));
          if (++filled == batch)
            if (auto r = flush(); !r) return r.error();
        }
      }
      if (auto r = flush(); !r) return r.error();
      size_t first = 0;
      for (size_t u = 0; u < usable.size(); ++u) {
        const int rows = usable[u]->networks[i].segments;
        per_network[u][i] = mean_rows(s.probs.data() + first * out, size_t(rows), out);
        per_network[u][i].resize(n_labels);
        first += size_t(rows);
      }
      continue;
    }

    const size_t bins = size_t(usable.front()->networks[i].features.n_bins);
    item = size_t(net.segment_frames) * bins;
    s.items.resize(item * size_t(batch));
    for (const auto* d : usable) {
      const PreparedNetworkInput& in = d->networks[i];
      for (int k = 0; k < in.segments; ++k) {
        normalize_rows(in.features.frame(k * net.segment_hop), size_t(net.segment_frames), bins, net.norm_mean,
                       net.norm_std, s.items.data() + size_t(filled) * item);
        if (++filled == batch)
          if (auto r = flush(); !r) return r.error();
      }
    }
    if (auto r = flush(); !r) return r.error();

    size_t first = 0;  // the track's first row in s.probs
    for (size_t u = 0; u < usable.size(); ++u) {
      const PreparedNetworkInput& in = usable[u]->networks[i];
      const float* rows = s.probs.data() + first * out;
      per_network[u][i] = mean_rows(rows, size_t(in.segments), out);
      if (int(i) == shown) {
        std::vector<SegmentResult>& segs = results[usable_index[u]]->segments;
        const double duration = usable[u]->shown_duration;
        for (int k = 0; k < in.segments; ++k) {
          SegmentResult seg;
          const long f0 = long(k) * net.segment_hop;
          seg.start = std::min(duration, frame_seconds(net.recipe, f0));
          seg.end = std::min(duration, frame_seconds(net.recipe, f0 + net.segment_frames));
          seg.scores.assign(rows + size_t(k) * out, rows + size_t(k + 1) * out);
          segs.push_back(std::move(seg));
        }
      }
      first += size_t(in.segments);
    }
  }

  std::vector<float> weights;
  for (const auto& net : s.model.networks) weights.push_back(net.weight);
  for (size_t u = 0; u < usable.size(); ++u) {
    TrackResult& r = *results[usable_index[u]];
    r.duration = usable[u]->duration;
    combine_weighted(per_network[u], weights, r.scores);
    finish_scores(r);
  }
  return results;
}

Expected<std::vector<Expected<TrackResult>>> Classifier::classify_many(const std::vector<const Audio*>& tracks) {
  std::vector<Expected<PreparedTrack>> prepared;
  prepared.reserve(tracks.size());
  for (const Audio* a : tracks)
    prepared.push_back(a ? prepare(*a) : Expected<PreparedTrack>(make_error(Status::invalid_argument, "no audio (null track)")));
  std::vector<const PreparedTrack*> ptrs;
  for (auto& p : prepared) ptrs.push_back(p ? &*p : nullptr);
  auto results = classify_prepared(ptrs);
  if (!results) return results.error();
  for (size_t t = 0; t < prepared.size(); ++t)
    if (!prepared[t]) (*results)[t] = prepared[t].error();
  return results;
}

}  // namespace melgenre
