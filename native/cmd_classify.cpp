// melgenre classify: genre of audio files, folders (recursed) or stdin, as a table, JSON lines or CSV.
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "default_model.hpp"
#include "file_walk.hpp"
#include "json_output.hpp"
#include "progress.hpp"
#include "track_runner.hpp"

namespace melgenre::cli {
namespace {

const char* kUsage =
    "usage: melgenre classify [--model FILE] [--backend auto|reference|simd|xnnpack|vulkan] [--threads N]\n"
    "                         [--format table|json|csv] [--segments] PATH...\n"
    "  PATH      audio files (WAV, AU, MP3, OGG; detected from content) or folders (recursed); '-' reads stdin\n"
    "  --model   model file (default: $MELGENRE_MODEL, else models/default.mgm next to the binary)\n"
    "  --backend inference backend (default auto: the fastest built in)\n"
    "  --threads worker threads (default: the number of CPUs)\n"
    "  --format  table (default), json (one object per line) or csv\n"
    "  --segments also print every segment's scores\n"
    "exit code: 0 all classified, 1 usage error, 2 some input could not be used\n";

int default_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return int(n == 0 ? 1 : n > 16 ? 16 : n);
}

// "name: reason", without repeating the name when the core's message already starts with it.
std::string failure_line(const std::string& name, const std::string& error) {
  if (error.rfind(name + ":", 0) == 0) return error;
  return name + ": " + error;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

int best(const std::vector<float>& s) {
  int top = 0;
  for (size_t i = 1; i < s.size(); ++i)
    if (s[i] > s[size_t(top)]) top = int(i);
  return top;
}

enum class Format { table, json, csv };

void print_result(Format format, bool segments, const std::vector<std::string>& labels, const std::string& name,
                  const TrackResult& r) {
  const std::string& genre = labels[size_t(r.top)];
  switch (format) {
    case Format::json: {
      std::string line = "{\"file\":" + json_string(name) + ",\"genre\":" + json_string(genre) +
                         ",\"confidence\":" + json_number(r.confidence) + ",\"scores\":" + json_scores(labels, r.scores);
      if (segments) {
        line += ",\"segments\":[";
        for (size_t i = 0; i < r.segments.size(); ++i) {
          const auto& s = r.segments[i];
          line += std::string(i ? "," : "") + "{\"start\":" + json_number(s.start) + ",\"end\":" + json_number(s.end) +
                  ",\"scores\":" + json_scores(labels, s.scores) + "}";
        }
        line += "]";
      }
      std::printf("%s}\n", line.c_str());
      break;
    }
    case Format::csv: {
      std::string row = csv_field(name) + (segments ? ",," : "") + "," + csv_field(genre) + "," +
                        fmt("%.6g", r.confidence);
      for (float s : r.scores) row += "," + fmt("%.6g", s);
      std::printf("%s\n", row.c_str());
      if (segments)
        for (const auto& s : r.segments) {
          const int t = best(s.scores);
          std::string srow = csv_field(name) + "," + fmt("%.3f", s.start) + "," + fmt("%.3f", s.end) + "," +
                             csv_field(labels[size_t(t)]) + "," + fmt("%.6g", s.scores[size_t(t)]);
          for (float v : s.scores) srow += "," + fmt("%.6g", v);
          std::printf("%s\n", srow.c_str());
        }
      break;
    }
    case Format::table: {
      // Runner-up in brackets: a quick feel for how sure the model is.
      int second = r.top == 0 ? 1 : 0;
      for (size_t i = 0; i < r.scores.size(); ++i)
        if (int(i) != r.top && r.scores[i] > r.scores[size_t(second)]) second = int(i);
      std::string alt = r.scores.size() > 1
                            ? "(" + labels[size_t(second)] + " " + fmt("%.0f%%", 100.0 * r.scores[size_t(second)]) + ")"
                            : "";
      std::printf("%-10s %5.1f%%  %-18s %s\n", genre.c_str(), 100.0 * r.confidence, alt.c_str(), name.c_str());
      if (segments)
        for (const auto& s : r.segments) {
          const int t = best(s.scores);
          std::printf("    %7.2f-%7.2f s  %-10s %5.1f%%\n", s.start, s.end, labels[size_t(t)].c_str(),
                      100.0 * s.scores[size_t(t)]);
        }
      break;
    }
  }
  std::fflush(stdout);
}

}  // namespace

int run_classify(int argc, char** argv) {
  auto args = parse_args(argc, argv,
                         {{"model"}, {"backend"}, {"threads"}, {"format"}, {"segments", false}});
  if (!args) {
    std::fprintf(stderr, "melgenre classify: %s\n\n%s", args.error().message.c_str(), kUsage);
    return kExitUsage;
  }
  if (args->has("help")) {
    std::printf("%s", kUsage);
    return kExitOk;
  }
  const std::string format_name = args->value_or("format", "table");
  Format format;
  if (format_name == "table") format = Format::table;
  else if (format_name == "json") format = Format::json;
  else if (format_name == "csv") format = Format::csv;
  else {
    std::fprintf(stderr, "melgenre classify: --format must be table, json or csv, got '%s'\n", format_name.c_str());
    return kExitUsage;
  }
  auto threads = args->int_or("threads", default_threads(), 1, 256);
  if (!threads) {
    std::fprintf(stderr, "melgenre classify: %s\n", threads.error().message.c_str());
    return kExitUsage;
  }
  if (args->positional().empty()) {
    std::fprintf(stderr, "melgenre classify: no input: give audio files, folders or '-'\n\n%s", kUsage);
    return kExitUsage;
  }
  const bool segments = args->has("segments");

  int exit_code = kExitOk;
  std::optional<CommandModel> model = open_command_model("classify", *args, exit_code);
  if (!model) return exit_code;
  const std::string backend_name = args->value_or("backend", "auto");
  const std::vector<std::string>& labels = model->labels;

  WalkResult walk = expand_paths(args->positional());
  bool failed = false;
  for (const auto& e : walk.errors) {
    std::fprintf(stderr, "%s\n", e.c_str());
    failed = true;
  }
  std::optional<std::vector<uint8_t>> stdin_bytes;
  std::vector<TrackJob> jobs;
  for (const auto& f : walk.files) {
    TrackJob job;
    job.name = f;
    if (f == "-") {
      if (stdin_bytes) {
        std::fprintf(stderr, "-: standard input given twice\n");
        failed = true;
        continue;
      }
      auto in = read_stdin(kMaxStdinBytes);
      if (!in) {
        std::fprintf(stderr, "%s\n", in.error().message.c_str());
        failed = true;
        continue;
      }
      stdin_bytes = std::move(*in);
      job.bytes = &*stdin_bytes;
    }
    jobs.push_back(job);
  }
  if (jobs.empty()) {
    if (!failed) std::fprintf(stderr, "melgenre classify: no audio files found\n");
    return kExitBadInput;
  }

  ClassifierOptions options;
  options.backend = backend_name;
  Progress progress(jobs.size());
  if (format == Format::csv) {
    std::string header = segments ? "file,start,end,genre,confidence" : "file,genre,confidence";
    for (const auto& l : labels) header += "," + csv_field(l);
    std::printf("%s\n", header.c_str());
  }
  size_t finished = 0;
  auto ran = run_tracks(model->bytes, options, plan_threads(*threads, jobs.size()), jobs,
                        [&](size_t i, const TrackOutcome& o) {
                          progress.clear();
                          if (o.result) {
                            print_result(format, segments, labels, jobs[i].name, *o.result);
                          } else {
                            std::fprintf(stderr, "%s\n", failure_line(jobs[i].name, o.error).c_str());
                            failed = true;
                          }
                          progress.update(++finished, jobs[i].name);
                        });
  progress.clear();
  if (!ran) {
    std::fprintf(stderr, "melgenre classify: %s\n", ran.error().message.c_str());
    const Status st = ran.error().status;
    return st == Status::invalid_argument || st == Status::backend_unavailable ? kExitUsage : kExitBadInput;
  }
  return failed ? kExitBadInput : kExitOk;
}

}  // namespace melgenre::cli
