// Format detection looks at content only.
#include <cstring>

#include "audio_test_files.hpp"
#include "catch.hpp"
#include "melgenre/audio.hpp"

using namespace melgenre;
using namespace melgenre_test;

namespace {
AudioFormat sniff(const Bytes& b) { return sniff_format(b.data(), b.size()); }
Bytes bytes_of(const char* s, size_t n) { return Bytes(s, s + n); }
}  // namespace

TEST_CASE("sniff_format recognises each container by its first bytes") {
  CHECK(sniff(make_wav(WavSpec{}, {0, 0})) == AudioFormat::wav);
  WavSpec rifx;
  rifx.rifx = true;
  CHECK(sniff(make_wav(rifx, {0, 0})) == AudioFormat::wav);
  CHECK(sniff(make_au(AuSpec{}, {0, 0})) == AudioFormat::au);
  CHECK(sniff(bytes_of("ID3\x04\x00\x00\x00\x00\x01\x00", 10)) == AudioFormat::mp3);
  CHECK(sniff({0xFF, 0xFB, 0x90, 0x64}) == AudioFormat::mp3);  // MPEG-1 layer III, 128 kbps, 44.1 kHz
  CHECK(sniff({0xFF, 0xF3, 0x48, 0xC4}) == AudioFormat::mp3);  // MPEG-2 layer III
  // An Ogg page whose single segment holds the Vorbis identification packet.
  Bytes ogg = bytes_of("OggS\0\x02", 6);
  ogg.resize(26, 0);
  ogg.push_back(1);   // one segment
  ogg.push_back(30);  // of 30 bytes
  const char* id = "\x01vorbis";
  ogg.insert(ogg.end(), id, id + 7);
  CHECK(sniff(ogg) == AudioFormat::ogg);
}

TEST_CASE("sniff_format rejects look-alikes and never reads past the buffer") {
  CHECK(sniff({}) == AudioFormat::unknown);
  CHECK(sniff_format(nullptr, 10) == AudioFormat::unknown);
  CHECK(sniff(bytes_of("RIFF\0\0\0\0AVI ", 12)) == AudioFormat::unknown);
  CHECK(sniff(bytes_of("RIFF\0\0\0\0WAV", 11)) == AudioFormat::unknown);  // too short to tell
  CHECK(sniff(bytes_of(".sn", 3)) == AudioFormat::unknown);
  CHECK(sniff({0xFF, 0xFF, 0xFF, 0xFF}) == AudioFormat::unknown);  // reserved layer/bitrate
  CHECK(sniff({0xFF, 0xFB, 0xF0, 0x64}) == AudioFormat::unknown);  // bitrate index 15
  CHECK(sniff({0xFF, 0xFB, 0x9C, 0x64}) == AudioFormat::unknown);  // sample-rate index 3
  CHECK(sniff({0xFF, 0xE9, 0x90, 0x64}) == AudioFormat::unknown);  // MPEG version "reserved"
  CHECK(sniff(bytes_of("OggS\0\x02", 6)) == AudioFormat::unknown);  // Ogg, codec not visible
  Bytes opus = bytes_of("OggS\0\x02", 6);
  opus.resize(26, 0);
  opus.push_back(1);
  opus.push_back(19);
  const char* head = "OpusHead";
  opus.insert(opus.end(), head, head + 8);
  CHECK(sniff(opus) == AudioFormat::unknown);
  CHECK(sniff(bytes_of("fLaC\0\0\0\x22", 8)) == AudioFormat::unknown);
  CHECK(sniff(bytes_of("hello world, this is text", 25)) == AudioFormat::unknown);
}

TEST_CASE("A file name's extension plays no part") {
  const Bytes au = make_au(AuSpec{}, int_samples({1, 2}, 2, true));
  const std::string path = temp_path("actually_an_au_file.mp3");
  REQUIRE(write_file(path, au));
  auto source = open_file_source(path);
  REQUIRE(source.ok());
  auto d = open_decoder(std::move(*source));
  REQUIRE(d.ok());
  CHECK((*d)->info().format == AudioFormat::au);
  CHECK(std::string(format_name(AudioFormat::ogg)) == "Ogg Vorbis");
}
