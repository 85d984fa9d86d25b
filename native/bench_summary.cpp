// `melgenre bench summary FILE`: time one 57-feature GTZAN row (1 thread, state built once, decode
// excluded), then the median time of each stage over the same runs.
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "bench.hpp"
#include "clip_bench.hpp"
#include "commands.hpp"
#include "melgenre/audio.hpp"
#include "melgenre/summary.hpp"

namespace melgenre::cli {

int run_bench_summary(int argc, char** argv) {
  static const char* const kUsage =
      "usage: melgenre bench summary [--runs N] FILE\n\n"
      "Times the 57-feature GTZAN summary row of the clip (decoded at 22050 Hz; 1 thread; decode\n"
      "excluded): median, p10 and p90 of the whole row, then the median of each stage.\n";
  auto loaded = load_clip_bench("melgenre bench summary", argc, argv, 20, kUsage);
  if (const int* code = std::get_if<int>(&loaded)) return *code;
  const ClipBench& clip = std::get<ClipBench>(loaded);
  const std::string& path = clip.path;
  const Audio& audio = clip.audio;
  const int runs = clip.runs;
  auto extractor = SummaryExtractor::create();
  if (!extractor) {
    std::fprintf(stderr, "melgenre bench summary: %s\n", extractor.error().message.c_str());
    return kExitBadInput;
  }
  std::vector<double> row;
  auto first = extractor->compute(audio.samples.data(), audio.samples.size(), audio.sample_rate, row);
  if (!first) {
    std::fprintf(stderr, "melgenre bench summary: %s: %s\n", path.c_str(), first.error().message.c_str());
    return kExitBadInput;
  }

  std::printf("%s: %.2f s at 22050 Hz, 1 thread\n", path.c_str(), audio.duration_seconds());
  const Timing whole = time_runs(
      [&] { (void)extractor->compute(audio.samples.data(), audio.samples.size(), audio.sample_rate, row); },
      runs);
  std::printf("%-28s %10s %10s %10s %6s\n", "stage", "median ms", "p10 ms", "p90 ms", "runs");
  std::printf("%-28s %10.3f %10.3f %10.3f %6d\n", "summary row (57 values)", whole.median_ms, whole.p10_ms,
              whole.p90_ms, whole.runs);

  // Per-stage medians over separate instrumented runs, and the process CPU time of each run (less
  // sensitive than wall time to other processes competing for the cores).
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> stage_ms;
  std::vector<SummaryStageTime> timings;
  std::vector<double> cpu_ms;
  for (int r = 0; r < std::max(runs, 5); ++r) {
    const std::clock_t c0 = std::clock();
    (void)extractor->compute(audio.samples.data(), audio.samples.size(), audio.sample_rate, row, &timings);
    cpu_ms.push_back(1000.0 * double(std::clock() - c0) / CLOCKS_PER_SEC);
    for (const auto& t : timings) {
      if (!stage_ms.count(t.stage)) order.push_back(t.stage);
      stage_ms[t.stage].push_back(t.ms);
    }
  }
  std::sort(cpu_ms.begin(), cpu_ms.end());
  std::printf("%-28s %10.3f %10.3f %10.3f %6d\n", "  same, process CPU time", cpu_ms[cpu_ms.size() / 2],
              cpu_ms[cpu_ms.size() / 10], cpu_ms[cpu_ms.size() * 9 / 10], int(cpu_ms.size()));
  std::printf("stages (median wall ms of instrumented runs):\n");
  for (const auto& name : order) {
    auto& v = stage_ms[name];
    std::sort(v.begin(), v.end());
    std::printf("  %-26s %10.3f\n", name.c_str(), v[v.size() / 2]);
  }
  return kExitOk;
}

}  // namespace melgenre::cli
