// melgenre eval: track-level accuracy, per-genre recall and the confusion matrix on a folder-per-genre
// tree (folder name = true label).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "confusion_svg.hpp"
#include "default_model.hpp"
#include "file_walk.hpp"
#include "json_output.hpp"
#include "progress.hpp"
#include "track_runner.hpp"

namespace fs = std::filesystem;

namespace melgenre::cli {
namespace {

const char* kUsage =
    "usage: melgenre eval [--model FILE] [--backend auto|reference|simd|xnnpack|vulkan] [--threads N]\n"
    "                     [--format table|json] [--svg FILE] DIR\n"
    "  DIR       one folder per genre (the folder name is the true label; it must be a label of the model)\n"
    "  --model   model file (default: $MELGENRE_MODEL, else models/default.mgm next to the binary)\n"
    "  --format  table (default) or json (one object on one line)\n"
    "  --svg     also draw the confusion matrix into FILE\n"
    "exit code: 0 every track classified, 1 usage error, 2 some input could not be used\n";

struct Labelled {
  std::string file;
  int label = 0;
};

std::string pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%5.1f %%", 100.0 * v);
  return buf;
}

}  // namespace

int run_eval(int argc, char** argv) {
  auto args = parse_args(argc, argv, {{"model"}, {"backend"}, {"threads"}, {"format"}, {"svg"}});
  if (!args) {
    std::fprintf(stderr, "melgenre eval: %s\n\n%s", args.error().message.c_str(), kUsage);
    return kExitUsage;
  }
  if (args->has("help")) {
    std::printf("%s", kUsage);
    return kExitOk;
  }
  const std::string format = args->value_or("format", "table");
  if (format != "table" && format != "json") {
    std::fprintf(stderr, "melgenre eval: --format must be table or json, got '%s'\n", format.c_str());
    return kExitUsage;
  }
  unsigned hw = std::thread::hardware_concurrency();
  auto threads = args->int_or("threads", int(hw == 0 ? 1 : std::min(hw, 16u)), 1, 256);
  if (!threads) {
    std::fprintf(stderr, "melgenre eval: %s\n", threads.error().message.c_str());
    return kExitUsage;
  }
  if (args->positional().size() != 1) {
    std::fprintf(stderr, "melgenre eval: expects exactly one DIR\n\n%s", kUsage);
    return kExitUsage;
  }
  const std::string dir = args->positional()[0];

  int exit_code = kExitOk;
  std::optional<CommandModel> model = open_command_model("eval", *args, exit_code);
  if (!model) return exit_code;
  const std::string backend_name = args->value_or("backend", "auto");
  const std::vector<std::string>& labels = model->labels;
  const size_t n = labels.size();

  // Genre folders -> labelled files.
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    std::fprintf(stderr, "melgenre eval: %s: not a directory\n", dir.c_str());
    return kExitBadInput;
  }
  std::vector<std::string> folders;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (it->is_directory(ec))
      folders.push_back(name);
    else
      std::fprintf(stderr, "%s: not inside a genre folder, skipped\n", it->path().string().c_str());
  }
  if (ec) {
    std::fprintf(stderr, "melgenre eval: %s: cannot list: %s\n", dir.c_str(), ec.message().c_str());
    return kExitBadInput;
  }
  std::sort(folders.begin(), folders.end());
  if (folders.empty()) {
    std::fprintf(stderr, "melgenre eval: %s holds no genre folders\n", dir.c_str());
    return kExitBadInput;
  }
  std::vector<Labelled> tracks;
  bool failed = false;
  for (const auto& f : folders) {
    auto it = std::find(labels.begin(), labels.end(), f);
    if (it == labels.end()) {
      std::string list;
      for (const auto& l : labels) list += (list.empty() ? "" : " ") + l;
      std::fprintf(stderr, "melgenre eval: %s: folder '%s' is not a label of the model (labels: %s)\n",
                   (fs::path(dir) / f).string().c_str(), f.c_str(), list.c_str());
      return kExitBadInput;
    }
    WalkResult w = expand_paths({(fs::path(dir) / f).string()});
    for (const auto& e : w.errors) {
      std::fprintf(stderr, "%s\n", e.c_str());
      failed = true;
    }
    for (const auto& file : w.files) tracks.push_back({file, int(it - labels.begin())});
  }
  if (tracks.empty()) {
    std::fprintf(stderr, "melgenre eval: no audio files under %s\n", dir.c_str());
    return kExitBadInput;
  }

  std::vector<TrackJob> jobs;
  for (const auto& t : tracks) jobs.push_back({t.file, nullptr});
  std::vector<std::vector<long>> confusion(n, std::vector<long>(n, 0));
  long classified = 0, correct = 0, failures = 0;
  ClassifierOptions options;
  options.backend = backend_name;
  Progress progress(jobs.size());
  size_t finished = 0;
  auto ran = run_tracks(model->bytes, options, plan_threads(*threads, jobs.size()), jobs,
                        [&](size_t i, const TrackOutcome& o) {
                          progress.clear();
                          if (o.result) {
                            const int truth = tracks[i].label, guess = o.result->top;
                            ++confusion[size_t(truth)][size_t(guess)];
                            ++classified;
                            correct += truth == guess;
                          } else {
                            const std::string& name = tracks[i].file;
                            const bool named = o.error.rfind(name + ":", 0) == 0;
                            std::fprintf(stderr, "%s%s\n", named ? "" : (name + ": ").c_str(), o.error.c_str());
                            ++failures;
                          }
                          progress.update(++finished, tracks[i].file);
                        });
  progress.clear();
  if (!ran) {
    std::fprintf(stderr, "melgenre eval: %s\n", ran.error().message.c_str());
    const Status st = ran.error().status;
    return st == Status::invalid_argument || st == Status::backend_unavailable ? kExitUsage : kExitBadInput;
  }
  failed = failed || failures > 0;

  const double accuracy = classified ? double(correct) / double(classified) : 0.0;
  std::vector<long> row_total(n, 0);
  for (size_t i = 0; i < n; ++i)
    for (long v : confusion[i]) row_total[i] += v;

  if (format == "json") {
    std::string s = "{\"accuracy\":" + json_number(accuracy) + ",\"tracks\":" + std::to_string(classified) +
                    ",\"correct\":" + std::to_string(correct) + ",\"failed\":" + std::to_string(failures) +
                    ",\"backend\":" + json_string(*ran) + ",\"labels\":[";
    for (size_t i = 0; i < n; ++i) s += (i ? "," : "") + json_string(labels[i]);
    s += "],\"per_genre\":{";
    for (size_t i = 0; i < n; ++i) {
      const std::string recall = row_total[i] ? json_number(double(confusion[i][i]) / double(row_total[i])) : "null";
      s += (i ? "," : "") + json_string(labels[i]) + ":{\"recall\":" + recall + ",\"correct\":" +
           std::to_string(confusion[i][i]) + ",\"tracks\":" + std::to_string(row_total[i]) + "}";
    }
    s += "},\"confusion\":[";
    for (size_t i = 0; i < n; ++i) {
      s += i ? ",[" : "[";
      for (size_t j = 0; j < n; ++j) s += (j ? "," : "") + std::to_string(confusion[i][j]);
      s += "]";
    }
    s += "]}";
    std::printf("%s\n", s.c_str());
  } else {
    std::printf("accuracy %s  (%ld of %ld tracks, %ld failed; backend %s)\n\n", pct(accuracy).c_str(), correct,
                classified, failures, ran->c_str());
    std::printf("%-12s %8s  %s\n", "genre", "recall", "tracks");
    for (size_t i = 0; i < n; ++i)
      std::printf("%-12s %8s  %ld/%ld\n", labels[i].c_str(),
                  row_total[i] ? pct(double(confusion[i][i]) / double(row_total[i])).c_str() : "    -", confusion[i][i],
                  row_total[i]);
    std::printf("\nconfusion matrix (rows = true genre, columns = predicted)\n%-12s", "");
    for (size_t j = 0; j < n; ++j) std::printf(" %5.5s", labels[j].c_str());
    std::printf("\n");
    for (size_t i = 0; i < n; ++i) {
      std::printf("%-12s", labels[i].c_str());
      for (size_t j = 0; j < n; ++j) std::printf(" %5ld", confusion[i][j]);
      std::printf("\n");
    }
  }
  std::fflush(stdout);

  if (auto svg_path = args->value("svg")) {
    char title[128];
    std::snprintf(title, sizeof title, "%s: accuracy %.1f %% on %ld tracks", model->name.c_str(), 100.0 * accuracy,
                  classified);
    const std::string svg = confusion_svg(labels, confusion, title);
    std::FILE* f = std::fopen(svg_path->c_str(), "wb");
    if (!f || std::fwrite(svg.data(), 1, svg.size(), f) != svg.size()) {
      std::fprintf(stderr, "melgenre eval: %s: cannot write the SVG\n", svg_path->c_str());
      if (f) std::fclose(f);
      return kExitBadInput;
    }
    std::fclose(f);
  }
  return failed ? kExitBadInput : kExitOk;
}

}  // namespace melgenre::cli
