/* The one translation unit that compiles stb_vorbis (libstb-dev ships the full implementation). */
#include "audio/stb_vorbis_config.h"
#include "stb_vorbis.h"
