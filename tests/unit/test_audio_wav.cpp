// WAV round-trips: every sample format and channel layout decodes to librosa's float32 mono exactly.
#include <cmath>
#include <functional>

#include "audio_test_files.hpp"
#include "catch.hpp"
#include "melgenre/audio.hpp"

using namespace melgenre;
using namespace melgenre_test;

namespace {

// Per-sample value librosa (via soundfile) gives, then numpy's channel mean (sequential sum / count).
std::vector<float> expected_mono(const std::vector<float>& interleaved, int channels) {
  std::vector<float> mono(interleaved.size() / size_t(channels));
  for (size_t i = 0; i < mono.size(); ++i) {
    float sum = interleaved[i * size_t(channels)];
    for (int c = 1; c < channels; ++c) sum += interleaved[i * size_t(channels) + size_t(c)];
    mono[i] = channels == 1 ? sum : sum / float(channels);
  }
  return mono;
}

struct IntCase {
  int bits;
  int64_t lo, hi;
  std::function<float(int64_t)> scale;
};

void check_equal(const std::vector<float>& got, const std::vector<float>& want) {
  REQUIRE(got.size() == want.size());
  size_t mismatches = 0;
  for (size_t i = 0; i < got.size(); ++i) mismatches += got[i] != want[i];
  CHECK(mismatches == 0);
}

}  // namespace

TEST_CASE("WAV integer PCM decodes with librosa's scaling, channels averaged") {
  const std::vector<IntCase> cases = {
      {8, 0, 255, [](int64_t c) { return float(c - 128) / 128.0f; }},
      {16, -32768, 32767, [](int64_t c) { return float(c) / 32768.0f; }},
      {24, -8388608, 8388607, [](int64_t c) { return float(c) / 8388608.0f; }},
      {32, -2147483648LL, 2147483647LL, [](int64_t c) { return float(double(c) / 2147483648.0); }},
  };
  for (const IntCase& ic : cases) {
    for (int channels : {1, 2, 6}) {
      for (bool extensible : {false, true}) {
        DYNAMIC_SECTION(ic.bits << "-bit, " << channels << " channels" << (extensible ? ", extensible" : "")) {
          TestRandom rng{uint64_t(ic.bits * 100 + channels)};
          const size_t frames = 1001;
          std::vector<int64_t> codes(frames * size_t(channels));
          for (auto& c : codes) c = rng.in_range(ic.lo, ic.hi);
          codes[0] = ic.lo;  // the extremes must land exactly on -1 and (2^(b-1)-1)/2^(b-1)
          codes[1 % codes.size()] = ic.hi;
          std::vector<float> values;
          for (auto c : codes) values.push_back(ic.scale(c));
          WavSpec spec;
          spec.bits = ic.bits;
          spec.channels = channels;
          if (extensible) spec.format_tag = 0xFFFE;
          const Bytes wav = make_wav(spec, int_samples(codes, ic.bits / 8));
          auto audio = decode_memory(wav.data(), wav.size());
          REQUIRE(audio.ok());
          CHECK(audio->sample_rate == 22050);
          check_equal(audio->samples, expected_mono(values, channels));
          if (channels == 1) {
            CHECK(audio->samples[0] == -1.0f);
          }
        }
      }
    }
  }
}

TEST_CASE("WAV float32 and float64 decode unchanged (rounded to float32)") {
  for (int channels : {1, 2, 6}) {
    TestRandom rng{uint64_t(channels)};
    const size_t frames = 777;
    std::vector<double> d(frames * size_t(channels));
    for (auto& v : d) v = double(rng.in_range(-1000000, 1000000)) / 999983.0;
    std::vector<float> f(d.begin(), d.end());
    for (int bits : {32, 64}) {
      for (bool extensible : {false, true}) {
        WavSpec spec;
        spec.format_tag = extensible ? 0xFFFE : 3;
        spec.sub_format = 3;
        spec.bits = bits;
        spec.channels = channels;
        const Bytes wav = make_wav(spec, bits == 32 ? float_samples(f) : double_samples(d));
        auto audio = decode_memory(wav.data(), wav.size());
        INFO(bits << "-bit float, " << channels << " channels");
        REQUIRE(audio.ok());
        check_equal(audio->samples, expected_mono(f, channels));
      }
    }
  }
}

TEST_CASE("WAV G.711, RIFX, odd padding, chunk order") {
  SECTION("mu-law and A-law go through the standard 16-bit expansion") {
    WavSpec mu;
    mu.format_tag = 7;
    mu.bits = 8;
    const Bytes wav = make_wav(mu, {0x00, 0x7F, 0x80, 0x35, 0x0F});
    auto a = decode_memory(wav.data(), wav.size());
    REQUIRE(a.ok());
    const std::vector<float> want = {-32124 / 32768.0f, 0.0f, 32124 / 32768.0f, -3260 / 32768.0f, -16764 / 32768.0f};
    check_equal(a->samples, want);
    WavSpec al = mu;
    al.format_tag = 6;
    const Bytes wav2 = make_wav(al, {0x00, 0x55, 0xD5, 0x2A, 0xAA, 0x7F});
    auto b = decode_memory(wav2.data(), wav2.size());
    REQUIRE(b.ok());
    const std::vector<float> want2 = {-5504 / 32768.0f, -8 / 32768.0f, 8 / 32768.0f, -32256 / 32768.0f, 32256 / 32768.0f, -848 / 32768.0f};
    check_equal(b->samples, want2);
  }
  SECTION("big-endian RIFX") {
    WavSpec spec;
    spec.rifx = true;
    spec.channels = 2;
    const Bytes wav = make_wav(spec, int_samples({1000, -3000, 32767, -32768}, 2, true));
    auto a = decode_memory(wav.data(), wav.size());
    REQUIRE(a.ok());
    check_equal(a->samples, {(1000 / 32768.0f + -3000 / 32768.0f) / 2, (32767 / 32768.0f + -1.0f) / 2});
  }
  SECTION("a chunk of odd size before the data is skipped with its pad byte") {
    WavSpec spec;
    spec.odd_chunk_before_data = true;
    spec.bits = 8;
    const Bytes wav = make_wav(spec, {0, 128, 255});  // odd data size: padded too
    auto a = decode_memory(wav.data(), wav.size());
    REQUIRE(a.ok());
    check_equal(a->samples, {-1.0f, 0.0f, 127 / 128.0f});
  }
  SECTION("data before fmt") {
    WavSpec spec;
    spec.data_before_fmt = true;
    const Bytes wav = make_wav(spec, int_samples({5, -5}, 2));
    auto a = decode_memory(wav.data(), wav.size());
    REQUIRE(a.ok());
    check_equal(a->samples, {5 / 32768.0f, -5 / 32768.0f});
  }
  SECTION("RF64: sizes live in a ds64 chunk; the data chunk's 0xFFFFFFFF runs to the end") {
    WavSpec spec;
    spec.data_size_override = 0xFFFFFFFF;
    spec.odd_chunk_before_data = true;  // stands in for the ds64 chunk, which is skipped like any other
    Bytes wav = make_wav(spec, int_samples({7, -7, 9}, 2));
    std::memcpy(wav.data(), "RF64", 4);
    CHECK(sniff_format(wav.data(), wav.size()) == AudioFormat::wav);
    auto a = decode_memory(wav.data(), wav.size());
    REQUIRE(a.ok());
    check_equal(a->samples, {7 / 32768.0f, -7 / 32768.0f, 9 / 32768.0f});
  }
  SECTION("a streaming writer's 0xFFFFFFFF data size means: to the end of the file") {
    WavSpec spec;
    spec.data_size_override = 0xFFFFFFFF;
    const Bytes wav = make_wav(spec, int_samples({1, 2, 3, 4}, 2));
    auto a = decode_memory(wav.data(), wav.size());
    REQUIRE(a.ok());
    check_equal(a->samples, {1 / 32768.0f, 2 / 32768.0f, 3 / 32768.0f, 4 / 32768.0f});
  }
}

TEST_CASE("Pulling a WAV in odd chunk sizes equals decoding it whole") {
  WavSpec spec;
  spec.channels = 2;
  spec.bits = 24;
  TestRandom rng(7);
  std::vector<int64_t> codes(2 * 100003);
  for (auto& c : codes) c = rng.in_range(-8388608, 8388607);
  const Bytes wav = make_wav(spec, int_samples(codes, 3));
  auto whole = decode_memory(wav.data(), wav.size());
  REQUIRE(whole.ok());
  auto decoder = open_decoder(make_memory_source(wav.data(), wav.size(), "chunks.wav"));
  REQUIRE(decoder.ok());
  CHECK((*decoder)->info().format == AudioFormat::wav);
  CHECK((*decoder)->info().frames == 100003);
  CHECK((*decoder)->info().channels == 2);
  std::vector<float> pulled;
  const size_t sizes[] = {1, 7, 333, 4097, 65537, 2};
  std::vector<float> chunk(65537);
  for (size_t i = 0;; ++i) {
    auto got = (*decoder)->read(chunk.data(), sizes[i % 6]);
    REQUIRE(got.ok());
    REQUIRE(*got <= sizes[i % 6]);
    if (*got == 0) break;
    pulled.insert(pulled.end(), chunk.begin(), chunk.begin() + long(*got));
  }
  check_equal(pulled, whole->samples);
}

TEST_CASE("decode_file reads what decode_memory reads, and honours max_seconds and target_rate") {
  WavSpec spec;
  spec.sample_rate = 8000;
  std::vector<int64_t> codes(8000);
  for (size_t i = 0; i < codes.size(); ++i) codes[i] = int64_t(10000 * std::sin(0.05 * double(i)));
  const Bytes wav = make_wav(spec, int_samples(codes, 2));
  const std::string path = temp_path("audio_one_second.wav");
  REQUIRE(write_file(path, wav));
  auto from_file = decode_file(path);
  auto from_memory = decode_memory(wav.data(), wav.size());
  REQUIRE(from_file.ok());
  REQUIRE(from_memory.ok());
  check_equal(from_file->samples, from_memory->samples);
  CHECK(from_file->duration_seconds() == 1.0);

  DecodeOptions limited;
  limited.max_seconds = 0.5;
  auto refused = decode_file(path, limited);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().status == Status::resource_limit);
  CHECK(refused.error().message.find(path) != std::string::npos);
  limited.max_seconds = 1.0;
  CHECK(decode_file(path, limited).ok());

  DecodeOptions resampled;
  resampled.target_rate = 22050;
  auto up = decode_file(path, resampled);
  REQUIRE(up.ok());
  CHECK(up->sample_rate == 22050);
  CHECK(up->samples.size() == 22050);
}

TEST_CASE("The GTZAN clip decodes to int16/32768 at 22050 Hz") {
  const std::string path = std::string(MELGENRE_DATA_DIR) + "/gtzan-mini/genres/blues/blues.00000.wav";
  auto audio = decode_file(path);
  REQUIRE(audio.ok());
  CHECK(audio->sample_rate == 22050);
  REQUIRE(audio->samples.size() == 661794);
  // Compare with the raw little-endian words after the "data" chunk header.
  const Bytes raw = read_file(path);
  size_t data = 12;
  while (data + 8 <= raw.size() && std::memcmp(raw.data() + data, "data", 4) != 0) {
    data += 8 + (raw[data + 4] | (raw[data + 5] << 8) | (raw[data + 6] << 16) | (size_t(raw[data + 7]) << 24));
  }
  REQUIRE(data + 8 + 2 * 661794 <= raw.size());
  size_t mismatches = 0;
  for (size_t i = 0; i < audio->samples.size(); ++i) {
    const uint8_t* p = raw.data() + data + 8 + 2 * i;
    const float want = float(int16_t(uint16_t(p[0] | (p[1] << 8)))) / 32768.0f;
    mismatches += audio->samples[i] != want;
  }
  CHECK(mismatches == 0);
  CHECK(audio->samples[0] != 0.0f);
}
