// AU (Sun/NeXT) round-trips: every encoding, big-endian, channels averaged, header variants.
#include "audio_test_files.hpp"
#include "catch.hpp"
#include "melgenre/audio.hpp"

using namespace melgenre;
using namespace melgenre_test;

namespace {

std::vector<float> mono_of(const std::vector<float>& v, int channels) {
  std::vector<float> m(v.size() / size_t(channels));
  for (size_t i = 0; i < m.size(); ++i) {
    float s = v[i * size_t(channels)];
    for (int c = 1; c < channels; ++c) s += v[i * size_t(channels) + size_t(c)];
    m[i] = channels == 1 ? s : s / float(channels);
  }
  return m;
}

size_t mismatches(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return size_t(-1);
  size_t n = 0;
  for (size_t i = 0; i < a.size(); ++i) n += a[i] != b[i];
  return n;
}

}  // namespace

TEST_CASE("AU linear PCM and float encodings decode with librosa's scaling") {
  struct Enc {
    uint32_t code;
    int bytes;
    int64_t lo, hi;
    double scale;
  };
  const Enc encs[] = {{2, 1, -128, 127, 1.0 / 128}, {3, 2, -32768, 32767, 1.0 / 32768},
                      {4, 3, -8388608, 8388607, 1.0 / 8388608}, {5, 4, -2147483648LL, 2147483647LL, 1.0 / 2147483648.0}};
  for (const Enc& e : encs) {
    for (int channels : {1, 2, 6}) {
      TestRandom rng(e.code * 10 + uint64_t(channels));
      std::vector<int64_t> codes(size_t(channels) * 513);
      for (auto& c : codes) c = rng.in_range(e.lo, e.hi);
      codes[0] = e.lo;
      std::vector<float> values;
      for (auto c : codes) values.push_back(float(double(c) * e.scale));
      AuSpec spec;
      spec.encoding = e.code;
      spec.channels = uint32_t(channels);
      spec.sample_rate = 11025;
      const Bytes au = make_au(spec, int_samples(codes, e.bytes, true));
      auto a = decode_memory(au.data(), au.size());
      INFO("encoding " << e.code << ", " << channels << " channels");
      REQUIRE(a.ok());
      CHECK(a->sample_rate == 11025);
      CHECK(mismatches(a->samples, mono_of(values, channels)) == 0);
    }
  }
  for (int channels : {1, 2, 6}) {
    std::vector<float> f;
    std::vector<double> d;
    for (int i = 0; i < 300 * channels; ++i) {
      d.push_back((i % 17 - 8) / 8.3);
      f.push_back(float(d.back()));
    }
    AuSpec spec;
    spec.channels = uint32_t(channels);
    spec.encoding = 6;
    const Bytes au6 = make_au(spec, float_samples(f, true));
    spec.encoding = 7;
    const Bytes au7 = make_au(spec, double_samples(d, true));
    auto a6 = decode_memory(au6.data(), au6.size());
    auto a7 = decode_memory(au7.data(), au7.size());
    REQUIRE(a6.ok());
    REQUIRE(a7.ok());
    CHECK(mismatches(a6->samples, mono_of(f, channels)) == 0);
    CHECK(mismatches(a7->samples, mono_of(f, channels)) == 0);
  }
}

TEST_CASE("AU mu-law and A-law expand like libsndfile's tables") {
  AuSpec spec;
  spec.encoding = 1;
  const Bytes mu = make_au(spec, {0x00, 0x7F, 0x80, 0xFF, 0x35, 0x0F});
  auto a = decode_memory(mu.data(), mu.size());
  REQUIRE(a.ok());
  CHECK(mismatches(a->samples, {-32124 / 32768.0f, 0.0f, 32124 / 32768.0f, 0.0f, -3260 / 32768.0f, -16764 / 32768.0f}) == 0);
  spec.encoding = 27;
  const Bytes al = make_au(spec, {0x00, 0x55, 0xD5, 0x2A, 0xAA, 0x80, 0x7F});
  auto b = decode_memory(al.data(), al.size());
  REQUIRE(b.ok());
  CHECK(mismatches(b->samples, {-5504 / 32768.0f, -8 / 32768.0f, 8 / 32768.0f, -32256 / 32768.0f, 32256 / 32768.0f,
                                5504 / 32768.0f, -848 / 32768.0f}) == 0);
}

TEST_CASE("AU header variants: unknown size, minimal offset, trailing odd byte") {
  const Bytes pcm = int_samples({100, -200, 300}, 2, true);
  AuSpec spec;
  spec.data_size_override = 0xFFFFFFFF;
  Bytes au = make_au(spec, pcm);
  au.push_back(0x7F);  // half a frame at the end: dropped
  auto a = decode_memory(au.data(), au.size());
  REQUIRE(a.ok());
  CHECK(mismatches(a->samples, {100 / 32768.0f, -200 / 32768.0f, 300 / 32768.0f}) == 0);

  spec = AuSpec{};
  spec.data_offset = 24;
  const Bytes au24 = make_au(spec, pcm);
  auto b = decode_memory(au24.data(), au24.size());
  REQUIRE(b.ok());
  CHECK(b->samples.size() == 3);

  auto d = open_decoder(make_memory_source(au24.data(), au24.size()));
  REQUIRE(d.ok());
  CHECK((*d)->info().format == AudioFormat::au);
  CHECK((*d)->info().frames == 3);
}

TEST_CASE("AU written to disk decodes from the file path") {
  AuSpec spec;
  spec.channels = 2;
  std::vector<int64_t> codes;
  for (int i = 0; i < 4000; ++i) codes.push_back((i * 37) % 65536 - 32768);
  const Bytes au = make_au(spec, int_samples(codes, 2, true));
  const std::string path = temp_path("audio_roundtrip.au");
  REQUIRE(write_file(path, au));
  auto f = decode_file(path);
  auto m = decode_memory(au.data(), au.size());
  REQUIRE(f.ok());
  REQUIRE(m.ok());
  CHECK(f->samples.size() == 2000);
  CHECK(mismatches(f->samples, m->samples) == 0);
}
