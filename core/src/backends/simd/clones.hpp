// MELGENRE_CLONES: on x86 Linux with GCC, compile a plain loop twice (AVX2 and baseline) and let the
// loader pick (target_clones), since the native build has no -march flags. Elsewhere (WebAssembly with
// -msimd128, other compilers) it expands to nothing.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define MELGENRE_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MELGENRE_CLONES
#endif
