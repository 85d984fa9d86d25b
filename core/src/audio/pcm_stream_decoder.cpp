#include "audio/pcm_stream_decoder.hpp"

#include <algorithm>
#include <vector>

#include "audio/byte_reader.hpp"

namespace melgenre::audio_detail {
namespace {

// Bytes pulled from the source per pass: bounds memory whatever max_frames or the channel count.
constexpr size_t kReadBytes = 64 * 1024;

class PcmStreamDecoder final : public Decoder {
 public:
  PcmStreamDecoder(std::unique_ptr<ByteSource> source, AudioFormat format, const PcmLayout& layout)
      : source_(std::move(source)), layout_(layout) {
    frame_bytes_ = size_t(layout.format.bytes_per_sample) * size_t(layout.channels);
    info_.format = format;
    info_.sample_rate = layout.sample_rate;
    info_.channels = layout.channels;
    if (layout.data_bytes) {
      info_.frames = *layout.data_bytes / frame_bytes_;
      frames_left_ = info_.frames;
    }
    buffer_.resize(std::max(frame_bytes_, kReadBytes - kReadBytes % frame_bytes_));
  }

  const StreamInfo& info() const override { return info_; }

  Expected<size_t> read(float* mono, size_t max_frames) override {
    if (!positioned_) {
      if (auto s = source_->seek(layout_.data_offset); !s) return s.error();
      positioned_ = true;
    }
    size_t written = 0;
    while (written < max_frames && !finished_) {
      size_t want = std::min(max_frames - written, buffer_.size() / frame_bytes_);
      if (layout_.data_bytes) want = size_t(std::min<uint64_t>(want, frames_left_));
      if (want == 0) {
        finished_ = true;
        break;
      }
      auto got = read_fully(*source_, buffer_.data(), want * frame_bytes_);
      if (!got) return got.error();
      const size_t frames = *got / frame_bytes_;
      if (frames < want) {
        finished_ = true;  // end of the source; a trailing partial frame is dropped
        if (layout_.data_bytes) {
          return corrupt(*source_, "truncated audio data (file ended " + std::to_string(frames_left_ - frames) +
                                       " frames early)");
        }
      }
      if (!pcm_to_mono(layout_.format, layout_.channels, buffer_.data(), frames, mono + written)) {
        return corrupt(*source_, "NaN or infinite sample near frame " + std::to_string(frames_done_ + written));
      }
      written += frames;
      if (layout_.data_bytes) frames_left_ -= frames;
    }
    frames_done_ += written;
    return written;
  }

 private:
  std::unique_ptr<ByteSource> source_;
  PcmLayout layout_;
  StreamInfo info_;
  size_t frame_bytes_ = 1;
  uint64_t frames_left_ = 0;
  uint64_t frames_done_ = 0;
  bool positioned_ = false;
  bool finished_ = false;
  std::vector<uint8_t> buffer_;
};

}  // namespace

Expected<void> validate_layout(const ByteSource& source, int channels, int64_t sample_rate) {
  if (channels <= 0) return corrupt(source, "header says 0 channels");
  if (channels > kMaxChannels) {
    return corrupt(source, "header says " + std::to_string(channels) + " channels (at most " +
                               std::to_string(kMaxChannels) + " are supported)");
  }
  if (sample_rate <= 0) return corrupt(source, "header says sample rate " + std::to_string(sample_rate) + " Hz");
  if (sample_rate > kMaxSampleRate) {
    return corrupt(source, "implausible sample rate " + std::to_string(sample_rate) + " Hz (at most " +
                               std::to_string(kMaxSampleRate) + ")");
  }
  return {};
}

std::unique_ptr<Decoder> make_pcm_stream_decoder(std::unique_ptr<ByteSource> source, AudioFormat format,
                                                 const PcmLayout& layout) {
  return std::make_unique<PcmStreamDecoder>(std::move(source), format, layout);
}

}  // namespace melgenre::audio_detail
