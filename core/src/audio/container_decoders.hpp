// One opener per container; each parses its header from offset 0 of the source.
#pragma once

#include <memory>

#include "melgenre/audio.hpp"

namespace melgenre::audio_detail {

Expected<std::unique_ptr<Decoder>> open_wav_decoder(std::unique_ptr<ByteSource> source);
Expected<std::unique_ptr<Decoder>> open_au_decoder(std::unique_ptr<ByteSource> source);
Expected<std::unique_ptr<Decoder>> open_mp3_decoder(std::unique_ptr<ByteSource> source);
Expected<std::unique_ptr<Decoder>> open_ogg_decoder(std::unique_ptr<ByteSource> source);

}  // namespace melgenre::audio_detail
