// MP3 (minimp3) and Ogg Vorbis (stb_vorbis). Natively, ffmpeg encodes a generated chirp and a real
// GTZAN clip; the decoded audio must match the source (correlation > 0.9). Like mpg123 (librosa's MP3
// path), the LAME tag's encoder delay and padding are trimmed, so MP3 comes out aligned and exact-length.
// The hand-made silent MP3 stream runs in every build, the wasm one included.
#include <cmath>
#include <cstdlib>

#include "audio_test_files.hpp"
#include "catch.hpp"
#include "melgenre/audio.hpp"

using namespace melgenre;
using namespace melgenre_test;

namespace {

// Best normalised correlation of `got` (shifted left by 0..max_lag) against `want`; reports the lag.
double best_correlation(const std::vector<float>& want, const std::vector<float>& got, size_t max_lag, size_t* lag_out) {
  double best = -1;
  for (size_t lag = 0; lag <= max_lag && lag < got.size(); ++lag) {
    const size_t n = std::min(want.size(), got.size() - lag);
    double xy = 0, xx = 0, yy = 0;
    for (size_t i = 0; i < n; ++i) {
      xy += double(want[i]) * got[i + lag];
      xx += double(want[i]) * want[i];
      yy += double(got[i + lag]) * got[i + lag];
    }
    const double c = xy / std::sqrt(xx * yy + 1e-30);
    if (c > best) {
      best = c;
      if (lag_out) *lag_out = lag;
    }
  }
  return best;
}

}  // namespace

TEST_CASE("A hand-made MP3 stream of silent frames decodes to exact silence") {
  const Bytes mp3 = silent_mp3_frames(40);
  CHECK(sniff_format(mp3.data(), mp3.size()) == AudioFormat::mp3);
  auto a = decode_memory(mp3.data(), mp3.size());
  REQUIRE(a.ok());
  CHECK(a->sample_rate == 44100);
  CHECK(a->samples.size() == 40 * 1152);
  size_t nonzero = 0;
  for (float v : a->samples) nonzero += v != 0.0f;
  CHECK(nonzero == 0);

  SECTION("an ID3v2 tag holding fake frame syncs is skipped") {
    Bytes tagged = {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 100};
    for (int i = 0; i < 100; ++i) tagged.push_back(i % 2 ? 0xFB : 0xFF);
    tagged.insert(tagged.end(), mp3.begin(), mp3.end());
    auto t = decode_memory(tagged.data(), tagged.size());
    REQUIRE(t.ok());
    CHECK(t->samples.size() == 40 * 1152);
  }
  SECTION("pulled in small pieces") {
    auto d = open_decoder(make_memory_source(mp3.data(), mp3.size(), "silence.mp3"));
    REQUIRE(d.ok());
    CHECK((*d)->info().format == AudioFormat::mp3);
    CHECK((*d)->info().sample_rate == 44100);
    CHECK((*d)->info().channels == 1);
    std::vector<float> buf(1000);
    size_t total = 0;
    for (;;) {
      auto got = (*d)->read(buf.data(), 1000);
      REQUIRE(got.ok());
      if (*got == 0) break;
      total += *got;
    }
    CHECK(total == 40 * 1152);
  }
}

#ifndef __EMSCRIPTEN__

TEST_CASE("MP3 and Ogg Vorbis made by ffmpeg decode to the source signal") {
  if (!have_ffmpeg()) {
    WARN("ffmpeg not found: MP3/Ogg round-trips skipped");
    return;
  }
  // A 3 s stereo chirp (200 Hz -> 4 kHz) at 44.1 kHz: no two lags look alike, so the delay is unambiguous.
  const int rate = 44100;
  const size_t n = 3 * size_t(rate);
  std::vector<int64_t> codes;
  std::vector<float> mono(n);
  for (size_t i = 0; i < n; ++i) {
    const double t = double(i) / rate;
    const double phase = 2 * 3.14159265358979 * (200 * t + (3800.0 / 6.0) * t * t);
    const double l = 0.5 * std::sin(phase), r = 0.3 * std::sin(phase + 0.5);
    codes.push_back(int64_t(std::lround(l * 32767)));
    codes.push_back(int64_t(std::lround(r * 32767)));
    mono[i] = (float(codes[2 * i]) / 32768.0f + float(codes[2 * i + 1]) / 32768.0f) / 2;
  }
  WavSpec spec;
  spec.channels = 2;
  spec.sample_rate = rate;
  const std::string wav = temp_path("chirp.wav"), mp3 = temp_path("chirp.mp3"), ogg = temp_path("chirp.ogg");
  REQUIRE(write_file(wav, make_wav(spec, int_samples(codes, 2))));

  SECTION("MP3 (LAME, 128 kbps)") {
    REQUIRE(ffmpeg_encode(wav, mp3, "-c:a libmp3lame -b:a 128k"));
    auto a = decode_file(mp3);
    REQUIRE(a.ok());
    CHECK(a->sample_rate == rate);
    CHECK(a->samples.size() == n);  // gapless: the LAME tag's delay and padding removed
    size_t lag = 0;
    const double c = best_correlation(mono, a->samples, 3000, &lag);
    WARN("MP3 chirp: correlation " << c << " at a delay of " << lag << " samples");
    CHECK(c > 0.9);
    CHECK(lag == 0);
  }
  SECTION("Ogg Vorbis (q4)") {
    REQUIRE(ffmpeg_encode(wav, ogg, "-c:a libvorbis -q:a 4"));
    auto a = decode_file(ogg);
    REQUIRE(a.ok());
    CHECK(a->sample_rate == rate);
    CHECK(a->samples.size() == n);  // Vorbis keeps the exact length (granule positions)
    size_t lag = 0;
    const double c = best_correlation(mono, a->samples, 100, &lag);
    WARN("Ogg chirp: correlation " << c << " at a delay of " << lag << " samples");
    CHECK(c > 0.9);
    CHECK(lag == 0);

    DecodeOptions to22k;
    to22k.target_rate = 22050;
    auto r = decode_file(ogg, to22k);
    REQUIRE(r.ok());
    CHECK(r->sample_rate == 22050);
    CHECK(r->samples.size() == n / 2);
  }
}

TEST_CASE("A real GTZAN clip survives MP3 and Ogg encoding") {
  if (!have_ffmpeg()) {
    WARN("ffmpeg not found: skipped");
    return;
  }
  const std::string src = std::string(MELGENRE_DATA_DIR) + "/gtzan-mini/genres/blues/blues.00000.wav";
  auto original = decode_file(src);
  REQUIRE(original.ok());
  for (const char* kind : {"mp3", "ogg"}) {
    const std::string out = temp_path(std::string("blues.00000.") + kind);
    REQUIRE(ffmpeg_encode(src, out, std::string(kind) == "mp3" ? "-c:a libmp3lame -b:a 128k" : "-c:a libvorbis -q:a 4"));
    auto a = decode_file(out);
    REQUIRE(a.ok());
    CHECK(a->sample_rate == 22050);
    CHECK(a->samples.size() == original->samples.size());
    size_t lag = 0;
    const double c = best_correlation(original->samples, a->samples, 3000, &lag);
    WARN(kind << " blues.00000: correlation " << c << " at a delay of " << lag << " samples, "
              << a->samples.size() << " samples");
    CHECK(c > 0.9);
    CHECK(lag == 0);
  }
}

#endif
