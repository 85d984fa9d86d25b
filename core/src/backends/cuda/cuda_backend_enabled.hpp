// Marker for backend_registry.cpp: make_cuda_backend and cuda_worth_it are defined (cuda_backend.cpp).
