// open_decoder (sniff + dispatch) and the whole-stream conveniences decode_memory / decode_file.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <sstream>

#include "audio/byte_reader.hpp"
#include "audio/container_decoders.hpp"
#include "audio/pcm_stream_decoder.hpp"
#include "melgenre/audio.hpp"
#include "melgenre/resampler.hpp"

namespace melgenre {
namespace {

using audio_detail::read_fully;

constexpr size_t kSniffBytes = 64;
constexpr size_t kChunkFrames = 16384;
// Never reserve more than this up front from a header's claim (damaged headers can claim anything).
constexpr uint64_t kMaxReserveFrames = uint64_t(1) << 24;

std::string seconds_text(double s) {
  std::ostringstream o;
  o.precision(s < 10 ? 3 : 1);
  o << std::fixed << s << " s";
  return o.str();
}

Error unknown_format(const ByteSource& source, const uint8_t* head, size_t n) {
  auto starts = [&](const char* magic) { return n >= std::strlen(magic) && std::memcmp(head, magic, std::strlen(magic)) == 0; };
  std::string why = "unrecognised audio format (melgenre reads WAV, AU, MP3 and Ogg Vorbis)";
  if (starts("OggS")) why = "Ogg stream is not Vorbis (Opus and FLAC-in-Ogg are not supported)";
  if (starts("fLaC")) why = "FLAC is not supported (convert to WAV)";
  if (starts("RIFF")) why = "RIFF file is not WAVE audio";
  if (starts("FORM")) why = "AIFF is not supported (convert to WAV)";
  return audio_detail::unsupported(source, why);
}

Expected<Audio> decode_stream(Decoder& decoder, const std::string& name, const DecodeOptions& options) {
  const StreamInfo& info = decoder.info();
  if (info.sample_rate <= 0) return make_error(Status::corrupt_input, name + ": no sample rate");
  const int out_rate = options.target_rate > 0 ? options.target_rate : info.sample_rate;
  uint64_t limit_frames = UINT64_MAX;
  if (options.max_seconds > 0) {
    limit_frames = uint64_t(std::ceil(options.max_seconds * info.sample_rate));
    if (info.frames > limit_frames) {
      return make_error(Status::resource_limit,
                        name + ": audio is " + seconds_text(double(info.frames) / info.sample_rate) +
                            " long, over the limit of " + seconds_text(options.max_seconds));
    }
  }

  std::optional<Resampler> resampler;
  if (out_rate != info.sample_rate) {
    auto r = Resampler::create(info.sample_rate, out_rate);
    if (!r) return make_error(r.error().status, name + ": " + r.error().message);
    resampler.emplace(std::move(*r));
  }

  Audio audio;
  audio.sample_rate = out_rate;
  const uint64_t expected = std::min({info.frames, limit_frames, kMaxReserveFrames});
  audio.samples.reserve(size_t(double(expected) * out_rate / info.sample_rate) + 1);

  std::vector<float> chunk(kChunkFrames);
  uint64_t total = 0;
  for (;;) {
    auto got = decoder.read(chunk.data(), chunk.size());
    if (!got) return got.error();
    if (*got == 0) break;
    total += *got;
    if (total > limit_frames) {
      return make_error(Status::resource_limit,
                        name + ": audio is longer than the limit of " + seconds_text(options.max_seconds));
    }
    if (resampler) {
      resampler->process(chunk.data(), *got, audio.samples);
    } else {
      audio.samples.insert(audio.samples.end(), chunk.begin(), chunk.begin() + std::ptrdiff_t(*got));
    }
  }
  if (total == 0) return make_error(Status::corrupt_input, name + ": no audio samples");
  if (resampler) resampler->flush(audio.samples);
  return audio;
}

}  // namespace

Expected<Audio> decode_source(std::unique_ptr<ByteSource> source, const DecodeOptions& options) {
  if (!source) return make_error(Status::invalid_argument, "no byte source given");
  if (options.target_rate < 0 || options.target_rate > audio_detail::kMaxSampleRate) {
    return make_error(Status::invalid_argument, "target sample rate " + std::to_string(options.target_rate) +
                                                    " Hz is out of range (1.." +
                                                    std::to_string(audio_detail::kMaxSampleRate) + ")");
  }
  if (!(options.max_seconds >= 0) || std::isinf(options.max_seconds)) {
    return make_error(Status::invalid_argument, "max_seconds must be a finite number >= 0");
  }
  const std::string name = source->name();
  auto decoder = open_decoder(std::move(source));
  if (!decoder) return decoder.error();
  return decode_stream(**decoder, name, options);
}

Expected<std::unique_ptr<Decoder>> open_decoder(std::unique_ptr<ByteSource> source) {
  if (!source) return make_error(Status::invalid_argument, "no byte source given");
  if (source->size() == 0) return make_error(Status::invalid_argument, source->name() + ": empty file (0 bytes)");
  uint8_t head[kSniffBytes];
  if (auto s = source->seek(0); !s) return s.error();
  auto got = read_fully(*source, head, sizeof head);
  if (!got) return got.error();
  switch (sniff_format(head, *got)) {
    case AudioFormat::wav: return audio_detail::open_wav_decoder(std::move(source));
    case AudioFormat::au: return audio_detail::open_au_decoder(std::move(source));
    case AudioFormat::mp3: return audio_detail::open_mp3_decoder(std::move(source));
    case AudioFormat::ogg: return audio_detail::open_ogg_decoder(std::move(source));
    case AudioFormat::unknown: break;
  }
  return unknown_format(*source, head, *got);
}

Expected<Audio> decode_memory(const uint8_t* data, size_t size, const DecodeOptions& options) {
  return decode_source(make_memory_source(data, size), options);
}

Expected<Audio> decode_file(const std::string& path, const DecodeOptions& options) {
  auto source = open_file_source(path);
  if (!source) return source.error();
  return decode_source(std::move(*source), options);
}

}  // namespace melgenre
