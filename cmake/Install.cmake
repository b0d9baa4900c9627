# Installation and packaging (included from the top CMakeLists.txt):
#
#   lib/libwasmbound.so.X.Y.Z, libwasmbound.so.0       (wasmbound_Runtime: stripped, SONAME link)
#   lib/.debug/libwasmbound.so.X.Y.Z.debug              (wasmbound_Debug: its debug info,
#                                                        found by gdb through .gnu_debuglink)
#   lib/libwasmbound.so                                 (wasmbound_Development, and the rest:)
#   lib/libwasmbound.a                                  (only when built: `make static`)
#   include/wasmbound.h, include/wasmbound.hh
#   lib/cmake/wasmbound/wasmboundConfig.cmake          (hand-written: see below)
#   lib/cmake/wasmbound/wasmboundConfigVersion.cmake
#   lib/pkgconfig/wasmbound.pc, wasmbound-static.pc    (the latter with the archive)
#
# The library is built by `go build`, so CMake only knows it as an IMPORTED
# target, and install(EXPORT) cannot export one. As corrosion does for Rust
# libraries, the package config is written by hand (cmake/wasmboundConfig.cmake.in)
# and recreates wasmbound::wasmbound from the installed files. Both the config
# and the .pc files are relocatable, so `cmake --install build --prefix P`
# works for any P. install(FILES) knows nothing of `--strip`: the installed
# library is the stripped copy cmake/GoLibrary.cmake makes.
#
# Also here: the static variant (target wasmbound_static, `make static`): a
# c-archive of the same Go packages merged with Wasmtime's libwasmtime.a.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Vendored with add_subdirectory, wasmbound installs nothing unless asked:
# the project that vendors it decides what it ships.
option(WASMBOUND_INSTALL "Generate wasmbound's install rules (default: only as the top-level project)"
       ${WB_TOP_LEVEL})

# ---- the static variant ----------------------------------------------------
# Built on demand only (not part of ALL): `make static`, or
# `cmake --build <dir> --target wasmbound_static`.
# System libraries the archive needs (Wasmtime: libm, libdl, pthreads; the Go
# runtime: pthreads), for pkg-config's Libs.private and the CMake targets.
set(WB_STATIC_SYSTEM_LIBS pthread dl m)
set(WB_STATIC_DIR "${CMAKE_CURRENT_BINARY_DIR}/go-static")
set(WB_STATIC_LIB "${CMAKE_CURRENT_BINARY_DIR}/libwasmbound.a")
# An `ar -M` script with relative names (MRI scripts break on some path
# characters, e.g. '+'); run in WB_STATIC_DIR.
file(GENERATE OUTPUT "${WB_STATIC_DIR}/merge.mri" CONTENT
"create libwasmbound.a
addlib libwasmbound_go.a
addlib libwasmtime.a
save
end
")
add_custom_command(
  OUTPUT "${WB_STATIC_LIB}"
  COMMAND ${CMAKE_COMMAND} -E env ${WB_GO_ENV}
          "${GO_EXECUTABLE}" build -trimpath -buildmode=c-archive ${wb_go_flags}
          -o "${WB_STATIC_DIR}/libwasmbound_go.a" .
  # cgo's header is not part of the API: removed so nobody includes it.
  COMMAND ${CMAKE_COMMAND} -E rm -f "${WB_STATIC_DIR}/libwasmbound_go.h"
  COMMAND ${CMAKE_COMMAND} -E create_symlink "${WASMTIME_STATIC_LIB}" "${WB_STATIC_DIR}/libwasmtime.a"
  COMMAND ${CMAKE_COMMAND} -E rm -f "${WB_STATIC_DIR}/libwasmbound.a"
  # ar's LTO plugin complains about every Rust object (harmless): keep its
  # output in ar.log and show it only when ar fails.
  COMMAND sh -c "cd \"$1\" && \"$0\" -M < merge.mri > ar.log 2>&1 || { cat ar.log; exit 1; }"
          "${CMAKE_AR}" "${WB_STATIC_DIR}"
  COMMAND ${CMAKE_COMMAND} -E rename "${WB_STATIC_DIR}/libwasmbound.a" "${WB_STATIC_LIB}"
  DEPENDS ${WB_GO_SOURCES} "${WB_STATIC_DIR}/merge.mri"
  WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
  COMMENT "go build -buildmode=c-archive, merged with libwasmtime.a: libwasmbound.a"
  VERBATIM)
add_custom_target(wasmbound_static DEPENDS "${WB_STATIC_LIB}")

# In the build tree (add_subdirectory): wasmbound::wasmbound_static builds the
# archive when something links it.
add_library(wasmbound_static_archive STATIC IMPORTED GLOBAL)
set_target_properties(wasmbound_static_archive PROPERTIES
  IMPORTED_LOCATION "${WB_STATIC_LIB}"
  INTERFACE_INCLUDE_DIRECTORIES "${CMAKE_CURRENT_SOURCE_DIR}/include"
  INTERFACE_LINK_LIBRARIES "${WB_STATIC_SYSTEM_LIBS}")
add_dependencies(wasmbound_static_archive wasmbound_static)
add_library(wasmbound::wasmbound_static ALIAS wasmbound_static_archive)

if(NOT WASMBOUND_INSTALL)
  return()
endif()

# ---- install rules ---------------------------------------------------------
set(WB_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/wasmbound" CACHE STRING
    "where wasmboundConfig.cmake goes, relative to the prefix")
set(WB_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig" CACHE STRING
    "where wasmbound.pc goes, relative to the prefix")
mark_as_advanced(WB_INSTALL_CMAKEDIR WB_INSTALL_PKGCONFIGDIR)

# The shared library, stripped, and its links (install(FILES) keeps
# symlinks as symlinks); its debug info where gdb looks for the file the
# library's .gnu_debuglink names: a .debug directory beside it.
install(FILES "${WB_LIB_STRIPPED}" "${WB_LIB_SONAME}"
  DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE
  COMPONENT wasmbound_Runtime)
install(FILES "${WB_LIB_DEBUG}"
  DESTINATION "${CMAKE_INSTALL_LIBDIR}/.debug"
  COMPONENT wasmbound_Debug)
install(FILES "${WB_LIB_LINK}"
  DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  COMPONENT wasmbound_Development)
# The archive only if it was built before installing.
install(FILES "${WB_STATIC_LIB}" OPTIONAL
  DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  COMPONENT wasmbound_Development)
# The public headers (never the cgo-generated libwasmbound.h).
install(FILES "${CMAKE_CURRENT_SOURCE_DIR}/include/wasmbound.h" "${CMAKE_CURRENT_SOURCE_DIR}/include/wasmbound.hh"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  COMPONENT wasmbound_Development)

# Package config (relocatable through PACKAGE_PREFIX_DIR) and version file.
set(WB_INSTALL_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
set(WB_INSTALL_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
configure_package_config_file(
  "${CMAKE_CURRENT_SOURCE_DIR}/cmake/wasmboundConfig.cmake.in"
  "${CMAKE_CURRENT_BINARY_DIR}/packaging/wasmboundConfig.cmake"
  INSTALL_DESTINATION "${WB_INSTALL_CMAKEDIR}"
  PATH_VARS WB_INSTALL_LIBDIR WB_INSTALL_INCLUDEDIR)
# The SONAME (libwasmbound.so.0) promises ABI compatibility within the
# major version from 0.2.0 on (the first release with a stable ABI), and so
# does the package: any release of the same major version at least as new
# as the one asked for, but not for a request older than 0.2, whose API
# was different (cmake/wasmboundConfigVersion.cmake.in).
set(WB_ABI_FIRST_VERSION 0.2)
configure_file("${CMAKE_CURRENT_SOURCE_DIR}/cmake/wasmboundConfigVersion.cmake.in"
  "${CMAKE_CURRENT_BINARY_DIR}/packaging/wasmboundConfigVersion.cmake" @ONLY)
install(FILES
  "${CMAKE_CURRENT_BINARY_DIR}/packaging/wasmboundConfig.cmake"
  "${CMAKE_CURRENT_BINARY_DIR}/packaging/wasmboundConfigVersion.cmake"
  DESTINATION "${WB_INSTALL_CMAKEDIR}"
  COMPONENT wasmbound_Development)

# pkg-config files. `cmake --install --prefix P` chooses the prefix after
# configuration, so the .pc files find it from their own place (${pcfiledir})
# whenever the directories are relative to the prefix.
if(IS_ABSOLUTE "${WB_INSTALL_PKGCONFIGDIR}")
  set(WB_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH wb_pc_up "/wb/${WB_INSTALL_PKGCONFIGDIR}" "/wb")
  string(REGEX REPLACE "/$" "" wb_pc_up "${wb_pc_up}")
  set(WB_PC_PREFIX "\${pcfiledir}/${wb_pc_up}")
endif()
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(WB_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(WB_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
list(TRANSFORM WB_STATIC_SYSTEM_LIBS PREPEND "-l" OUTPUT_VARIABLE wb_pc_libs)
string(JOIN " " WB_PC_STATIC_LIBS ${wb_pc_libs})
configure_file("${CMAKE_CURRENT_SOURCE_DIR}/cmake/wasmbound.pc.in"
  "${CMAKE_CURRENT_BINARY_DIR}/packaging/wasmbound.pc" @ONLY)
configure_file("${CMAKE_CURRENT_SOURCE_DIR}/cmake/wasmbound-static.pc.in"
  "${CMAKE_CURRENT_BINARY_DIR}/packaging/wasmbound-static.pc" @ONLY)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/packaging/wasmbound.pc"
  DESTINATION "${WB_INSTALL_PKGCONFIGDIR}"
  COMPONENT wasmbound_Development)
# wasmbound-static.pc only beside an installed archive.
if(IS_ABSOLUTE "${WB_INSTALL_PKGCONFIGDIR}")
  set(wb_pc_dest "${WB_INSTALL_PKGCONFIGDIR}")
else()
  set(wb_pc_dest "\${CMAKE_INSTALL_PREFIX}/${WB_INSTALL_PKGCONFIGDIR}")
endif()
install(CODE "
  if(EXISTS \"${WB_STATIC_LIB}\")
    file(INSTALL DESTINATION \"${wb_pc_dest}\" TYPE FILE
         FILES \"${CMAKE_CURRENT_BINARY_DIR}/packaging/wasmbound-static.pc\")
  endif()"
  COMPONENT wasmbound_Development)
