# cmake -DPREFIX=<prefix> -DVERSION=X.Y.Z [-DBUILD_DIR=<build tree>] [-DCLEAN=<dirs>]
#       [-DLIBDIR=lib] [-DEXPECT_STATIC=ON] [-DCOMPONENT=<name>] -P install_check.cmake
#
# With BUILD_DIR: installs the build tree into PREFIX (emptied first) with
# `cmake --install` (only COMPONENT when given). Then checks the layout of
# PREFIX (an install, or an unpacked package): the stripped library with its
# SONAME links and its debug info beside it (.gnu_debuglink, same build id),
# both headers (and not cgo's), the package config with its version file,
# the pkg-config file, and the static archive exactly when EXPECT_STATIC.
# A COMPONENT install is checked to hold that component's files only.
foreach(v PREFIX VERSION)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "${v} is not set")
  endif()
endforeach()
if(NOT DEFINED LIBDIR)
  set(LIBDIR lib)
endif()
# Installed from a build tree: the archive is expected exactly when the tree
# built it (`make static`, or `make bench`, whose static cases link it).
if(NOT DEFINED EXPECT_STATIC AND DEFINED BUILD_DIR AND EXISTS "${BUILD_DIR}/libwasmbound.a")
  set(EXPECT_STATIC ON)
endif()
string(REGEX MATCH "^[0-9]+" MAJOR "${VERSION}")
set(lib "${PREFIX}/${LIBDIR}")
set(real "libwasmbound.so.${VERSION}")

if(DEFINED BUILD_DIR)
  # A fresh prefix, and fresh consumer build trees (no cached find results).
  string(REPLACE "|" ";" CLEAN "${CLEAN}")
  file(REMOVE_RECURSE "${PREFIX}" ${CLEAN})
  set(component_args "")
  if(COMPONENT)
    set(component_args --component ${COMPONENT})
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" ${component_args}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cmake --install failed: ${rc}")
  endif()
endif()

if(COMPONENT STREQUAL "wasmbound_Runtime")
  # exactly the library and its SONAME link: what a program needs to run
  file(GLOB_RECURSE got LIST_DIRECTORIES false RELATIVE "${PREFIX}" "${PREFIX}/*")
  list(SORT got)
  set(want "${LIBDIR}/libwasmbound.so.${MAJOR};${LIBDIR}/${real}")
  if(NOT got STREQUAL want)
    message(FATAL_ERROR "the runtime component installed ${got}, not ${want}")
  endif()
else()
  set(missing "")
  foreach(f
      ${LIBDIR}/${real}
      ${LIBDIR}/libwasmbound.so.${MAJOR}
      ${LIBDIR}/libwasmbound.so
      ${LIBDIR}/.debug/${real}.debug
      include/wasmbound.h
      include/wasmbound.hh
      ${LIBDIR}/cmake/wasmbound/wasmboundConfig.cmake
      ${LIBDIR}/cmake/wasmbound/wasmboundConfigVersion.cmake
      ${LIBDIR}/pkgconfig/wasmbound.pc)
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
  # install only what was built: the archive only after `make static`
  if(EXPECT_STATIC)
    foreach(f ${LIBDIR}/libwasmbound.a ${LIBDIR}/pkgconfig/wasmbound-static.pc)
      if(NOT EXISTS "${PREFIX}/${f}")
        message(FATAL_ERROR "the static archive was built, but ${f} was not installed")
      endif()
    endforeach()
  elseif(EXISTS "${lib}/libwasmbound.a" OR EXISTS "${lib}/pkgconfig/wasmbound-static.pc")
    message(FATAL_ERROR "libwasmbound.a was installed, but this tree never built it (`make static` and `make bench` do)")
  endif()

  file(READ "${lib}/pkgconfig/wasmbound.pc" pc)
  foreach(want "Version: ${VERSION}" "Libs: -L\${libdir} -lwasmbound" "Libs.private: -lpthread -ldl -lm")
    string(FIND "${pc}" "${want}" at)
    if(at LESS 0)
      message(FATAL_ERROR "wasmbound.pc lacks \"${want}\":\n${pc}")
    endif()
  endforeach()
  file(READ "${lib}/cmake/wasmbound/wasmboundConfigVersion.cmake" cv)
  string(FIND "${cv}" "set(PACKAGE_VERSION \"${VERSION}\")" at)
  if(at LESS 0)
    message(FATAL_ERROR "wasmboundConfigVersion.cmake is not for version ${VERSION}")
  endif()
endif()

# The SONAME chain: libwasmbound.so -> libwasmbound.so.0 -> libwasmbound.so.X.Y.Z
set(chain "libwasmbound.so.${MAJOR};${real}")
if(NOT COMPONENT STREQUAL "wasmbound_Runtime")
  list(PREPEND chain "libwasmbound.so;libwasmbound.so.${MAJOR}")
endif()
while(chain)
  list(POP_FRONT chain link want)
  if(NOT IS_SYMLINK "${lib}/${link}")
    message(FATAL_ERROR "${LIBDIR}/${link} is not a symlink")
  endif()
  file(READ_SYMLINK "${lib}/${link}" got)
  if(NOT got STREQUAL want)
    message(FATAL_ERROR "${LIBDIR}/${link} points to ${got}, not ${want}")
  endif()
endwhile()

# The library: SONAME, stripped, and a debuglink to its debug file.
execute_process(COMMAND readelf -d -S -n -W "${lib}/${real}" OUTPUT_VARIABLE elf RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT elf MATCHES "SONAME[^\n]*\\[libwasmbound\\.so\\.${MAJOR}\\]")
  message(FATAL_ERROR "the installed library's SONAME is not libwasmbound.so.${MAJOR}:\n${elf}")
endif()
if(elf MATCHES "\\.debug_info" OR elf MATCHES " \\.symtab ")
  message(FATAL_ERROR "the installed library is not stripped (it has .debug_info or .symtab)")
endif()
if(NOT elf MATCHES "\\.gnu_debuglink")
  message(FATAL_ERROR "the installed library has no .gnu_debuglink to its debug info")
endif()
string(REGEX MATCH "Build ID: ([0-9a-f]+)" _ "${elf}")
set(build_id "${CMAKE_MATCH_1}")
execute_process(COMMAND readelf -p .gnu_debuglink "${lib}/${real}" OUTPUT_VARIABLE link)
if(NOT link MATCHES "${real}\\.debug")
  message(FATAL_ERROR "the debuglink does not name ${real}.debug:\n${link}")
endif()
file(SIZE "${lib}/${real}" size)
math(EXPR mb "${size} / 100000")
string(REGEX REPLACE "([0-9])$" ".\\1" mb "${mb}")
set(summary "${LIBDIR}/${real} ${size} bytes (${mb} MB, stripped)")
if(EXISTS "${lib}/.debug/${real}.debug")
  execute_process(COMMAND readelf -S -n -W "${lib}/.debug/${real}.debug" OUTPUT_VARIABLE dbg)
  if(NOT dbg MATCHES "\\.debug_info" OR NOT dbg MATCHES "Build ID: ${build_id}")
    message(FATAL_ERROR "${LIBDIR}/.debug/${real}.debug lacks the debug info of build ${build_id}")
  endif()
  file(SIZE "${lib}/.debug/${real}.debug" dsize)
  string(APPEND summary ", debug info in ${LIBDIR}/.debug/${real}.debug (${dsize} bytes, build id ${build_id})")
endif()
message(STATUS "${PREFIX}: layout, SONAME links and wasmbound.pc checked; ${summary}")
