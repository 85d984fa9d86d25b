#include "clip_bench.hpp"

#include <cstdio>

#include "args.hpp"
#include "commands.hpp"

namespace melgenre::cli {

std::variant<ClipBench, int> load_clip_bench(const char* command, int argc, char** argv, int default_runs,
                                             const char* usage) {
  auto parsed = parse_args(argc, argv, {{"runs"}});
  if (!parsed) {
    std::fprintf(stderr, "%s: %s\n", command, parsed.error().message.c_str());
    return kExitUsage;
  }
  if (parsed->has("help")) {
    std::printf("%s", usage);
    return kExitOk;
  }
  auto runs = parsed->int_or("runs", default_runs, 1, 100000);
  if (!runs) {
    std::fprintf(stderr, "%s: %s\n", command, runs.error().message.c_str());
    return kExitUsage;
  }
  if (parsed->positional().size() != 1) {
    std::fprintf(stderr, "%s: expected one audio FILE (see --help)\n", command);
    return kExitUsage;
  }
  ClipBench clip;
  clip.path = parsed->positional()[0];
  clip.runs = *runs;
  DecodeOptions options;
  options.target_rate = 22050;
  auto audio = decode_file(clip.path, options);
  if (!audio) {
    std::fprintf(stderr, "%s: %s\n", command, audio.error().message.c_str());
    return kExitBadInput;
  }
  if (audio->samples.empty()) {
    std::fprintf(stderr, "%s: %s: no samples\n", command, clip.path.c_str());
    return kExitBadInput;
  }
  clip.audio = std::move(*audio);
  return clip;
}

}  // namespace melgenre::cli
