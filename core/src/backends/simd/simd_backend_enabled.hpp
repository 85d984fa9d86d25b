// simd backend: make_simd_backend is defined in simd_backend.cpp and links (see backend_factories.hpp).
