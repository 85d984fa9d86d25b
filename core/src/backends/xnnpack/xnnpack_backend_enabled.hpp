// xnnpack backend: make_xnnpack_backend is defined in xnnpack_backend.cpp and links (see backend_factories.hpp).
