// Placeholder until this benchmark lands (owned by the helper implementing it).
#include <cstdio>
#include "bench.hpp"
#include "commands.hpp"
namespace melgenre::cli {
int run_bench_summary(int, char**) {
  std::fprintf(stderr, "melgenre bench: not built yet\n");
  return kExitUsage;
}
}  // namespace melgenre::cli
