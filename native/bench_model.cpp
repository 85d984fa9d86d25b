// `melgenre bench model`: ms per segment and per 30 s track for every backend built in, dtype and thread
// count. Without --model it builds the seed-001 CNN shape with random weights (int8 and float32); with
// --model it times that file's networks. Inputs are random (timing does not depend on the values).
#include <algorithm>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "args.hpp"
#include "bench.hpp"
#include "commands.hpp"
#include "melgenre/backend.hpp"
#include "melgenre/model.hpp"

namespace melgenre::cli {
namespace {

constexpr double kTrackSeconds = 30.0;

struct BenchNet {
  std::string label;  // what the table calls it
  std::string dtype;  // "int8", "f32" or "mixed"
  Network net;
  int segments_per_track = 1;
};

TensorPtr tensor_f32(const std::string& name, std::vector<int> shape, std::mt19937& gen, float lo, float hi) {
  auto t = std::make_shared<Tensor>();
  t->name = name;
  t->dtype = DType::f32;
  t->shape = std::move(shape);
  std::uniform_real_distribution<float> u(lo, hi);
  t->f32.resize(t->count());
  for (auto& v : t->f32) v = u(gen);
  return t;
}

TensorPtr tensor_i8(const std::string& name, std::vector<int> shape, std::mt19937& gen) {
  auto t = std::make_shared<Tensor>();
  t->name = name;
  t->dtype = DType::i8;
  t->shape = std::move(shape);
  std::uniform_int_distribution<int> u(-127, 127);
  t->i8.resize(t->count());
  for (auto& v : t->i8) v = int8_t(u(gen));
  return t;
}

TensorPtr tensor_i32(const std::string& name, int n, std::mt19937& gen) {
  auto t = std::make_shared<Tensor>();
  t->name = name;
  t->dtype = DType::i32;
  t->shape = {n};
  std::uniform_int_distribution<int> u(-2000, 2000);
  t->i32.resize(size_t(n));
  for (auto& v : t->i32) v = u(gen);
  return t;
}

// A conv2d or dense layer with random weights; int8 layers get per-channel weight scales of about
// 1/sqrt(fan-in) so the requantisation multipliers stay in the usual range.
Layer weighted_layer(LayerKind kind, std::vector<int> wshape, bool int8, Activation act, std::mt19937& gen,
                     const std::string& name) {
  Layer l;
  l.kind = kind;
  l.act = act;
  int fan_in = 1;
  for (size_t i = 1; i < wshape.size(); ++i) fan_in *= wshape[i];
  const int cout = wshape[0];
  const float bound = 1.f / std::sqrt(float(fan_in));
  if (int8) {
    l.weight = tensor_i8(name + ".w", wshape, gen);
    l.weight_scale = tensor_f32(name + ".ws", {cout}, gen, 0.5f * bound / 127.f, 1.5f * bound / 127.f);
    l.bias = tensor_i32(name + ".b", cout, gen);
    l.quant.scale = 0.05f;
    l.quant.zero = act == Activation::relu ? -128 : 0;
    l.has_quant = true;
  } else {
    l.weight = tensor_f32(name + ".w", wshape, gen, -bound, bound);
    l.bias = tensor_f32(name + ".b", {cout}, gen, -0.1f, 0.1f);
  }
  return l;
}

// The seed-001 CNN: [F x 64 x 1] -> conv 64 3x3 relu -> maxpool (4,2) -> conv 64 3x5 relu -> maxpool (4,2)
// -> dense 32 relu -> dense 10 -> softmax; int8 between quantize and dequantize.
Network seed001_network(int frames, bool int8, uint32_t seed) {
  std::mt19937 gen(seed);
  Network net;
  net.name = int8 ? "seed001-int8" : "seed001-f32";
  net.input = InputKind::mel;
  net.recipe.kind = FeatureKind::mel;
  net.recipe.sample_rate = 22050;
  net.recipe.stft.n_fft = 512;
  net.recipe.stft.hop = 256;
  net.recipe.stft.center = true;
  net.recipe.n_mels = 64;
  net.recipe.fmax = 11025.f;
  net.segment_frames = frames;
  net.segment_hop = frames / 2;
  net.norm_mean = {0.f};
  net.norm_std = {1.f};
  auto pool = [](int kh, int kw) {
    Layer p;
    p.kind = LayerKind::maxpool;
    p.kernel_h = p.stride_h = kh;
    p.kernel_w = p.stride_w = kw;
    return p;
  };
  Layer conv1 = weighted_layer(LayerKind::conv2d, {64, 3, 3, 1}, int8, Activation::relu, gen, "conv1");
  conv1.kernel_h = conv1.kernel_w = 3;
  conv1.pad_top = conv1.pad_bottom = conv1.pad_left = conv1.pad_right = 1;
  Layer conv2 = weighted_layer(LayerKind::conv2d, {64, 3, 5, 64}, int8, Activation::relu, gen, "conv2");
  conv2.kernel_h = 3;
  conv2.kernel_w = 5;
  conv2.pad_top = conv2.pad_bottom = 1;
  conv2.pad_left = conv2.pad_right = 2;
  const int flat = (frames / 16) * (64 / 4) * 64;
  Layer dense1 = weighted_layer(LayerKind::dense, {32, flat}, int8, Activation::relu, gen, "dense1");
  Layer dense2 = weighted_layer(LayerKind::dense, {10, 32}, int8, Activation::none, gen, "dense2");
  Layer flatten;
  flatten.kind = LayerKind::flatten;
  Layer softmax;
  softmax.kind = LayerKind::softmax;
  if (int8) {
    Layer q;
    q.kind = LayerKind::quantize;
    q.quant.scale = 1.f / 40.f;
    q.quant.zero = 0;
    q.has_quant = true;
    Layer dq;
    dq.kind = LayerKind::dequantize;
    net.layers = {q, conv1, pool(4, 2), conv2, pool(4, 2), flatten, dense1, dense2, dq, softmax};
  } else {
    net.layers = {conv1, pool(4, 2), conv2, pool(4, 2), flatten, dense1, dense2, softmax};
  }
  return net;
}

// Segments of a 30 s track for a mel network (frames from the recipe, last full segment), 1 otherwise.
int segments_per_track(const Network& net) {
  if (net.input != InputKind::mel || net.segment_frames <= 0) return 1;
  const long samples = long(kTrackSeconds * net.recipe.sample_rate);
  const long hop = std::max(1, net.recipe.stft.hop);
  const long frames = net.recipe.stft.center ? 1 + samples / hop
                                             : 1 + std::max(0L, samples - net.recipe.stft.n_fft) / hop;
  const long seg_hop = std::max(1, net.segment_hop);
  if (frames < net.segment_frames) return 1;
  return int((frames - net.segment_frames) / seg_hop + 1);
}

std::string network_dtype(const Network& net) {
  bool i8 = false, f32 = false;
  for (const auto& l : net.layers)
    if (l.kind == LayerKind::conv2d || l.kind == LayerKind::dense)
      (l.weight && l.weight->dtype == DType::i8 ? i8 : f32) = true;
  return i8 && f32 ? "mixed" : (i8 ? "int8" : "f32");
}

// CPU time of the whole process (all threads), in ms: on a loaded machine it shows the work a run
// needed, which wall time (median of time_runs) mixes with waiting for a core.
double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<int> parse_int_list(const std::string& text, bool* ok) {
  std::vector<int> v;
  std::stringstream ss(text);
  std::string item;
  *ok = true;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    long n = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end || n < 1 || n > 256) {
      *ok = false;
      return {};
    }
    v.push_back(int(n));
  }
  *ok = !v.empty();
  return v;
}

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> v;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) v.push_back(item);
  return v;
}

}  // namespace

int run_bench_model(int argc, char** argv) {
  auto parsed = parse_args(argc, argv, {{"model"}, {"backend"}, {"threads"}, {"frames"}, {"runs"}, {"dtype"}});
  if (!parsed) {
    std::fprintf(stderr, "melgenre bench model: %s\n", parsed.error().message.c_str());
    return kExitUsage;
  }
  if (parsed->has("help")) {
    std::printf(
        "usage: melgenre bench model [--model FILE] [--backend NAME[,NAME]] [--threads 1,2] [--frames F]\n"
        "                            [--dtype int8|f32|both] [--runs N]\n\n"
        "Times inference of one segment (batch 1) and of all segments of a 30 s track (22050 Hz, one\n"
        "batch) for every backend built into this melgenre (or the named ones) and thread count.\n"
        "Without --model: the seed-001 CNN shape ([F x 64 mels x 1] -> conv 64 3x3 -> maxpool 4x2 ->\n"
        "conv 64 3x5 -> maxpool 4x2 -> dense 32 -> dense 10 -> softmax) with RANDOM weights, int8 and\n"
        "float32, for F = 128 (hop 64) and 256 (hop 128) frames, or --frames F (hop F/2).\n"
        "With --model FILE: that file's networks as stored (segment length and hop from the file).\n"
        "Columns: ms per segment at batch 1 and within the track batch, ms per 30 s track (median,\n"
        "p10, p90 of wall time), process CPU ms per track (all threads; on a busy machine closer to the\n"
        "work done than wall time) and segments per second. Backends: %s.\n",
        [] {
          std::string s;
          for (const auto& b : built_backends()) s += (s.empty() ? "" : ", ") + b;
          return s;
        }()
            .c_str());
    return kExitOk;
  }
  bool ok = true;
  const std::vector<int> threads = parse_int_list(parsed->value_or("threads", "1,2"), &ok);
  if (!ok) {
    std::fprintf(stderr, "melgenre bench model: --threads takes a list like 1,2 (each 1..256)\n");
    return kExitUsage;
  }
  auto runs = parsed->int_or("runs", 10, 1, 10000);
  auto frames = parsed->int_or("frames", 0, 16, 4096);
  if (!runs || !frames) {
    std::fprintf(stderr, "melgenre bench model: %s\n", (!runs ? runs.error() : frames.error()).message.c_str());
    return kExitUsage;
  }
  const std::string dtype = parsed->value_or("dtype", "both");
  if (dtype != "int8" && dtype != "f32" && dtype != "both") {
    std::fprintf(stderr, "melgenre bench model: --dtype is int8, f32 or both\n");
    return kExitUsage;
  }
  std::vector<std::string> backends =
      parsed->has("backend") ? split_names(parsed->value_or("backend", "")) : built_backends();
  if (backends.empty()) {
    std::fprintf(stderr, "melgenre bench model: --backend needs a name\n");
    return kExitUsage;
  }

  std::vector<BenchNet> nets;
  if (auto path = parsed->value("model")) {
    std::ifstream f(*path, std::ios::binary);
    if (!f) {
      std::fprintf(stderr, "melgenre bench model: %s: cannot open the file\n", path->c_str());
      return kExitBadInput;
    }
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto model = load_model(bytes.data(), bytes.size());
    if (!model) {
      std::fprintf(stderr, "melgenre bench model: %s: %s\n", path->c_str(), model.error().message.c_str());
      return kExitBadInput;
    }
    std::printf("model %s (%s): %zu network(s)\n", path->c_str(), model->name.c_str(), model->networks.size());
    for (const auto& n : model->networks) {
      const std::string dt = network_dtype(n);
      if (dtype != "both" && dt != dtype) continue;
      nets.push_back({n.name, dt, n, segments_per_track(n)});
    }
  } else {
    std::vector<int> lengths = *frames ? std::vector<int>{*frames} : std::vector<int>{128, 256};
    for (int f : lengths) {
      if (f % 16) {
        std::fprintf(stderr, "melgenre bench model: --frames must be a multiple of 16 (two 4x pools)\n");
        return kExitUsage;
      }
      for (bool int8 : {true, false}) {
        if ((dtype == "int8" && !int8) || (dtype == "f32" && int8)) continue;
        Network n = seed001_network(f, int8, 1);
        nets.push_back({"seed001 F=" + std::to_string(f), int8 ? "int8" : "f32", n, segments_per_track(n)});
      }
    }
    std::printf("seed-001 CNN shape with RANDOM weights (int8 and float32), not a trained model;\n"
                "30 s track = 22050 Hz, n_fft 512, hop 256, center: 2584 frames, segments at 50 %% overlap\n");
  }
  if (nets.empty()) {
    std::fprintf(stderr, "melgenre bench model: no network of dtype %s\n", dtype.c_str());
    return kExitBadInput;
  }

  std::printf("%-10s %-18s %-5s %3s %4s %10s %10s %10s %9s %9s %9s %9s\n", "backend", "network", "dtype", "thr",
              "segs", "seg b1 ms", "seg bN ms", "track ms", "p10 ms", "p90 ms", "cpu ms", "segs/s");
  int failures = 0;
  for (const auto& name : backends) {
    for (int t : threads) {
      if (name == "reference" && t > 1) continue;  // single-threaded by definition
      BackendOptions opt;
      opt.threads = t;
      auto backend = create_backend(name, opt);
      if (!backend) {
        std::printf("%-10s unavailable: %s\n", name.c_str(), backend.error().message.c_str());
        if (backend.error().status != Status::backend_unavailable) ++failures;
        break;
      }
      for (const auto& bn : nets) {
        const int segs = bn.segments_per_track;
        auto compiled = (*backend)->compile(bn.net, segs);
        if (!compiled) {
          std::printf("%-10s %-18s %-5s %3d compile failed: %s\n", name.c_str(), bn.label.c_str(), bn.dtype.c_str(),
                      t, compiled.error().message.c_str());
          ++failures;
          continue;
        }
        size_t item = 1;
        for (int d : bn.net.input_shape()) item *= size_t(d);
        std::vector<float> input(item * size_t(segs));
        std::mt19937 gen(7);
        std::normal_distribution<float> nd(0.f, 1.f);
        for (auto& v : input) v = nd(gen);
        std::vector<float> output((*compiled)->output_size() * size_t(segs));
        // The reference backend is the slow scalar definition: a few runs are enough.
        const bool slow = name == "reference";
        const int n_runs = slow ? std::min(*runs, 2) : *runs;
        const double min_s = slow ? 0.0 : 0.5;
        bool run_ok = true;
        auto run = [&](int batch) {
          if (!(*compiled)->run(input.data(), batch, output.data())) run_ok = false;
        };
        const Timing one = time_runs([&] { run(1); }, n_runs, min_s);
        std::vector<double> cpu;
        const Timing all = time_runs(
            [&] {
              const double c0 = process_cpu_ms();
              run(segs);
              cpu.push_back(process_cpu_ms() - c0);
            },
            n_runs, min_s);
        if (!run_ok) {
          std::printf("%-10s %-18s %-5s %3d run failed\n", name.c_str(), bn.label.c_str(), bn.dtype.c_str(), t);
          ++failures;
          continue;
        }
        std::printf("%-10s %-18s %-5s %3d %4d %10.3f %10.3f %10.2f %9.2f %9.2f %9.2f %9.0f\n", name.c_str(),
                    bn.label.c_str(), bn.dtype.c_str(), t, segs, one.median_ms, all.median_ms / segs, all.median_ms,
                    all.p10_ms, all.p90_ms, median_of(cpu), all.median_ms > 0 ? 1000.0 * segs / all.median_ms : 0.0);
        std::fflush(stdout);
      }
    }
  }
  return failures ? kExitBadInput : kExitOk;
}

}  // namespace melgenre::cli
