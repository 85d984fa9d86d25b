// Placeholder until the command lands (owned by the helper implementing it).
#include <cstdio>
#include "commands.hpp"
namespace melgenre::cli {
int run_eval(int, char**) {
  std::fprintf(stderr, "melgenre eval: not built yet\n");
  return kExitUsage;
}
}  // namespace melgenre::cli
