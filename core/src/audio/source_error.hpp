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

}  // namespace melgenre::audio_detail
