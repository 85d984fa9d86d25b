#include "pipeline/compiled_model.hpp"

#include <algorithm>

#include "pipeline/segmenter.hpp"

namespace melgenre {

long segments_per_30s(const Model& model) {
  long total = 0;
  for (const auto& n : model.networks) {
    if (n.input != InputKind::mel) {
      total += 1;
      continue;
    }
    const size_t samples = size_t(30.0 * n.recipe.sample_rate);
    const long pad = n.recipe.stft.center ? 2L * (n.recipe.stft.n_fft / 2) : 0;
    const long frames = 1 + (long(samples) + pad - n.recipe.stft.n_fft) / n.recipe.stft.hop;
    total += std::max(1, segment_count(int(frames), n.segment_frames, n.segment_hop));
  }
  return total;
}

Expected<CompiledModel> compile_model(const Model& model, const ClassifierOptions& options) {
  if (options.max_batch < 1 || options.max_batch > 4096)
    return make_error(Status::invalid_argument, "max_batch must be in [1, 4096], got " + std::to_string(options.max_batch));
  BackendOptions bo;
  bo.threads = options.threads;
  auto backend = create_backend(options.backend, bo,
                                segments_per_30s(model) * std::max(1L, options.expected_tracks));
  if (!backend) return backend.error();
  CompiledModel cm;
  cm.backend_name = (*backend)->name();
  cm.backends.push_back(std::move(*backend));
  for (const auto& net : model.networks) {
    auto compiled = cm.backends[0]->compile(net, options.max_batch);
    if (!compiled && options.backend == "auto" && cm.backends[0]->name() != "reference") {
      if (cm.backends.size() == 1) {
        auto ref = create_backend("reference", bo);
        if (!ref) return ref.error();
        cm.backends.push_back(std::move(*ref));
      }
      cm.backend_name += "+reference";
      compiled = cm.backends[1]->compile(net, options.max_batch);
    }
    if (!compiled)
      return make_error(compiled.error().status, "network '" + net.name + "' on backend " + cm.backends[0]->name() +
                                                     ": " + compiled.error().message);
    cm.networks.push_back(std::move(*compiled));
  }
  return cm;
}

Expected<void> run_items(CompiledNetwork& network, const float* items, size_t item_size, int count,
                         std::vector<float>& out) {
  const size_t out_size = network.output_size();
  const size_t first = out.size();
  out.resize(first + size_t(count) * out_size);
  for (int done = 0; done < count;) {
    const int batch = std::min(network.max_batch(), count - done);
    auto r = network.run(items + size_t(done) * item_size, batch, out.data() + first + size_t(done) * out_size);
    if (!r) return r;
    done += batch;
  }
  return {};
}

}  // namespace melgenre
