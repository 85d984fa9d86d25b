// `melgenre features --kind summary [--format csv|json] FILE...`: the 57-feature GTZAN row of each
// file, with the public table's column order (filename, length, chroma_stft_mean ... mfcc20_var).
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "input_bytes.hpp"
#include "file_walk.hpp"
#include "melgenre/audio.hpp"
#include "melgenre/summary.hpp"

namespace melgenre::cli {
namespace {

constexpr int kTableRate = 22050;

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: melgenre features --kind summary [--format csv|json] [--resample] FILE|DIR|- ...\n\n"
               "The 57 summary features of the public GTZAN table (librosa 0.8 recipe): chroma_stft, rms,\n"
               "spectral centroid/bandwidth/rolloff, zero-crossing rate, harmonic/percussive waveforms\n"
               "(mean, variance), tempo and MFCC 1-20 (mean, variance). Folders are walked recursively.\n\n"
               "  --format csv   header 'filename,length,chroma_stft_mean,...,mfcc20_var', one row per file (default)\n"
               "  --format json  one JSON object per line\n"
               "  --resample     resample files that are not 22050 Hz (otherwise they are refused: the table's\n"
               "                 numbers exist only at 22050 Hz)\n"
               "  --help         this text\n\n"
               "exit status: 0 ok, 1 usage error, 2 some input could not be used (reported on stderr, skipped)\n");
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "melgenre features --kind summary: %s\n(see 'melgenre features --kind summary --help')\n",
               message.c_str());
  return kExitUsage;
}

std::string base_name(const std::string& path) {
  if (path == "-") return "-";
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Shortest text that reads back as the same double.
std::string number(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += char(c);
    else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else out += char(c);
  }
  return out + "\"";
}

std::string with_name(const std::string& message, const std::string& path) {
  const std::string shown = path == "-" ? "<stdin>" : path;
  return message.find(shown) != std::string::npos ? message : shown + ": " + message;
}

}  // namespace

int run_features_summary(int argc, char** argv) {
  auto parsed = parse_args(argc, argv, {{"kind"}, {"format"}, {"resample", false}});
  if (!parsed) return usage_error(parsed.error().message);
  const Args& args = *parsed;
  if (args.has("help")) {
    print_usage(stdout);
    return kExitOk;
  }
  if (args.value_or("kind", "summary") != "summary") return usage_error("--kind must be summary here");
  const std::string format = args.value_or("format", "csv");
  if (format != "csv" && format != "json") return usage_error("--format must be csv or json, got '" + format + "'");
  if (args.positional().empty()) return usage_error("no input files");

  WalkResult walk = expand_paths(args.positional());
  bool failed = false;
  for (const auto& e : walk.errors) {
    std::fprintf(stderr, "melgenre features: %s\n", e.c_str());
    failed = true;
  }
  auto extractor = SummaryExtractor::create();
  if (!extractor) {
    std::fprintf(stderr, "melgenre features: %s\n", extractor.error().message.c_str());
    return kExitBadInput;
  }
  const auto& columns = summary_column_names();
  if (format == "csv") {
    std::string header = "filename,length";
    for (const auto& c : columns) header += "," + c;
    std::printf("%s\n", header.c_str());
  }
  std::vector<double> row;
  for (const auto& path : walk.files) {
    auto audio = decode_input(path, DecodeOptions{args.has("resample") ? kTableRate : 0, 0});
    if (!audio) {
      std::fprintf(stderr, "melgenre features: %s\n", with_name(audio.error().message, path).c_str());
      failed = true;
      continue;
    }
    if (audio->sample_rate != kTableRate) {
      std::fprintf(stderr, "melgenre features: %s: %d Hz audio; the table's features exist only at %d Hz (pass "
                   "--resample to convert)\n", path == "-" ? "<stdin>" : path.c_str(), audio->sample_rate, kTableRate);
      failed = true;
      continue;
    }
    auto done = extractor->compute(audio->samples.data(), audio->samples.size(), audio->sample_rate, row);
    if (!done) {
      std::fprintf(stderr, "melgenre features: %s\n", with_name(done.error().message, path).c_str());
      failed = true;
      continue;
    }
    const std::string name = base_name(path);
    std::string line;
    if (format == "csv") {
      line = csv_field(name) + "," + std::to_string(audio->samples.size());
      for (double v : row) line += "," + number(v);
    } else {
      line = "{\"filename\":" + json_string(name) + ",\"length\":" + std::to_string(audio->samples.size());
      for (size_t i = 0; i < columns.size(); ++i) line += ",\"" + columns[i] + "\":" + number(row[i]);
      line += "}";
    }
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  return failed ? kExitBadInput : kExitOk;
}

}  // namespace melgenre::cli
