// `melgenre features`: decode audio, compute STFT magnitudes / mel / MFCC as librosa 0.10 does, write
// float32 .npy files in librosa's (bins, frames) layout. `--kind summary` is handed to
// cmd_features_summary.cpp untouched.
#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "input_bytes.hpp"
#include "file_walk.hpp"
#include "melgenre/audio.hpp"
#include "melgenre/features.hpp"
#include "npy.hpp"

namespace melgenre::cli {
namespace {

void print_usage(std::FILE* out) {
  std::fprintf(out,
      "usage: melgenre features [options] --out OUT.npy FILE\n"
      "       melgenre features [options] --out-dir DIR FILE|DIR...\n\n"
      "Writes float32 .npy arrays of shape (bins, frames), librosa 0.10's layout and numbers.\n"
      "FILE is WAV, AU, MP3 or Ogg Vorbis (detected by content); '-' reads stdin.\n\n"
      "options:\n"
      "  --kind stft|mel|mfcc|summary  what to compute (default mel)\n"
      "                                stft: |STFT| magnitudes, n_fft/2+1 rows\n"
      "                                mel: mel spectrogram, n_mels rows (power unless --db)\n"
      "                                mfcc: DCT-II (ortho) of power_to_db(mel, ref=1, top_db=80)\n"
      "                                summary: the 57-feature GTZAN row ('features --kind summary --help')\n"
      "  --sr N           resample to N Hz first (default 22050)\n"
      "  --n-fft N        FFT size (default 2048)\n"
      "  --hop N          hop length in samples (default 512)\n"
      "  --n-mels N       mel bands (default 128)\n"
      "  --n-mfcc N       MFCC coefficients (default 20)\n"
      "  --fmin HZ        lowest mel band edge (default 0)\n"
      "  --fmax HZ        highest mel band edge (default sr/2)\n"
      "  --htk            HTK mel scale instead of Slaney's (librosa's htk=True)\n"
      "  --pad constant|reflect   padding of the centred frames (default constant, as librosa 0.10)\n"
      "  --db none|ref1|refmax    mel only: none = power (default, like librosa.feature.melspectrogram),\n"
      "                           ref1/refmax = power_to_db(ref=1.0 / ref=max, amin=1e-10, top_db=80)\n"
      "  --out FILE       output .npy for a single input ('-' = stdout)\n"
      "  --out-dir DIR    one DIR/<name>.npy per input (name = file name without an extension such as\n"
      "                   .wav); folders are walked recursively; one process for many files\n"
      "  --help           this text\n\n"
      "exit status: 0 ok, 1 usage error, 2 an input could not be decoded or an output not written\n");
}

bool wants_summary(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--")) return false;
    if (!std::strcmp(argv[i], "--kind=summary")) return true;
    if (!std::strcmp(argv[i], "--kind") && i + 1 < argc && !std::strcmp(argv[i + 1], "summary")) return true;
  }
  return false;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "melgenre features: %s\n(see 'melgenre features --help')\n", message.c_str());
  return kExitUsage;
}

// "blues.00000.wav" -> "blues.00000": drops a final extension only if it looks like one (has a letter),
// so numbered names without an extension keep their number.
std::string output_stem(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  const auto dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0 && name.size() - dot - 1 <= 5) {
    bool has_letter = false;
    for (size_t i = dot + 1; i < name.size(); ++i) has_letter |= std::isalpha(static_cast<unsigned char>(name[i])) != 0;
    if (has_letter) name.resize(dot);
  }
  return name;
}

std::string with_name(const std::string& message, const std::string& path) {
  const std::string shown = path == "-" ? "<stdin>" : path;
  return message.find(shown) != std::string::npos ? message : shown + ": " + message;
}

}  // namespace

int run_features(int argc, char** argv) {
  if (wants_summary(argc, argv)) return run_features_summary(argc, argv);

  auto parsed = parse_args(argc, argv,
                           {{"kind"}, {"n-fft"}, {"hop"}, {"n-mels"}, {"n-mfcc"}, {"pad"}, {"db"}, {"sr"},
                            {"fmin"}, {"fmax"}, {"htk", false}, {"out"}, {"out-dir"}});
  if (!parsed) return usage_error(parsed.error().message);
  const Args& args = *parsed;
  if (args.has("help")) {
    print_usage(stdout);
    return kExitOk;
  }

  FeatureRecipe recipe;
  const std::string kind = args.value_or("kind", "mel");
  if (kind == "stft") recipe.kind = FeatureKind::stft;
  else if (kind == "mel") recipe.kind = FeatureKind::mel;
  else if (kind == "mfcc") recipe.kind = FeatureKind::mfcc;
  else return usage_error("--kind must be stft, mel, mfcc or summary, got '" + kind + "'");

  auto sr = args.int_or("sr", 22050, 1000, 384000);
  auto n_fft = args.int_or("n-fft", 2048, 2, 65536);
  auto hop = args.int_or("hop", 512, 1, 65536);
  auto n_mels = args.int_or("n-mels", 128, 1, 4096);
  auto n_mfcc = args.int_or("n-mfcc", 20, 1, 4096);
  for (const Expected<int>* v : {&sr, &n_fft, &hop, &n_mels, &n_mfcc})
    if (!*v) return usage_error(v->error().message);
  recipe.sample_rate = *sr;
  recipe.stft.n_fft = *n_fft;
  recipe.stft.hop = *hop;
  recipe.n_mels = *n_mels;
  recipe.n_mfcc = *n_mfcc;
  const double nyquist = *sr / 2.0;
  auto fmin = args.number_or("fmin", 0.0, 0.0, nyquist);
  if (!fmin) return usage_error(fmin.error().message);
  auto fmax = args.number_or("fmax", nyquist, 0.0, nyquist);
  if (!fmax) return usage_error(fmax.error().message);
  if (!(*fmax > *fmin)) return usage_error("--fmax must be above --fmin");
  if ((args.has("fmin") || args.has("fmax") || args.has("htk")) && recipe.kind == FeatureKind::stft)
    return usage_error("--fmin, --fmax and --htk apply to --kind mel and mfcc only");
  recipe.fmin = float(*fmin);
  if (args.has("fmax")) recipe.fmax = float(*fmax);  // else -1: sr/2 exactly as the default recipe
  recipe.htk = args.has("htk");

  const std::string pad = args.value_or("pad", "constant");
  if (pad == "constant") recipe.stft.pad = PadMode::constant;
  else if (pad == "reflect") recipe.stft.pad = PadMode::reflect;
  else return usage_error("--pad must be constant or reflect, got '" + pad + "'");

  const std::string db = args.value_or("db", "none");
  if (db == "none") recipe.db = DbMode::none;
  else if (db == "ref1") recipe.db = DbMode::ref1;
  else if (db == "refmax") recipe.db = DbMode::refmax;
  else return usage_error("--db must be none, ref1 or refmax, got '" + db + "'");
  if (args.has("db") && recipe.kind != FeatureKind::mel) return usage_error("--db applies to --kind mel only");

  auto extractor = FeatureExtractor::create(recipe);
  if (!extractor) return usage_error(extractor.error().message);

  const auto out = args.value("out");
  const auto out_dir = args.value("out-dir");
  if (out.has_value() == out_dir.has_value()) return usage_error("give exactly one of --out FILE or --out-dir DIR");
  if (args.positional().empty()) return usage_error("no input file");

  // (input, output) pairs.
  std::vector<std::pair<std::string, std::string>> jobs;
  int status = kExitOk;
  if (out) {
    if (args.positional().size() != 1)
      return usage_error("--out takes exactly one input file (use --out-dir for several)");
    jobs.emplace_back(args.positional()[0], *out);
  } else {
    WalkResult walk = expand_paths(args.positional());
    for (const auto& e : walk.errors) std::fprintf(stderr, "melgenre features: %s\n", e.c_str());
    if (!walk.errors.empty()) status = kExitBadInput;
    std::map<std::string, std::string> seen;  // output -> input
    for (const auto& in : walk.files) {
      if (in == "-") return usage_error("'-' (stdin) needs --out, not --out-dir");
      const std::string dst = *out_dir + "/" + output_stem(in) + ".npy";
      auto [it, fresh] = seen.emplace(dst, in);
      if (!fresh) return usage_error("'" + in + "' and '" + it->second + "' would both write " + dst);
      jobs.emplace_back(in, dst);
    }
  }

  FeatureMatrix m;
  for (const auto& [in, dst] : jobs) {
    auto audio = decode_input(in, DecodeOptions{recipe.sample_rate, 0});
    if (!audio) {
      std::fprintf(stderr, "melgenre features: %s\n", with_name(audio.error().message, in).c_str());
      status = kExitBadInput;
      continue;
    }
    auto st = extractor->compute(audio->samples.data(), audio->samples.size(), m);
    if (!st) {
      std::fprintf(stderr, "melgenre features: %s\n", with_name(st.error().message, in).c_str());
      status = kExitBadInput;
      continue;
    }
    auto written = write_feature_matrix_npy(dst, m);
    if (!written) {
      std::fprintf(stderr, "melgenre features: %s\n", written.error().message.c_str());
      status = kExitBadInput;
    }
  }
  return status;
}

}  // namespace melgenre::cli
