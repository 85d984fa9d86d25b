// MPEG audio (MP3, and layers I/II) through minimp3, one frame at a time from the byte source.
#define MINIMP3_IMPLEMENTATION
#define MINIMP3_FLOAT_OUTPUT
#include "minimp3.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "audio/byte_reader.hpp"
#include "audio/container_decoders.hpp"

namespace melgenre::audio_detail {
namespace {

// minimp3 wants several frames in view to confirm a sync; 16 max-size frames fit easily.
constexpr size_t kWindowBytes = 32 * 1024;
constexpr size_t kRefillBelow = 16 * 1024;

// Size of an ID3v2 tag starting at p (header + body + optional footer), 0 if there is none.
uint64_t id3v2_size(const uint8_t* p, size_t n) {
  if (n < 10 || std::memcmp(p, "ID3", 3) != 0) return 0;
  const uint64_t body = (uint64_t(p[6] & 0x7F) << 21) | (uint64_t(p[7] & 0x7F) << 14) |
                        (uint64_t(p[8] & 0x7F) << 7) | uint64_t(p[9] & 0x7F);
  const bool footer = (p[5] & 0x10) != 0;
  return 10 + body + (footer ? 10 : 0);
}

// What a LAME/Xing "info" frame (the first frame of most encoded files) says about the stream.
struct GaplessInfo {
  bool present = false;       // the first frame is an info frame, not audio
  uint64_t frames = 0;        // MPEG frames in the stream, 0 if not stated
  int encoder_delay = -1;     // samples the encoder prepended (LAME tag), -1 if unknown
  int encoder_padding = 0;    // samples it appended
};

constexpr int kDecoderDelay = 529;  // the MPEG synthesis delay every standard decoder adds (as mpg123 trims)

GaplessInfo parse_info_frame(const uint8_t* f, size_t n) {
  GaplessInfo g;
  if (n < 4 || f[0] != 0xFF || (f[1] & 0xE0) != 0xE0) return g;
  const bool mpeg1 = (f[1] & 0x18) == 0x18;
  const bool mono = (f[3] & 0xC0) == 0xC0;
  const bool crc = (f[1] & 1) == 0;
  const size_t side_info = mpeg1 ? (mono ? 17 : 32) : (mono ? 9 : 17);
  size_t at = 4 + (crc ? 2 : 0) + side_info;
  if (at + 8 > n || !(std::memcmp(f + at, "Xing", 4) == 0 || std::memcmp(f + at, "Info", 4) == 0)) return g;
  g.present = true;
  const uint32_t flags = load_be32(f + at + 4);
  at += 8;
  if (flags & 1) {
    if (at + 4 > n) return g;
    g.frames = load_be32(f + at);
    at += 4;
  }
  if (flags & 2) at += 4;    // byte count
  if (flags & 4) at += 100;  // seek table
  if (flags & 8) at += 4;    // quality
  // LAME extension: 9-byte encoder name, ..., then 12-bit delay and 12-bit padding at offset 21.
  if (at + 24 <= n && (std::memcmp(f + at, "LAME", 4) == 0 || std::memcmp(f + at, "Lavc", 4) == 0 ||
                       std::memcmp(f + at, "Lavf", 4) == 0)) {
    const uint8_t* d = f + at + 21;
    g.encoder_delay = (d[0] << 4) | (d[1] >> 4);
    g.encoder_padding = ((d[1] & 0x0F) << 8) | d[2];
  }
  return g;
}

class Mp3Decoder final : public Decoder {
 public:
  explicit Mp3Decoder(std::unique_ptr<ByteSource> source) : source_(std::move(source)), window_(kWindowBytes) {
    mp3dec_init(&mp3_);
    info_.format = AudioFormat::mp3;
  }

  // Skips ID3v2 tags and decodes the first frame to learn the rate and channel count.
  Expected<void> start() {
    if (auto s = source_->seek(0); !s) return s.error();
    uint64_t offset = 0;
    for (;;) {  // files sometimes carry several tags back to back
      uint8_t head[10];
      auto got = read_fully(*source_, head, sizeof head);
      if (!got) return got.error();
      const uint64_t tag = id3v2_size(head, *got);
      if (tag == 0) break;
      if (offset + tag >= source_->size()) return corrupt(*source_, "ID3v2 tag runs to the end of the file; no MP3 audio");
      offset += tag;
      if (auto s = source_->seek(offset); !s) return s.error();
    }
    if (auto s = source_->seek(offset); !s) return s.error();
    if (auto r = refill(); !r) return r.error();
    const GaplessInfo gapless = parse_info_frame(window_.data(), window_len_);
    auto first = decode_next_frame();
    if (!first) return first.error();
    if (!*first) return corrupt(*source_, "no valid MPEG audio frame found");
    if (gapless.present) {
      // Like mpg123 (librosa's MP3 path): drop the info frame, the encoder and decoder delays, and the
      // encoder's padding at the end, so the samples line up with the encoded original.
      const uint64_t per_frame = pcm_frames_;
      pcm_pos_ = pcm_frames_;
      if (gapless.encoder_delay >= 0) {
        skip_ = uint64_t(gapless.encoder_delay) + kDecoderDelay;
        const uint64_t coded = gapless.frames * per_frame;
        const uint64_t trim = uint64_t(gapless.encoder_delay) + uint64_t(gapless.encoder_padding);
        if (gapless.frames > 0 && coded > trim) {
          remaining_ = coded - trim;
          info_.frames = remaining_;
        }
      }
    }
    return {};
  }

  const StreamInfo& info() const override { return info_; }

  Expected<size_t> read(float* mono, size_t max_frames) override {
    size_t written = 0;
    while (written < max_frames && remaining_ > 0) {
      if (pcm_pos_ == pcm_frames_) {
        auto more = decode_next_frame();
        if (!more) return more.error();
        if (!*more) break;
      }
      if (skip_ > 0) {
        const size_t skipped = size_t(std::min<uint64_t>(skip_, pcm_frames_ - pcm_pos_));
        pcm_pos_ += skipped;
        skip_ -= skipped;
        continue;
      }
      const size_t n = size_t(std::min<uint64_t>({max_frames - written, pcm_frames_ - pcm_pos_, remaining_}));
      const float* p = pcm_ + pcm_pos_ * size_t(pcm_channels_);
      if (pcm_channels_ == 1) {
        std::memcpy(mono + written, p, n * sizeof(float));
      } else {
        for (size_t i = 0; i < n; ++i) mono[written + i] = (p[2 * i] + p[2 * i + 1]) / 2.0f;
      }
      written += n;
      pcm_pos_ += n;
      remaining_ -= n;
    }
    return written;
  }

 private:
  Expected<void> refill() {
    if (eof_ || window_len_ - window_pos_ >= kRefillBelow) return {};
    std::memmove(window_.data(), window_.data() + window_pos_, window_len_ - window_pos_);
    window_len_ -= window_pos_;
    window_pos_ = 0;
    auto got = read_fully(*source_, window_.data() + window_len_, window_.size() - window_len_);
    if (!got) return got.error();
    window_len_ += *got;
    if (window_len_ < window_.size()) eof_ = true;
    return {};
  }

  // Decodes frames until one yields samples at the stream's rate; false at the end of the stream.
  Expected<bool> decode_next_frame() {
    for (;;) {
      if (auto r = refill(); !r) return r.error();
      const size_t avail = window_len_ - window_pos_;
      if (avail == 0) return false;
      mp3dec_frame_info_t frame{};
      const int samples = mp3dec_decode_frame(&mp3_, window_.data() + window_pos_, int(avail), pcm_, &frame);
      if (frame.frame_bytes == 0) {
        if (eof_) return false;  // an incomplete frame at the very end
        window_pos_ += 1;        // cannot happen with a full window; never stall
        continue;
      }
      window_pos_ += size_t(frame.frame_bytes);
      if (samples <= 0) continue;  // skipped junk, or a frame still filling the bit reservoir
      if (info_.sample_rate == 0) {
        info_.sample_rate = frame.hz;
        info_.channels = frame.channels;
      } else if (frame.hz != info_.sample_rate) {
        continue;  // a stray header in damaged data; its samples would be at the wrong rate
      }
      pcm_channels_ = frame.channels;
      pcm_frames_ = size_t(samples);
      pcm_pos_ = 0;
      return true;
    }
  }

  std::unique_ptr<ByteSource> source_;
  StreamInfo info_;
  mp3dec_t mp3_;
  std::vector<uint8_t> window_;
  size_t window_pos_ = 0, window_len_ = 0;
  bool eof_ = false;
  float pcm_[MINIMP3_MAX_SAMPLES_PER_FRAME];
  int pcm_channels_ = 1;
  size_t pcm_frames_ = 0, pcm_pos_ = 0;
  uint64_t skip_ = 0;                // samples still to drop at the start (gapless)
  uint64_t remaining_ = UINT64_MAX;  // samples still to deliver (gapless end), else unlimited
};

}  // namespace

Expected<std::unique_ptr<Decoder>> open_mp3_decoder(std::unique_ptr<ByteSource> source) {
  auto decoder = std::make_unique<Mp3Decoder>(std::move(source));
  if (auto s = decoder->start(); !s) return s.error();
  std::unique_ptr<Decoder> result = std::move(decoder);
  return result;
}

}  // namespace melgenre::audio_detail
