// Bytes and audio from a command-line input: a file path, or "-" for standard input. Everything is
// bounded: an input larger than the limit is refused, never read without end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "melgenre/audio.hpp"
#include "melgenre/error.hpp"

namespace melgenre::cli {

constexpr uint64_t kMaxStdinBytes = 1ull << 30;

// The whole file, refused above max_bytes (a model or an audio file read into memory).
Expected<std::vector<uint8_t>> read_whole_file(const std::string& path, uint64_t max_bytes);
// All of stdin, refused above max_bytes.
Expected<std::vector<uint8_t>> read_stdin(uint64_t max_bytes);

// Decodes `path` (streamed from disk), or all of stdin when path is "-".
Expected<Audio> decode_input(const std::string& path, const DecodeOptions& options);

}  // namespace melgenre::cli
