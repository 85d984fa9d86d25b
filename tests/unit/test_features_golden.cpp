// Parity with librosa 0.10.2 on the reference arrays in MELGENRE_DATA_DIR/librosa-golden (both clips,
// every file). Mel power arrays are compared in dB (10*log10, floored 80 dB below the reference's peak,
// i.e. the range any dB feature keeps), with the same 0.005 dB bound as the dB arrays.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "catch.hpp"
#include "melgenre/features.hpp"
#include "npy_reader.hpp"

using namespace melgenre;
using melgenre::test::NpyArray;
using melgenre::test::read_npy_f32;

namespace {

const std::string kGolden = std::string(MELGENRE_DATA_DIR) + "/librosa-golden/";
const std::string kClipDir = std::string(MELGENRE_DATA_DIR) + "/gtzan-mini/genres/";

// Test-local reader for the two 16-bit PCM mono clips (independent of the core's decoders), scaled as
// librosa: int16 / 32768.
std::vector<float> read_pcm16_wav(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto u32 = [&](size_t at) {
    return uint32_t(uint8_t(bytes[at])) | uint32_t(uint8_t(bytes[at + 1])) << 8 |
           uint32_t(uint8_t(bytes[at + 2])) << 16 | uint32_t(uint8_t(bytes[at + 3])) << 24;
  };
  std::vector<float> y;
  if (bytes.size() < 12 || std::string(bytes.data(), 4) != "RIFF") return y;
  size_t pos = 12;
  while (pos + 8 <= bytes.size()) {
    const std::string id(bytes.data() + pos, 4);
    const size_t len = u32(pos + 4);
    if (id == "data") {
      const size_t n = std::min(len, bytes.size() - pos - 8) / 2;
      y.resize(n);
      for (size_t i = 0; i < n; ++i) {
        const size_t at = pos + 8 + 2 * i;
        const int16_t v = int16_t(uint16_t(uint8_t(bytes[at])) | uint16_t(uint8_t(bytes[at + 1])) << 8);
        y[i] = float(v) / 32768.f;
      }
      return y;
    }
    pos += 8 + len + (len & 1);
  }
  return y;
}

std::vector<float> load_clip(const std::string& clip) {
  const std::string genre = clip.substr(0, clip.find('.'));
  return read_pcm16_wav(kClipDir + genre + "/" + clip + ".wav");
}

NpyArray golden(const std::string& name) {
  NpyArray a = read_npy_f32(kGolden + name + ".npy");
  INFO(a.error);
  REQUIRE(a.error.empty());
  return a;
}

FeatureMatrix extract(const std::vector<float>& y, FeatureRecipe r) {
  auto fx = FeatureExtractor::create(r);
  REQUIRE(fx.ok());
  FeatureMatrix m;
  auto st = fx->compute(y.data(), y.size(), m);
  REQUIRE(st.ok());
  return m;
}

// Max |ours - golden| over every cell; golden is (bins, frames), ours [frame][bin].
double max_abs_error(const FeatureMatrix& ours, const NpyArray& ref) {
  REQUIRE(ref.rows() == size_t(ours.n_bins));
  REQUIRE(ref.cols() == size_t(ours.n_frames));
  double worst = 0;
  for (int t = 0; t < ours.n_frames; ++t)
    for (int b = 0; b < ours.n_bins; ++b)
      worst = std::max(worst, std::fabs(double(ours.at(t, b)) - ref.at(size_t(b), size_t(t))));
  return worst;
}

double max_db_error(const FeatureMatrix& ours, const NpyArray& ref) {
  REQUIRE(ref.rows() == size_t(ours.n_bins));
  REQUIRE(ref.cols() == size_t(ours.n_frames));
  const double peak = *std::max_element(ref.data.begin(), ref.data.end());
  const double floor_db = 10.0 * std::log10(std::max(peak, 1e-10)) - 80.0;
  auto db = [&](double p) { return std::max(10.0 * std::log10(std::max(p, 1e-10)), floor_db); };
  double worst = 0;
  for (int t = 0; t < ours.n_frames; ++t)
    for (int b = 0; b < ours.n_bins; ++b)
      worst = std::max(worst, std::fabs(db(ours.at(t, b)) - db(ref.at(size_t(b), size_t(t)))));
  return worst;
}

void report(const std::string& name, double err, const char* unit) {
  std::printf("  %-48s max error %.3g %s\n", name.c_str(), err, unit);
}

FeatureRecipe mel_recipe(int n_fft, int hop, int n_mels, PadMode pad, DbMode db) {
  FeatureRecipe r;
  r.kind = FeatureKind::mel;
  r.stft.n_fft = n_fft;
  r.stft.hop = hop;
  r.stft.pad = pad;
  r.n_mels = n_mels;
  r.db = db;
  return r;
}

}  // namespace

TEST_CASE("mel filterbanks equal librosa.filters.mel to 1e-6") {
  struct Case { const char* file; int n_fft, n_mels; };
  for (Case c : {Case{"filters_mel_sr22050_nfft2048_nmels128", 2048, 128},
                 Case{"filters_mel_sr22050_nfft512_nmels64", 512, 64}}) {
    NpyArray ref = golden(c.file);
    MelParams p;
    p.n_fft = c.n_fft;
    p.n_mels = c.n_mels;
    auto fb = MelFilterbank::create(p);
    REQUIRE(fb.ok());
    REQUIRE(ref.rows() == size_t(c.n_mels));
    REQUIRE(ref.cols() == size_t(fb->n_bins()));
    double worst = 0;
    for (size_t i = 0; i < ref.data.size(); ++i)
      worst = std::max(worst, std::fabs(double(fb->weights()[i]) - ref.data[i]));
    report(c.file, worst, "abs");
    CHECK(worst <= 1e-6);
  }
}

TEST_CASE("STFT, mel, dB and MFCC match librosa on both golden clips") {
  const std::string clip = GENERATE(as<std::string>(), "blues.00000", "classical.00001");
  {
    const std::vector<float> y = load_clip(clip);
    REQUIRE(y.size() == 661794);
    INFO(clip);

    SECTION("STFT magnitudes within 1e-5 of each frame's max") {
      for (PadMode pad : {PadMode::constant, PadMode::reflect}) {
        const std::string name = clip + ".stft_mag_first10" + (pad == PadMode::reflect ? "_reflect" : "");
        NpyArray ref = golden(name);
        StftParams sp;
        sp.pad = pad;
        auto stft = Stft::create(sp);
        REQUIRE(stft.ok());
        FeatureMatrix mag;
        stft->magnitude(y.data(), y.size(), mag);
        REQUIRE(mag.n_frames == 1293);
        double worst = 0;
        for (size_t t = 0; t < ref.cols(); ++t) {
          double frame_max = 0, frame_err = 0;
          for (size_t b = 0; b < ref.rows(); ++b) {
            frame_max = std::max(frame_max, double(ref.at(b, t)));
            frame_err = std::max(frame_err, std::fabs(double(mag.at(int(t), int(b))) - ref.at(b, t)));
          }
          worst = std::max(worst, frame_err / frame_max);
        }
        report(name, worst, "of frame max");
        CHECK(worst <= 1e-5);
      }
    }

    SECTION("mel power spectrograms (compared in dB)") {
      struct Case { const char* suffix; int n_fft, hop, n_mels; PadMode pad; };
      for (Case c : {Case{".mel128_power", 2048, 512, 128, PadMode::constant},
                     Case{".mel128_power_reflect", 2048, 512, 128, PadMode::reflect},
                     Case{".mel64_nfft512_hop256_power", 512, 256, 64, PadMode::constant}}) {
        NpyArray ref = golden(clip + c.suffix);
        FeatureMatrix m = extract(y, mel_recipe(c.n_fft, c.hop, c.n_mels, c.pad, DbMode::none));
        const double err = max_db_error(m, ref);
        report(clip + c.suffix, err, "dB");
        CHECK(err <= 0.005);
      }
    }

    SECTION("dB mel spectrograms") {
      struct Case { const char* suffix; int n_fft, hop, n_mels; DbMode db; };
      for (Case c : {Case{".mel128_db_ref1", 2048, 512, 128, DbMode::ref1},
                     Case{".mel128_db_refmax", 2048, 512, 128, DbMode::refmax},
                     Case{".mel64_nfft512_hop256_db_refmax", 512, 256, 64, DbMode::refmax}}) {
        NpyArray ref = golden(clip + c.suffix);
        FeatureMatrix m = extract(y, mel_recipe(c.n_fft, c.hop, c.n_mels, PadMode::constant, c.db));
        const double err = max_abs_error(m, ref);
        report(clip + c.suffix, err, "dB");
        CHECK(err <= 0.005);
      }
    }

    SECTION("MFCC") {
      for (PadMode pad : {PadMode::constant, PadMode::reflect}) {
        const std::string name = clip + ".mfcc20" + (pad == PadMode::reflect ? "_reflect" : "");
        NpyArray ref = golden(name);
        FeatureRecipe r;
        r.kind = FeatureKind::mfcc;
        r.stft.pad = pad;
        FeatureMatrix m = extract(y, r);
        const double err = max_abs_error(m, ref);
        report(name, err, "abs");
        CHECK(err <= 0.005);
      }
    }
  }
}
