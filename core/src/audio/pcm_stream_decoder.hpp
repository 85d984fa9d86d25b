// A Decoder over one contiguous run of interleaved PCM frames (the body of a WAV or AU file).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "audio/pcm_format.hpp"
#include "melgenre/audio.hpp"

namespace melgenre::audio_detail {

struct PcmLayout {
  PcmFormat format;
  int channels = 0;
  int sample_rate = 0;
  uint64_t data_offset = 0;
  std::optional<uint64_t> data_bytes;  // none: the data runs to the end of the source
};

// Limits shared by the PCM containers: beyond them a header is corrupt rather than merely unusual.
constexpr int kMaxChannels = 1024;
constexpr int kMaxSampleRate = 1000000;

// Checks channels and rate; returns an error naming the source when they are impossible.
Expected<void> validate_layout(const ByteSource& source, int channels, int64_t sample_rate);

std::unique_ptr<Decoder> make_pcm_stream_decoder(std::unique_ptr<ByteSource> source, AudioFormat format,
                                                 const PcmLayout& layout);

}  // namespace melgenre::audio_detail
