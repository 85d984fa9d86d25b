// melgenre CLI entry point: dispatches to one command per file.
#include <cstdio>
#include <cstring>

#include "commands.hpp"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int, char**);
};

constexpr Command kCommands[] = {
    {"classify", "guess the genre of audio files or folders", melgenre::cli::run_classify},
    {"eval", "accuracy and confusion matrix on a folder-per-genre tree", melgenre::cli::run_eval},
    {"features", "write spectral features (.npy) or the 57-feature summary row", melgenre::cli::run_features},
    {"bench", "benchmarks: features, summary, model", melgenre::cli::run_bench},
};

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "melgenre %s - music genre classification (GTZAN genres), offline\n\n"
               "usage: melgenre <command> [options]\n\ncommands:\n",
               MELGENRE_VERSION);
  for (const auto& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out, "\n'melgenre <command> --help' describes a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return melgenre::cli::kExitUsage;
  }
  const char* name = argv[1];
  if (!std::strcmp(name, "--help") || !std::strcmp(name, "-h") || !std::strcmp(name, "help")) {
    print_usage(stdout);
    return melgenre::cli::kExitOk;
  }
  if (!std::strcmp(name, "--version")) {
    std::printf("melgenre %s\n", MELGENRE_VERSION);
    return melgenre::cli::kExitOk;
  }
  for (const auto& c : kCommands)
    if (!std::strcmp(name, c.name)) return c.run(argc - 2, argv + 2);
  std::fprintf(stderr, "melgenre: unknown command '%s'\n\n", name);
  print_usage(stderr);
  return melgenre::cli::kExitUsage;
}
