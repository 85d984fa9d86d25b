// Audio in: pull-style decoders over a byte source (memory or file), float32 mono out, scaled like librosa.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "melgenre/error.hpp"

namespace melgenre {

// Mono float32 PCM and its sample rate.
struct Audio {
  std::vector<float> samples;
  int sample_rate = 0;
  double duration_seconds() const { return sample_rate > 0 ? double(samples.size()) / sample_rate : 0.0; }
};

enum class AudioFormat { unknown, wav, au, mp3, ogg };
const char* format_name(AudioFormat format);

// Detects the container from the first bytes (never from a file name). `size` may be a short prefix;
// 64 bytes are enough.
AudioFormat sniff_format(const uint8_t* data, size_t size);

// Where a decoder pulls its bytes from. Borrowed memory or a file; the only core code touching disk is
// the file source.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes; returns how many were read (0 at end).
  virtual Expected<size_t> read(uint8_t* dst, size_t n) = 0;
  virtual Expected<void> seek(uint64_t offset) = 0;
  virtual uint64_t tell() const = 0;
  virtual uint64_t size() const = 0;
  // A name for error messages (the path, or "<memory>").
  virtual const std::string& name() const = 0;
};

// The memory must outlive the source.
std::unique_ptr<ByteSource> make_memory_source(const uint8_t* data, size_t size, std::string name = "<memory>");
Expected<std::unique_ptr<ByteSource>> open_file_source(const std::string& path);

struct StreamInfo {
  AudioFormat format = AudioFormat::unknown;
  int sample_rate = 0;
  int channels = 0;
  uint64_t frames = 0;  // total frames when the container says so, else 0
};

// Pull decoder: each read() yields at most max_frames mono frames (channels averaged). Memory stays
// bounded by the chunk size whatever the file length.
class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual const StreamInfo& info() const = 0;
  // Returns the number of frames written to `mono` (0 at the end of the stream).
  virtual Expected<size_t> read(float* mono, size_t max_frames) = 0;
};

// Sniffs the format and opens the matching decoder. Header errors are reported here.
Expected<std::unique_ptr<Decoder>> open_decoder(std::unique_ptr<ByteSource> source);

struct DecodeOptions {
  int target_rate = 0;      // 0 keeps the file's rate, otherwise resampled with Resampler
  double max_seconds = 0;   // 0 = no limit; longer input is refused with Status::resource_limit
};

// Whole-stream conveniences built on open_decoder + Resampler.
Expected<Audio> decode_memory(const uint8_t* data, size_t size, const DecodeOptions& options = {});
Expected<Audio> decode_file(const std::string& path, const DecodeOptions& options = {});
// The same over any source (e.g. a memory source named after the user's file for error messages).
Expected<Audio> decode_source(std::unique_ptr<ByteSource> source, const DecodeOptions& options = {});

}  // namespace melgenre
