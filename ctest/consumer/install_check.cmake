# cmake -DBUILD_DIR=<build tree> -DPREFIX=<fresh prefix> [-DCLEAN=<dirs>] -P install_check.cmake
#
# Installs the build tree into PREFIX (emptied first) with `cmake --install`,
# then checks the layout the issue asks for: the library with its SONAME
# links, both headers (and not cgo's), the package config with its version
# file, and the pkg-config file.
foreach(v BUILD_DIR PREFIX)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "${v} is not set")
  endif()
endforeach()

# A fresh prefix, and fresh consumer build trees (no cached find results).
string(REPLACE "|" ";" CLEAN "${CLEAN}")
file(REMOVE_RECURSE "${PREFIX}" ${CLEAN})
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()

set(missing "")
foreach(f
    lib/libwasmbound.so.0.1.0
    lib/libwasmbound.so.0
    lib/libwasmbound.so
    include/wasmbound.h
    include/wasmbound.hh
    lib/cmake/wasmbound/wasmboundConfig.cmake
    lib/cmake/wasmbound/wasmboundConfigVersion.cmake
    lib/pkgconfig/wasmbound.pc)
  if(NOT EXISTS "${PREFIX}/${f}")
    list(APPEND missing "${f}")
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "not installed: ${missing}")
endif()
if(EXISTS "${PREFIX}/include/libwasmbound.h")
  message(FATAL_ERROR "cgo's generated header was installed")
endif()

# The SONAME chain: libwasmbound.so -> libwasmbound.so.0 -> libwasmbound.so.0.1.0
foreach(pair "libwasmbound.so;libwasmbound.so.0" "libwasmbound.so.0;libwasmbound.so.0.1.0")
  list(GET pair 0 link)
  list(GET pair 1 want)
  if(NOT IS_SYMLINK "${PREFIX}/lib/${link}")
    message(FATAL_ERROR "lib/${link} is not a symlink")
  endif()
  file(READ_SYMLINK "${PREFIX}/lib/${link}" got)
  if(NOT got STREQUAL want)
    message(FATAL_ERROR "lib/${link} points to ${got}, not ${want}")
  endif()
endforeach()
execute_process(COMMAND readelf -d "${PREFIX}/lib/libwasmbound.so.0.1.0" OUTPUT_VARIABLE dyn RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT dyn MATCHES "SONAME[^\n]*\\[libwasmbound\\.so\\.0\\]")
  message(FATAL_ERROR "the installed library's SONAME is not libwasmbound.so.0:\n${dyn}")
endif()

file(READ "${PREFIX}/lib/pkgconfig/wasmbound.pc" pc)
foreach(want "Version: 0.1.0" "Libs: -L\${libdir} -lwasmbound" "Libs.private: -lpthread -ldl -lm")
  string(FIND "${pc}" "${want}" at)
  if(at LESS 0)
    message(FATAL_ERROR "wasmbound.pc lacks \"${want}\":\n${pc}")
  endif()
endforeach()
message(STATUS "installed into ${PREFIX}: layout, SONAME links and wasmbound.pc checked")
