// A guard in front of stb_vorbis: its comment-header parser trusts the lengths it reads (a damaged
// length makes it write outside its buffers), so the lengths are checked against the bytes first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace melgenre::audio_detail {

// Returns "" when the Vorbis comment packet (the stream's second packet, on the page after the
// identification page) has lengths that fit inside it, else the reason it does not. Streams that
// stb_vorbis will reject before reaching the comments (a malformed first page) pass through.
std::string check_vorbis_comment_lengths(const uint8_t* data, size_t size);

}  // namespace melgenre::audio_detail
