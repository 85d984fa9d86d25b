// Errors that name the byte source they came from ("song.wav: truncated data chunk ...").
#pragma once

#include <string>

#include "melgenre/audio.hpp"
#include "melgenre/error.hpp"

namespace melgenre::audio_detail {

inline Error source_error(Status status, const ByteSource& source, const std::string& reason) {
  return make_error(status, source.name() + ": " + reason);
}

inline Error corrupt(const ByteSource& source, const std::string& reason) {
  return source_error(Status::corrupt_input, source, reason);
}

inline Error unsupported(const ByteSource& source, const std::string& reason) {
  return source_error(Status::unsupported_format, source, reason);
}

// A seek beyond the last byte: the one message every ByteSource gives for it.
inline Error seek_past_end(const ByteSource& source, uint64_t offset) {
  return corrupt(source, "seek to byte " + std::to_string(offset) + " past the end (" +
                             std::to_string(source.size()) + " bytes)");
}

}  // namespace melgenre::audio_detail
