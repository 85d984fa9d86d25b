// Ogg Vorbis through stb_vorbis: the compressed bytes are held in memory (small), PCM is pulled one
// Vorbis frame at a time.
#include <algorithm>
#include <cmath>
#include <vector>

#include "audio/byte_reader.hpp"
#include "audio/container_decoders.hpp"
#include "audio/pcm_stream_decoder.hpp"
#include "audio/vorbis_comment_check.hpp"
#include "audio/stb_vorbis_config.h"
#define STB_VORBIS_HEADER_ONLY
#include "stb_vorbis.h"

namespace melgenre::audio_detail {
namespace {

// stb_vorbis addresses memory with 32-bit offsets; a longer Vorbis file is not an audio clip.
constexpr uint64_t kMaxCompressedBytes = uint64_t(1) << 30;
// stb_vorbis allocates only from this arena; a damaged header asking for more is refused, not obeyed.
constexpr int kFirstArenaBytes = 1 << 20;
constexpr int kMaxArenaBytes = 64 << 20;

const char* vorbis_error_text(int code) {
  switch (code) {
    case VORBIS_outofmem: return "decoder tables exceed the memory limit";
    case VORBIS_invalid_setup: case VORBIS_invalid_stream: return "invalid Vorbis headers";
    case VORBIS_missing_capture_pattern: return "missing Ogg page marker";
    case VORBIS_invalid_stream_structure_version: return "unknown Ogg stream version";
    case VORBIS_invalid_first_page: return "invalid first Ogg page";
    case VORBIS_unexpected_eof: return "file ends inside the Vorbis headers";
    case VORBIS_too_many_channels: return "too many channels";
    case VORBIS_ogg_skeleton_not_supported: return "Ogg Skeleton streams are not supported";
    default: return "not a valid Ogg Vorbis stream";
  }
}

struct VorbisCloser {
  void operator()(stb_vorbis* v) const { stb_vorbis_close(v); }
};

class OggDecoder final : public Decoder {
 public:
  explicit OggDecoder(std::unique_ptr<ByteSource> source) : source_(std::move(source)) {
    info_.format = AudioFormat::ogg;
  }

  Expected<void> start() {
    const uint64_t size = source_->size();
    if (size > kMaxCompressedBytes) {
      return source_error(Status::resource_limit, *source_, "Ogg file larger than 1 GiB");
    }
    compressed_.resize(size_t(size));
    if (auto s = source_->seek(0); !s) return s.error();
    if (auto r = read_exact(*source_, compressed_.data(), compressed_.size(), "Ogg data"); !r) return r.error();

    if (const std::string bad = check_vorbis_comment_lengths(compressed_.data(), compressed_.size()); !bad.empty()) {
      return corrupt(*source_, bad);
    }
    int error = 0;
    for (int arena = kFirstArenaBytes;; arena *= 2) {
      arena_.assign(size_t(arena), 0);
      stb_vorbis_alloc alloc{reinterpret_cast<char*>(arena_.data()), arena};
      error = 0;
      vorbis_.reset(stb_vorbis_open_memory(compressed_.data(), int(compressed_.size()), &error, &alloc));
      if (vorbis_ || error != VORBIS_outofmem || arena >= kMaxArenaBytes) break;
    }
    if (!vorbis_) return corrupt(*source_, vorbis_error_text(error));
    const stb_vorbis_info vi = stb_vorbis_get_info(vorbis_.get());
    if (auto v = validate_layout(*source_, vi.channels, int64_t(vi.sample_rate)); !v) return v.error();
    info_.sample_rate = int(vi.sample_rate);
    info_.channels = vi.channels;
    const unsigned total = stb_vorbis_stream_length_in_samples(vorbis_.get());
    info_.frames = total >= 0xFFFFFFFEu ? 0 : total;  // stb's "unknown" markers
    if (!stb_vorbis_seek_start(vorbis_.get())) {
      // Could not return to the first audio page after measuring: reopen from scratch.
      stb_vorbis_alloc alloc{reinterpret_cast<char*>(arena_.data()), int(arena_.size())};
      vorbis_.reset();
      vorbis_.reset(stb_vorbis_open_memory(compressed_.data(), int(compressed_.size()), &error, &alloc));
      if (!vorbis_) return corrupt(*source_, vorbis_error_text(error));
    }
    return {};
  }

  const StreamInfo& info() const override { return info_; }

  Expected<size_t> read(float* mono, size_t max_frames) override {
    size_t written = 0;
    while (written < max_frames) {
      if (pos_ == frames_) {
        if (finished_) break;
        int channels = 0;
        float** pcm = nullptr;
        const int n = stb_vorbis_get_frame_float(vorbis_.get(), &channels, &pcm);
        if (n <= 0 || channels <= 0 || pcm == nullptr) {
          finished_ = true;
          break;
        }
        pcm_ = pcm;
        channels_ = channels;
        frames_ = size_t(n);
        pos_ = 0;
      }
      const size_t n = std::min(max_frames - written, frames_ - pos_);
      for (size_t i = 0; i < n; ++i) {
        float sum = pcm_[0][pos_ + i];
        for (int c = 1; c < channels_; ++c) sum += pcm_[c][pos_ + i];
        const float v = channels_ == 1 ? sum : sum / float(channels_);
        if (!std::isfinite(v)) {
          return corrupt(*source_, "NaN or infinite sample near frame " + std::to_string(done_ + written + i));
        }
        mono[written + i] = v;
      }
      written += n;
      pos_ += n;
    }
    done_ += written;
    return written;
  }

 private:
  std::unique_ptr<ByteSource> source_;
  StreamInfo info_;
  std::vector<uint8_t> compressed_;
  std::vector<uint8_t> arena_;
  std::unique_ptr<stb_vorbis, VorbisCloser> vorbis_;
  float** pcm_ = nullptr;
  int channels_ = 0;
  size_t frames_ = 0, pos_ = 0;
  uint64_t done_ = 0;
  bool finished_ = false;
};

}  // namespace

Expected<std::unique_ptr<Decoder>> open_ogg_decoder(std::unique_ptr<ByteSource> source) {
  auto decoder = std::make_unique<OggDecoder>(std::move(source));
  if (auto s = decoder->start(); !s) return s.error();
  std::unique_ptr<Decoder> result = std::move(decoder);
  return result;
}

}  // namespace melgenre::audio_detail
