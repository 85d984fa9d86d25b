// Marker for backend_registry.cpp: make_vulkan_backend and vulkan_worth_it are defined (vulkan_backend.cpp).
