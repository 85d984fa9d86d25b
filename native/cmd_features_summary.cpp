// Placeholder until the summary row lands (owned by the helper implementing it).
#include <cstdio>
#include "commands.hpp"
namespace melgenre::cli {
int run_features_summary(int, char**) {
  std::fprintf(stderr, "melgenre features --kind summary: not built yet\n");
  return kExitUsage;
}
}  // namespace melgenre::cli
