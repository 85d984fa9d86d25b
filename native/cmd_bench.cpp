// `melgenre bench <what>`: benchmarks printed as tables (median and spread), one file per hot path.
#include <cstdio>
#include <cstring>

#include "bench.hpp"
#include "commands.hpp"

namespace melgenre::cli {

int run_bench(int argc, char** argv) {
  if (argc < 1 || !std::strcmp(argv[0], "--help") || !std::strcmp(argv[0], "-h")) {
    std::FILE* out = argc < 1 ? stderr : stdout;
    std::fprintf(out,
                 "usage: melgenre bench <what> [options]\n\n"
                 "  features FILE          mel128 + MFCC20 of a clip (1 thread)\n"
                 "  summary FILE           the 57-feature GTZAN row of a clip\n"
                 "  model [--model FILE]   ms per segment and per 30 s track, per backend and thread count\n");
    return argc < 1 ? kExitUsage : kExitOk;
  }
  if (!std::strcmp(argv[0], "features")) return run_bench_features(argc - 1, argv + 1);
  if (!std::strcmp(argv[0], "summary")) return run_bench_summary(argc - 1, argv + 1);
  if (!std::strcmp(argv[0], "model")) return run_bench_model(argc - 1, argv + 1);
  std::fprintf(stderr, "melgenre bench: unknown benchmark '%s' (features, summary, model)\n", argv[0]);
  return kExitUsage;
}

}  // namespace melgenre::cli
