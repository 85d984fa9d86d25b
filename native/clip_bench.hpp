// The shared front of the one-clip benchmarks (bench features, bench summary): "[--runs N] FILE", the
// clip decoded at 22050 Hz (decode is never part of what they time).
#pragma once

#include <string>
#include <variant>

#include "melgenre/audio.hpp"

namespace melgenre::cli {

struct ClipBench {
  std::string path;
  Audio audio;  // mono, 22050 Hz, at least one sample
  int runs = 0;
};

// Returns the clip, or the exit code to return at once (after printing `usage` for --help, or an
// error prefixed with `command`, e.g. "melgenre bench features").
std::variant<ClipBench, int> load_clip_bench(const char* command, int argc, char** argv, int default_runs,
                                             const char* usage);

}  // namespace melgenre::cli
