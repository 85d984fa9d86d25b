/* Configuration shared by the stb_vorbis implementation unit and its C++ user: must match in both. */
#ifndef MELGENRE_STB_VORBIS_CONFIG_H
#define MELGENRE_STB_VORBIS_CONFIG_H
#define STB_VORBIS_NO_STDIO 1              /* bytes come from a ByteSource, never a FILE* */
#define STB_VORBIS_NO_INTEGER_CONVERSION 1 /* we only take float output */
#define STB_VORBIS_NO_PUSHDATA_API 1       /* the pull API over memory is used */
#endif
