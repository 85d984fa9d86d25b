// Bad input: every damaged, absurd or hostile file gives a clear error naming the source (or, for
// damage a codec can step over, finite audio) and never a crash, hang or unbounded allocation.
// Runs under ASan/UBSan (native-asan) and in the wasm build; the ffmpeg-made MP3/Ogg part is native.
#include <cmath>
#include <limits>

#include "audio_test_files.hpp"
#include "catch.hpp"
#include "melgenre/audio.hpp"

using namespace melgenre;
using namespace melgenre_test;

namespace {

Expected<Audio> decode_named(const Bytes& b, const std::string& name = "song.wav", const DecodeOptions& o = {}) {
  return decode_source(make_memory_source(b.data(), b.size(), name), o);
}

// The decode fails with `status`, the message names the source and contains `words`.
void require_error(const Bytes& b, Status status, const std::string& words, const std::string& name = "song.wav") {
  auto a = decode_named(b, name);
  INFO("expected an error containing '" << words << "'");
  REQUIRE_FALSE(a.ok());
  INFO("got: " << a.error().message);
  CHECK(a.error().status == status);
  CHECK(a.error().message.rfind(name + ": ", 0) == 0);
  CHECK(a.error().message.find(words) != std::string::npos);
}

// Damaged input may decode (codecs resynchronise) but then only to finite samples of bounded length.
// Returns what is wrong, or "" when the outcome is acceptable.
std::string error_or_finite_problem(const Bytes& b, size_t max_samples) {
  auto a = decode_named(b, "damaged");
  if (!a.ok()) {
    if (a.error().status == Status::internal) return "internal error: " + a.error().message;
    return a.error().message.rfind("damaged: ", 0) == 0 ? "" : "unnamed error: " + a.error().message;
  }
  if (a->samples.empty()) return "ok but empty";
  if (a->samples.size() > max_samples) return "too many samples: " + std::to_string(a->samples.size());
  if (a->sample_rate <= 0) return "bad rate";
  for (float v : a->samples) {
    if (!std::isfinite(v)) return "non-finite sample";
  }
  return "";
}
bool error_or_finite(const Bytes& b, size_t max_samples) {
  const std::string problem = error_or_finite_problem(b, max_samples);
  UNSCOPED_INFO(problem);
  return problem.empty();
}

Bytes small_wav(int channels = 2, int bits = 16, size_t frames = 100) {
  WavSpec spec;
  spec.channels = channels;
  spec.bits = bits;
  std::vector<int64_t> codes(frames * size_t(channels));
  for (size_t i = 0; i < codes.size(); ++i) codes[i] = int64_t(i * 97 % 200) - 100;
  return make_wav(spec, int_samples(codes, bits / 8));
}

Bytes small_au(uint32_t encoding = 3, size_t frames = 100) {
  AuSpec spec;
  spec.encoding = encoding;
  spec.channels = 2;
  const int bytes = encoding == 3 ? 2 : 1;
  std::vector<int64_t> codes(frames * 2);
  for (size_t i = 0; i < codes.size(); ++i) codes[i] = int64_t(i * 31 % 100);
  return make_au(spec, int_samples(codes, bytes, true));
}

void set_le32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + size_t(i)] = uint8_t(v >> (8 * i));
}
void set_be32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + size_t(i)] = uint8_t(v >> (8 * (3 - i)));
}
void set_le16(Bytes& b, size_t at, uint16_t v) {
  b[at] = uint8_t(v);
  b[at + 1] = uint8_t(v >> 8);
}

// Byte flips (1..8 per copy, biased to the header where they hurt most) and random cuts.
void fuzz(const Bytes& valid, int copies, uint64_t seed, size_t max_samples) {
  TestRandom rng(seed);
  for (int i = 0; i < copies; ++i) {
    Bytes b = valid;
    const int flips = int(rng.in_range(1, 8));
    for (int f = 0; f < flips; ++f) {
      const size_t span = (rng.next() & 1) ? std::min<size_t>(b.size(), 64) : b.size();
      b[size_t(rng.next() % span)] ^= uint8_t(rng.in_range(1, 255));
    }
    if (rng.next() % 4 == 0) b.resize(size_t(rng.next() % b.size()));
    INFO("copy " << i << " of seed " << seed);
    REQUIRE(error_or_finite(b, max_samples));
  }
}

}  // namespace

TEST_CASE("Empty input, missing files, directories") {
  auto a = decode_memory(nullptr, 0);
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().status == Status::invalid_argument);
  CHECK(a.error().message.find("empty") != std::string::npos);
  const uint8_t one = 0;
  auto b = decode_named(Bytes{}, "empty.wav");
  REQUIRE_FALSE(b.ok());
  CHECK(b.error().message == "empty.wav: empty file (0 bytes)");
  auto c = decode_memory(&one, 0);
  CHECK_FALSE(c.ok());
  const std::string missing = temp_path("no_such_file.wav");
  auto d = decode_file(missing);
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().status == Status::io_error);
  CHECK(d.error().message.find(missing) == 0);
  auto e = decode_file(MELGENRE_TEST_TMP);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().status == Status::io_error);
  CHECK(e.error().message.find("directory") != std::string::npos);
  const std::string empty_path = temp_path("zero_bytes.wav");
  REQUIRE(write_file(empty_path, {}));
  auto f = decode_file(empty_path);
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().message == empty_path + ": empty file (0 bytes)");
}

TEST_CASE("Garbage and wrong magic are unsupported formats") {
  Bytes text;
  for (char ch : std::string("this is not audio at all, just text\n")) text.push_back(uint8_t(ch));
  require_error(text, Status::unsupported_format, "unrecognised audio format");
  TestRandom rng(3);
  for (int i = 0; i < 50; ++i) {
    Bytes junk(size_t(rng.in_range(1, 3000)));
    for (auto& x : junk) x = uint8_t(rng.next());
    REQUIRE(error_or_finite(junk, 10 * 1152 * junk.size()));
  }
  Bytes avi = small_wav();
  std::memcpy(avi.data() + 8, "AVI ", 4);
  require_error(avi, Status::unsupported_format, "not WAVE");
  Bytes snx = small_au();
  snx[3] = 'x';
  require_error(snx, Status::unsupported_format, "unrecognised");
  Bytes flac = {'f', 'L', 'a', 'C', 0, 0, 0, 34};
  require_error(flac, Status::unsupported_format, "FLAC");
  // Sniffs as MP3 (a valid-looking header) but holds no decodable frame.
  Bytes fake_mp3 = {0xFF, 0xFB, 0x90, 0xC4};
  fake_mp3.resize(50, 0x11);
  require_error(fake_mp3, Status::corrupt_input, "no valid MPEG audio frame", "fake.mp3");
  Bytes fake_ogg = {'O', 'g', 'g', 'S', 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 30, 1};
  for (char ch : std::string("vorbis")) fake_ogg.push_back(uint8_t(ch));
  fake_ogg.resize(60, 0);
  auto o = decode_named(fake_ogg, "fake.ogg");
  REQUIRE_FALSE(o.ok());
  CHECK(o.error().status == Status::corrupt_input);
  CHECK(o.error().message.rfind("fake.ogg: ", 0) == 0);
}

TEST_CASE("Truncation at every cut point is an error, never a crash") {
  const Bytes wav = small_wav(2, 16, 50);
  for (size_t cut = 1; cut < wav.size(); ++cut) {
    Bytes b(wav.begin(), wav.begin() + long(cut));
    auto a = decode_named(b);
    INFO("WAV cut at " << cut << " of " << wav.size());
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().status != Status::internal);
  }
  Bytes cut_data(wav.begin(), wav.end() - 100);
  require_error(cut_data, Status::corrupt_input, "truncated data chunk (expected 200 bytes, found 100)");
  Bytes cut_header(wav.begin(), wav.begin() + 30);
  require_error(cut_header, Status::corrupt_input, "truncated");

  const Bytes au = small_au(3, 50);
  for (size_t cut = 1; cut < au.size(); ++cut) {
    Bytes b(au.begin(), au.begin() + long(cut));
    auto a = decode_named(b, "clip.au");
    INFO("AU cut at " << cut << " of " << au.size());
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().message.rfind("clip.au: ", 0) == 0);
  }
  Bytes au_cut(au.begin(), au.end() - 10);
  require_error(au_cut, Status::corrupt_input, "truncated audio data (expected 200 bytes, found 190)", "clip.au");

  const Bytes mp3 = silent_mp3_frames(10);
  for (size_t cut = 1; cut < mp3.size(); cut += 37) {
    Bytes b(mp3.begin(), mp3.begin() + long(cut));
    INFO("MP3 cut at " << cut);
    REQUIRE(error_or_finite(b, 10 * 1152));
  }
}

TEST_CASE("Absurd sizes are refused without allocating them") {
  SECTION("an unknown chunk claiming 0xFFFFFFF0 bytes") {
    WavSpec spec;
    spec.odd_chunk_before_data = true;
    Bytes b = make_wav(spec, int_samples({1, 2}, 2));
    set_le32(b, 36 + 4, 0xFFFFFFF0u);  // the 'junk' chunk's size
    require_error(b, Status::corrupt_input, "chunk 'junk' of 4294967280 bytes runs past the end");
  }
  SECTION("a data chunk claiming 0xFFFFFFF0 bytes") {
    Bytes b = small_wav();
    set_le32(b, 40, 0xFFFFFFF0u);
    require_error(b, Status::corrupt_input, "truncated data chunk (expected 4294967280 bytes");
  }
  SECTION("a fmt chunk claiming 0xFFFFFFF0 bytes") {
    Bytes b = small_wav();
    set_le32(b, 16, 0xFFFFFFF0u);
    require_error(b, Status::corrupt_input, "truncated fmt chunk");
  }
  SECTION("a RIFF size of 0xFFFFFFFF is ignored (only chunks count)") {
    Bytes b = small_wav();
    set_le32(b, 4, 0xFFFFFFFFu);
    CHECK(decode_named(b).ok());
  }
  SECTION("AU data offset and size") {
    Bytes b = small_au();
    set_be32(b, 4, 0xFFFFFFF0u);
    require_error(b, Status::corrupt_input, "data offset 4294967280 is past the end", "x.au");
    b = small_au();
    set_be32(b, 4, 8);
    require_error(b, Status::corrupt_input, "inside the header", "x.au");
    b = small_au();
    set_be32(b, 8, 0xFFFFFFF0u);
    require_error(b, Status::corrupt_input, "truncated audio data", "x.au");
  }
}

TEST_CASE("NaN and infinite float samples are corrupt input") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  WavSpec spec;
  spec.format_tag = 3;
  spec.bits = 32;
  require_error(make_wav(spec, float_samples({0.1f, nan, 0.2f})), Status::corrupt_input, "NaN or infinite sample");
  require_error(make_wav(spec, float_samples({0.1f, 0.2f, -inf})), Status::corrupt_input, "NaN or infinite sample");
  spec.channels = 2;  // a NaN in one channel poisons the mix
  require_error(make_wav(spec, float_samples({0.1f, 0.2f, inf, 0.3f})), Status::corrupt_input, "NaN or infinite");
  spec.channels = 1;
  spec.bits = 64;
  // 1e300 has no float32 value.
  require_error(make_wav(spec, double_samples({0.5, 1e300})), Status::corrupt_input, "NaN or infinite");
  require_error(make_wav(spec, double_samples({std::nan("")})), Status::corrupt_input, "NaN or infinite");
  AuSpec au;
  au.encoding = 6;
  require_error(make_au(au, float_samples({nan}, true)), Status::corrupt_input, "NaN or infinite", "x.au");
}

TEST_CASE("Impossible channel counts, rates and layouts") {
  Bytes b = small_wav();
  set_le16(b, 22, 0);
  require_error(b, Status::corrupt_input, "0 channels");
  b = small_wav();
  set_le16(b, 22, 65535);
  require_error(b, Status::corrupt_input, "65535 channels");
  b = small_wav();
  set_le32(b, 24, 0);
  require_error(b, Status::corrupt_input, "sample rate 0 Hz");
  b = small_wav();
  set_le32(b, 24, 2000000000u);
  require_error(b, Status::corrupt_input, "implausible sample rate");
  b = small_wav();
  set_le16(b, 32, 3);  // block align
  require_error(b, Status::corrupt_input, "block align 3");
  b = small_wav();
  set_le16(b, 34, 0);  // bits per sample
  require_error(b, Status::corrupt_input, "0 bits");
  b = small_wav();
  set_le16(b, 20, 2);  // MS ADPCM
  require_error(b, Status::unsupported_format, "format tag 2");
  WavSpec wide;
  wide.bits = 48;
  require_error(make_wav(wide, Bytes(12, 0)), Status::unsupported_format, "48-bit");

  Bytes au = small_au();
  set_be32(au, 20, 0);
  require_error(au, Status::corrupt_input, "0 channels", "x.au");
  au = small_au();
  set_be32(au, 20, 0xFFFFFFFFu);
  require_error(au, Status::corrupt_input, "4294967295 channels", "x.au");
  au = small_au();
  set_be32(au, 16, 0);
  require_error(au, Status::corrupt_input, "sample rate 0", "x.au");
  au = small_au();
  set_be32(au, 12, 23);  // G.721 ADPCM
  require_error(au, Status::unsupported_format, "AU encoding 23", "x.au");
}

TEST_CASE("A valid header with no samples, and the duration limit") {
  require_error(make_wav(WavSpec{}, {}), Status::corrupt_input, "no audio samples");
  require_error(make_au(AuSpec{}, {}), Status::corrupt_input, "no audio samples", "x.au");
  Bytes odd_byte = make_wav(WavSpec{}, {0x12});  // half a 16-bit sample
  require_error(odd_byte, Status::corrupt_input, "no audio samples");

  DecodeOptions limit;
  limit.max_seconds = 0.5;
  const Bytes mp3 = silent_mp3_frames(40);  // ~1.04 s, length unknown until decoded
  auto a = decode_named(mp3, "long.mp3", limit);
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().status == Status::resource_limit);
  CHECK(a.error().message.rfind("long.mp3: ", 0) == 0);

  DecodeOptions bad;
  bad.target_rate = -5;
  CHECK(decode_named(small_wav(), "x", bad).error().status == Status::invalid_argument);
  bad.target_rate = 0;
  bad.max_seconds = std::nan("");
  CHECK(decode_named(small_wav(), "x", bad).error().status == Status::invalid_argument);
  CHECK(open_decoder(nullptr).error().status == Status::invalid_argument);
}

TEST_CASE("Ogg Vorbis comment lengths that overrun their packet are refused before stb_vorbis sees them") {
  // Page 1: the 30-byte identification packet; page 2: a comment packet claiming a 4 GB vendor string.
  auto page = [](Bytes& b, uint8_t flags, uint32_t sequence, const Bytes& packet) {
    put_tag(b, "OggS");
    b.push_back(0);
    b.push_back(flags);
    b.resize(b.size() + 8 + 4, 0);  // granule position, serial number
    put_le(b, sequence, 4);
    put_le(b, 0, 4);                // CRC (not reached)
    b.push_back(1);
    b.push_back(uint8_t(packet.size()));
    b.insert(b.end(), packet.begin(), packet.end());
  };
  Bytes id = {1, 'v', 'o', 'r', 'b', 'i', 's', 0, 0, 0, 0, 1};
  put_le(id, 22050, 4);
  id.resize(id.size() + 12, 0);
  id.push_back(0xB8);
  id.push_back(1);
  REQUIRE(id.size() == 30);
  for (uint32_t vendor_length : {0xFFFFFFF0u, 0xFFFFFFFFu, 0x7FFFFFFFu, 100u}) {
    Bytes comment = {3, 'v', 'o', 'r', 'b', 'i', 's'};
    put_le(comment, vendor_length, 4);
    comment.resize(comment.size() + 9, 'x');
    Bytes ogg;
    page(ogg, 2, 0, id);
    page(ogg, 0, 1, comment);
    CHECK(sniff_format(ogg.data(), ogg.size()) == AudioFormat::ogg);
    require_error(ogg, Status::corrupt_input, "Vorbis comment header", "bad.ogg");
  }
  Bytes comment = {3, 'v', 'o', 'r', 'b', 'i', 's', 0, 0, 0, 0};
  put_le(comment, 0x40000000u, 4);  // a billion comments in a 15-byte packet
  Bytes ogg;
  page(ogg, 2, 0, id);
  page(ogg, 0, 1, comment);
  require_error(ogg, Status::corrupt_input, "comments cannot fit", "bad.ogg");
}

TEST_CASE("Random byte flips and cuts of valid WAV, AU and MP3 streams") {
  fuzz(small_wav(2, 16, 300), 400, 1, 1 << 20);
  fuzz(small_wav(1, 24, 300), 200, 2, 1 << 20);
  WavSpec f;
  f.format_tag = 3;
  f.bits = 32;
  fuzz(make_wav(f, float_samples(std::vector<float>(300, 0.25f))), 200, 3, 1 << 20);
  fuzz(small_au(3, 300), 300, 4, 1 << 20);
  fuzz(small_au(1, 300), 200, 5, 1 << 20);
  fuzz(silent_mp3_frames(12), 300, 6, 64 * 1152);
}

#ifndef __EMSCRIPTEN__
TEST_CASE("Random byte flips and cuts of ffmpeg-made MP3 and Ogg files") {
  if (!have_ffmpeg()) {
    WARN("ffmpeg not found: MP3/Ogg damage tests skipped");
    return;
  }
  const std::string src = std::string(MELGENRE_DATA_DIR) + "/gtzan-mini/genres/blues/blues.00000.wav";
  for (const char* kind : {"mp3", "ogg"}) {
    const std::string out = temp_path(std::string("blues_2s.") + kind);
    REQUIRE(ffmpeg_encode(src, out, std::string("-t 2 ") + (std::string(kind) == "mp3" ? "-c:a libmp3lame -b:a 96k" : "-c:a libvorbis -q:a 2")));
    const Bytes valid = read_file(out);
    REQUIRE(valid.size() > 1000);
    REQUIRE(decode_named(valid, out).ok());
    // Damage can change block sizes or frame headers, so the bound is the codecs' largest expansion:
    // a Vorbis packet of a few bytes may yield 4096 samples, an MPEG frame of 48 bytes 1152.
    const size_t bound = valid.size() * (std::string(kind) == "mp3" ? 48 : 4096);
    fuzz(valid, 400, std::string(kind) == "mp3" ? 7 : 8, bound);
    // Cuts at many points, headers included: never longer than the uncut file.
    for (size_t cut = 1; cut < valid.size(); cut += (cut < 4096 ? 13 : 997)) {
      INFO(kind << " cut at " << cut);
      REQUIRE(error_or_finite(Bytes(valid.begin(), valid.begin() + long(cut)), 44100));
    }
  }
}
#endif
