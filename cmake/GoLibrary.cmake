# Builds libwasmbound.so with the Go toolchain and wraps it in an IMPORTED
# target. The Go build reruns only when a Go, C or header source changes.
#
# Outputs in the build tree:
#   libwasmbound.so.X.Y.Z (+ .so.0, .so links)  the library with its debug info:
#                                               tests, examples, ABI check, bench
#   stripped/libwasmbound.so.X.Y.Z              what `install` ships: no debug info or
#                                               symbol table, a .gnu_debuglink to
#   stripped/libwasmbound.so.X.Y.Z.debug        the debug info, installed separately

# ---- the Go toolchain -------------------------------------------------------
# go.mod's `go` line is the oldest Go that builds the library.
file(STRINGS "${CMAKE_CURRENT_SOURCE_DIR}/go.mod" wb_go_line REGEX "^go [0-9]")
string(REGEX REPLACE "^go +" "" WB_GO_MIN "${wb_go_line}")
set(wb_go_hint "point -DGO_EXECUTABLE at the `go` program of Go ${WB_GO_MIN} or newer (go.mod asks for it)")

find_program(GO_EXECUTABLE go HINTS /usr/local/go/bin ENV GOROOT PATH_SUFFIXES bin
  DOC "the go program that builds libwasmbound.so")
if(NOT GO_EXECUTABLE)
  message(FATAL_ERROR "wasmbound is built with Go, and no `go` was found on PATH, in /usr/local/go/bin "
                      "or in $GOROOT/bin: install Go ${WB_GO_MIN} or newer, or ${wb_go_hint}.")
endif()
# A GO_EXECUTABLE given by the user is checked here, so that a wrong one is
# reported as itself and not as a missing module later.
execute_process(COMMAND "${GO_EXECUTABLE}" version
  RESULT_VARIABLE wb_rc OUTPUT_VARIABLE wb_go_version ERROR_VARIABLE wb_go_error
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_STRIP_TRAILING_WHITESPACE)
if(NOT wb_rc EQUAL 0)
  message(FATAL_ERROR "GO_EXECUTABLE is ${GO_EXECUTABLE}, which does not run "
                      "(${wb_rc}${wb_go_error}): ${wb_go_hint}.")
endif()
if(NOT wb_go_version MATCHES "^go version go([0-9]+\\.[0-9]+(\\.[0-9]+)?)")
  message(FATAL_ERROR "GO_EXECUTABLE is ${GO_EXECUTABLE}, which is not the Go toolchain "
                      "(`${GO_EXECUTABLE} version` printed \"${wb_go_version}\"): ${wb_go_hint}.")
endif()
set(WB_GO_VERSION "${CMAKE_MATCH_1}")
if(WB_GO_VERSION VERSION_LESS WB_GO_MIN)
  message(FATAL_ERROR "GO_EXECUTABLE is ${GO_EXECUTABLE}, which is Go ${WB_GO_VERSION}: ${wb_go_hint}.")
endif()

set(WB_SOVERSION ${PROJECT_VERSION_MAJOR})
set(WB_LIB_NAME "libwasmbound.so.${PROJECT_VERSION}")
set(WB_LIB_REAL "${CMAKE_CURRENT_BINARY_DIR}/${WB_LIB_NAME}")
set(WB_LIB_SONAME "${CMAKE_CURRENT_BINARY_DIR}/libwasmbound.so.${WB_SOVERSION}")
set(WB_LIB_LINK "${CMAKE_CURRENT_BINARY_DIR}/libwasmbound.so")
set(WB_GO_OUT "${CMAKE_CURRENT_BINARY_DIR}/go/libwasmbound.so")
# cgo's generated header: for tests only, never installed (wasmbound.h is the API)
set(WB_CGO_HEADER "${CMAKE_CURRENT_BINARY_DIR}/go/libwasmbound.h")
set(WB_LIB_STRIPPED "${CMAKE_CURRENT_BINARY_DIR}/stripped/${WB_LIB_NAME}")
set(WB_LIB_DEBUG "${CMAKE_CURRENT_BINARY_DIR}/stripped/${WB_LIB_NAME}.debug")

# Wasmtime's headers ship in the wasmtime-go module (downloaded on demand).
execute_process(
  COMMAND "${GO_EXECUTABLE}" mod download github.com/bytecodealliance/wasmtime-go/v39
  WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" RESULT_VARIABLE wb_rc ERROR_VARIABLE wb_go_error)
if(NOT wb_rc EQUAL 0)
  message(FATAL_ERROR "`go mod download` of wasmtime-go failed (is the Go module proxy reachable, "
                      "or GOFLAGS=-mod=mod/GOPROXY set?):\n${wb_go_error}")
endif()
execute_process(
  COMMAND "${GO_EXECUTABLE}" list -m -f "{{.Dir}}" github.com/bytecodealliance/wasmtime-go/v39
  WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
  OUTPUT_VARIABLE WASMTIME_GO_DIR OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE wb_rc)
if(NOT wb_rc EQUAL 0 OR NOT EXISTS "${WASMTIME_GO_DIR}/build/include/wasmtime.h")
  message(FATAL_ERROR "cannot find the wasmtime-go module (go list said: ${WASMTIME_GO_DIR})")
endif()
set(WASMTIME_INCLUDE_DIR "${WASMTIME_GO_DIR}/build/include" CACHE INTERNAL "")
set(WASMTIME_STATIC_LIB "${WASMTIME_GO_DIR}/build/linux-x86_64/libwasmtime.a" CACHE INTERNAL "")

# The library's sources: the root package and the Go packages it imports
# (never the build trees, tests, examples or benchmarks beside them). A new
# package must be added here, or editing it will not rebuild the library.
set(WB_GO_PACKAGE_DIRS . status handles modinfo dispatch lifecycle pools component include)
set(WB_GO_SOURCES "${CMAKE_CURRENT_SOURCE_DIR}/go.mod" "${CMAKE_CURRENT_SOURCE_DIR}/go.sum"
  "${CMAKE_CURRENT_SOURCE_DIR}/exports.map")
foreach(dir IN LISTS WB_GO_PACKAGE_DIRS)
  file(GLOB wb_dir_sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.go"
    "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.c" "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.h")
  list(FILTER wb_dir_sources EXCLUDE REGEX "_test\\.go$")
  list(APPEND WB_GO_SOURCES ${wb_dir_sources})
endforeach()

set(WB_GO_FLAGS "" CACHE STRING "extra flags for go build (e.g. -asan)")
separate_arguments(wb_go_flags UNIX_COMMAND "${WB_GO_FLAGS}")
set(WB_CGO_CFLAGS "-O2 -g -I${WASMTIME_INCLUDE_DIR}" CACHE STRING "CGO_CFLAGS for the library")
# Go's build cache does not notice a change to a header outside a package's
# own directory, and every package's C includes include/wasmbound.h: its
# hash goes into CGO_CFLAGS (part of Go's cache key), and editing it
# reconfigures, so that a changed header recompiles the C that uses it.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/include/wasmbound.h")
file(MD5 "${CMAKE_CURRENT_SOURCE_DIR}/include/wasmbound.h" wb_header_md5)
# cgo compiles the C sources, and links, with the C compiler CMake was
# configured with (CMAKE_C_COMPILER), not whatever `cc` is on PATH. Go
# knows gcc only by `$CC --version` starting with "gcc" (go build -asan
# refuses anything else), and Debian's /usr/bin/cc says "cc (Debian ...)":
# then the same gcc is named by its own name, gcc-MAJOR or gcc, when one
# of the same version lies beside it.
set(WB_CGO_CC "${CMAKE_C_COMPILER}")
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  execute_process(COMMAND "${CMAKE_C_COMPILER}" --version OUTPUT_VARIABLE wb_cc_says ERROR_QUIET)
  if(NOT wb_cc_says MATCHES "^gcc")
    get_filename_component(wb_cc_dir "${CMAKE_C_COMPILER}" DIRECTORY)
    string(REGEX MATCH "^[0-9]+" wb_cc_major "${CMAKE_C_COMPILER_VERSION}")
    foreach(wb_name gcc-${wb_cc_major} gcc)
      if(EXISTS "${wb_cc_dir}/${wb_name}")
        execute_process(COMMAND "${wb_cc_dir}/${wb_name}" -dumpfullversion OUTPUT_VARIABLE wb_v
                        OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
        if(wb_v STREQUAL CMAKE_C_COMPILER_VERSION)
          set(WB_CGO_CC "${wb_cc_dir}/${wb_name}")
          break()
        endif()
      endif()
    endforeach()
  endif()
endif()
set(WB_GO_ENV "CC=${WB_CGO_CC}" "CGO_CFLAGS=${WB_CGO_CFLAGS} -DWASMBOUND_H_MD5=${wb_header_md5}"
    CGO_ENABLED=1)

add_custom_command(
  OUTPUT "${WB_LIB_REAL}" "${WB_LIB_SONAME}" "${WB_LIB_LINK}" "${WB_CGO_HEADER}"
  COMMAND ${CMAKE_COMMAND} -E env ${WB_GO_ENV}
          "${GO_EXECUTABLE}" build -trimpath -buildmode=c-shared ${wb_go_flags}
          "-ldflags=-extldflags '-Wl,--version-script=${CMAKE_CURRENT_SOURCE_DIR}/exports.map -Wl,-soname,libwasmbound.so.${WB_SOVERSION}'"
          -o "${WB_GO_OUT}" .
  COMMAND ${CMAKE_COMMAND} -E copy "${WB_GO_OUT}" "${WB_LIB_REAL}"
  COMMAND ${CMAKE_COMMAND} -E create_symlink "${WB_LIB_NAME}" "${WB_LIB_SONAME}"
  COMMAND ${CMAKE_COMMAND} -E create_symlink "libwasmbound.so.${WB_SOVERSION}" "${WB_LIB_LINK}"
  DEPENDS ${WB_GO_SOURCES}
  WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
  # the one line the build prints before Go's silent half minute
  COMMENT "wasmbound: go build -buildmode=c-shared libwasmbound.so (cgo with ${CMAKE_C_COMPILER_ID} ${CMAKE_C_COMPILER_VERSION}): about 30 s on 2 cores, less once Go's cache is warm"
  VERBATIM)

# The stripped library that is installed and packaged, and its debug info
# in a file of its own that the library names in .gnu_debuglink (gdb finds
# it beside the library or in a .debug directory there). About 4.7 MB of
# DWARF and symbol table leave the installed library.
find_program(WB_OBJCOPY NAMES objcopy ${CMAKE_OBJCOPY} DOC "objcopy, for the stripped library")
if(NOT WB_OBJCOPY)
  message(FATAL_ERROR "objcopy (binutils) is needed to strip the installed library: apt-get install binutils")
endif()
file(MAKE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/stripped")
add_custom_command(
  OUTPUT "${WB_LIB_STRIPPED}" "${WB_LIB_DEBUG}"
  COMMAND "${WB_OBJCOPY}" --only-keep-debug "${WB_LIB_REAL}" "${WB_LIB_NAME}.debug"
  # the debuglink records the debug file's name and CRC; run where it lies
  COMMAND "${WB_OBJCOPY}" --strip-unneeded "--add-gnu-debuglink=${WB_LIB_NAME}.debug" "${WB_LIB_REAL}" "${WB_LIB_NAME}"
  DEPENDS "${WB_LIB_REAL}"
  WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/stripped"
  COMMENT "libwasmbound.so stripped, its debug info in ${WB_LIB_NAME}.debug"
  VERBATIM)
# One target for both commands: a second target depending on the library
# would get a copy of the go build rule and run it again, in parallel.
add_custom_target(wasmbound_go ALL DEPENDS "${WB_LIB_REAL}" "${WB_LIB_STRIPPED}" "${WB_LIB_DEBUG}")

add_library(wasmbound SHARED IMPORTED GLOBAL)
set_target_properties(wasmbound PROPERTIES
  IMPORTED_LOCATION "${WB_LIB_REAL}"
  IMPORTED_SONAME "libwasmbound.so.${WB_SOVERSION}"
  INTERFACE_INCLUDE_DIRECTORIES "${CMAKE_CURRENT_SOURCE_DIR}/include")
add_dependencies(wasmbound wasmbound_go)
add_library(wasmbound::wasmbound ALIAS wasmbound)
