# What a release needs besides the library (top-level builds only):
#
#   target docs          the HTML reference from the public headers (Doxygen),
#                        warnings as errors: build/docs/html/index.html
#   target abi-baseline  rewrites abi/libwasmbound.so.0.abi from this build
#   CPack                `make package`: a .deb (wasmbound, and wasmbound-dbg with
#                        the debug info) and a .tar.gz of the installed tree
#
# The checks of all three run in CTest (ctest/release.cmake).

# ---- reference documentation ----------------------------------------------
find_program(DOXYGEN_EXECUTABLE doxygen DOC "Doxygen, for `make docs`")
set(WB_DOCS_DIR "${CMAKE_CURRENT_BINARY_DIR}/docs")
configure_file("${CMAKE_CURRENT_SOURCE_DIR}/docs/Doxyfile.in" "${WB_DOCS_DIR}/Doxyfile" @ONLY)
# One command for the target and the test: Doxygen (every warning fails),
# then the conventions Doxygen cannot check (docs/doc_lint.sh).
set(WB_DOCS_COMMAND ${CMAKE_COMMAND} "-DDOXYGEN=${DOXYGEN_EXECUTABLE}" "-DDOXYFILE=${WB_DOCS_DIR}/Doxyfile"
    "-DDOCS_DIR=${WB_DOCS_DIR}" "-DSOURCE_DIR=${CMAKE_CURRENT_SOURCE_DIR}"
    -P "${CMAKE_CURRENT_SOURCE_DIR}/docs/docs.cmake")
add_custom_target(docs COMMAND ${WB_DOCS_COMMAND}
  COMMENT "Doxygen: ${WB_DOCS_DIR}/html/index.html" VERBATIM)

# ---- ABI baseline -------------------------------------------------------------
add_custom_target(abi-baseline
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/abi/abi.sh" update "${WB_LIB_REAL}" "${CMAKE_CURRENT_SOURCE_DIR}/include"
  DEPENDS wasmbound_go
  COMMENT "abidw: abi/libwasmbound.so.${WB_SOVERSION}.abi from ${WB_LIB_NAME}" VERBATIM)

# ---- packages (CPack) ------------------------------------------------------------
# `cpack` in the build tree (`make package`) installs the tree as
# `cmake --install` does (the stripped library, the archive only when it was
# built) and makes:
#   wasmbound_X.Y.Z_amd64.deb        runtime and development files, prefix /usr
#   wasmbound-dbg_X.Y.Z_amd64.deb    the library's debug info (/usr/lib/.debug)
#   wasmbound-X.Y.Z-Linux-x86_64.tar.gz   everything, relocatable (any prefix)
if(WASMBOUND_INSTALL)
  # cpack (and the build tree's own `install` target) would first rebuild
  # `all`, every test program included; what is installed is the library,
  # which `make package` and `make install` build first.
  set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
  set(CPACK_PACKAGE_NAME wasmbound)
  set(CPACK_PACKAGE_VENDOR "wasmbound")
  set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
      "Run WebAssembly through Wasmtime from many C and C++ threads, safely")
  set(CPACK_PACKAGE_CONTACT "wasmbound maintainers <maintainers@wasmbound.invalid>")
  set(CPACK_PACKAGE_FILE_NAME "wasmbound-${PROJECT_VERSION}-Linux-${CMAKE_SYSTEM_PROCESSOR}")
  set(CPACK_RESOURCE_FILE_README "${CMAKE_CURRENT_SOURCE_DIR}/README.md")
  set(CPACK_GENERATOR "DEB;TGZ")
  set(CPACK_PACKAGE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/packages")
  set(CPACK_STRIP_FILES OFF) # the installed library is stripped already (debug info kept apart)
  set(CPACK_THREADS 0)       # all cores for compression

  # .tar.gz: one archive of the whole installed tree.
  set(CPACK_ARCHIVE_COMPONENT_INSTALL OFF)
  # .deb: one package per group.
  set(CPACK_DEB_COMPONENT_INSTALL ON)
  # (the .deb installs under /usr, CPack's default for it; the .tar.gz is relocatable)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SECTION libs)
  set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://wasmbound.invalid")
  set(CPACK_DEBIAN_MAIN_PACKAGE_NAME wasmbound)
  # the Go runtime and Wasmtime need only the C library and libgcc's unwinder
  set(CPACK_DEBIAN_MAIN_PACKAGE_DEPENDS "libc6 (>= 2.34), libgcc-s1")
  set(CPACK_DEBIAN_MAIN_DESCRIPTION
"Run WebAssembly through Wasmtime from many C and C++ threads, safely
 libwasmbound.so.${WB_SOVERSION} (Go and C around Wasmtime 39), its C header wasmbound.h,
 the C++17 header wasmbound.hh, a CMake package (find_package(wasmbound)) and
 pkg-config files.")
  set(CPACK_DEBIAN_DBG_PACKAGE_NAME wasmbound-dbg)
  set(CPACK_DEBIAN_DBG_PACKAGE_SECTION debug)
  set(CPACK_DEBIAN_DBG_PACKAGE_DEPENDS "wasmbound (= ${PROJECT_VERSION})")
  set(CPACK_DEBIAN_DBG_DESCRIPTION
"debug info of libwasmbound.so.${PROJECT_VERSION}
 The DWARF and symbol table stripped from the library of the wasmbound
 package; gdb finds it through the library's .gnu_debuglink.")

  include(CPack)
  cpack_add_component_group(main DISPLAY_NAME "wasmbound")
  cpack_add_component_group(dbg DISPLAY_NAME "wasmbound debug info")
  cpack_add_component(wasmbound_Runtime GROUP main)
  cpack_add_component(wasmbound_Development GROUP main DEPENDS wasmbound_Runtime)
  cpack_add_component(wasmbound_Debug GROUP dbg DEPENDS wasmbound_Runtime)
endif()
