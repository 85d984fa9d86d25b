# melgenre_add_vulkan(<target>)
# Adds the Vulkan compute backend (core/src/backends/vulkan) to <target>: the GLSL compute shaders in
# shaders/*.comp are compiled to SPIR-V by glslc at build time and embedded in the binary as uint32
# arrays (a generated .cpp), so the CLI needs no shader files at run time.
# Without the Vulkan loader/headers or glslc the backend is skipped with a message.
function(melgenre_add_vulkan target)
  find_package(Vulkan QUIET)
  find_program(MELGENRE_GLSLC glslc)
  if(NOT Vulkan_FOUND OR NOT MELGENRE_GLSLC)
    message(STATUS "melgenre: Vulkan backend skipped (needs libvulkan-dev and glslc; found Vulkan=${Vulkan_FOUND}, glslc=${MELGENRE_GLSLC})")
    return()
  endif()
  set(dir "${CMAKE_SOURCE_DIR}/core/src/backends/vulkan")
  set(out "${CMAKE_BINARY_DIR}/generated/vulkan")
  file(GLOB shaders CONFIGURE_DEPENDS "${dir}/shaders/*.comp")
  file(GLOB includes CONFIGURE_DEPENDS "${dir}/shaders/*.glsl")
  set(spvs "")
  foreach(src ${shaders})
    get_filename_component(name "${src}" NAME_WE)
    set(spv "${out}/${name}.spv")
    add_custom_command(OUTPUT "${spv}"
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${out}"
      COMMAND "${MELGENRE_GLSLC}" --target-env=vulkan1.0 -O -I "${dir}/shaders" -o "${spv}" "${src}"
      DEPENDS "${src}" ${includes}
      COMMENT "glslc ${name}.comp"
      VERBATIM)
    list(APPEND spvs "${spv}")
  endforeach()
  set(blob_cpp "${out}/vulkan_spirv_blobs.cpp")
  add_custom_command(OUTPUT "${blob_cpp}"
    COMMAND "${CMAKE_COMMAND}" -DOUT=${blob_cpp} "-DSPVS=${spvs}"
            -P "${CMAKE_SOURCE_DIR}/cmake/MelgenreEmbedSpirv.cmake"
    DEPENDS ${spvs} "${CMAKE_SOURCE_DIR}/cmake/MelgenreEmbedSpirv.cmake"
    COMMENT "embedding SPIR-V shaders"
    VERBATIM)
  file(GLOB vsrcs CONFIGURE_DEPENDS "${dir}/*.cpp")
  target_sources(${target} PRIVATE ${vsrcs} "${blob_cpp}")
  # Vulkan create-info structs are written `VkFooInfo info{VK_STRUCTURE_TYPE_...};` (the rest zero) on purpose.
  set_source_files_properties(${vsrcs} PROPERTIES COMPILE_OPTIONS "-Wno-missing-field-initializers")
  target_link_libraries(${target} PUBLIC Vulkan::Vulkan)
  target_compile_definitions(${target} PUBLIC MELGENRE_HAVE_VULKAN=1)
  message(STATUS "melgenre: Vulkan backend enabled (${Vulkan_LIBRARY}, ${MELGENRE_GLSLC})")
endfunction()
