# Builds libwasmbound.so with the Go toolchain and wraps it in an IMPORTED
# target. The Go build reruns only when a Go, C or header source changes.
find_program(GO_EXECUTABLE go HINTS /usr/local/go/bin ENV GOROOT PATH_SUFFIXES bin REQUIRED)

set(WB_SOVERSION 0)
set(WB_LIB_REAL "${CMAKE_CURRENT_BINARY_DIR}/libwasmbound.so.${PROJECT_VERSION}")
set(WB_LIB_SONAME "${CMAKE_CURRENT_BINARY_DIR}/libwasmbound.so.${WB_SOVERSION}")
set(WB_LIB_LINK "${CMAKE_CURRENT_BINARY_DIR}/libwasmbound.so")
set(WB_GO_OUT "${CMAKE_CURRENT_BINARY_DIR}/go/libwasmbound.so")
# cgo's generated header: for tests only, never installed (wasmbound.h is the API)
set(WB_CGO_HEADER "${CMAKE_CURRENT_BINARY_DIR}/go/libwasmbound.h")

# Wasmtime's headers ship in the wasmtime-go module (downloaded on demand).
execute_process(
  COMMAND "${GO_EXECUTABLE}" mod download github.com/bytecodealliance/wasmtime-go/v39
  WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" RESULT_VARIABLE wb_rc)
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
set(WB_GO_PACKAGE_DIRS . status handles modinfo dispatch lifecycle pools include)
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

add_custom_command(
  OUTPUT "${WB_LIB_REAL}" "${WB_LIB_SONAME}" "${WB_LIB_LINK}" "${WB_CGO_HEADER}"
  COMMAND ${CMAKE_COMMAND} -E env "CGO_CFLAGS=${WB_CGO_CFLAGS}" CGO_ENABLED=1
          "${GO_EXECUTABLE}" build -trimpath -buildmode=c-shared ${wb_go_flags}
          "-ldflags=-extldflags '-Wl,--version-script=${CMAKE_CURRENT_SOURCE_DIR}/exports.map -Wl,-soname,libwasmbound.so.${WB_SOVERSION}'"
          -o "${WB_GO_OUT}" .
  COMMAND ${CMAKE_COMMAND} -E copy "${WB_GO_OUT}" "${WB_LIB_REAL}"
  COMMAND ${CMAKE_COMMAND} -E create_symlink "libwasmbound.so.${PROJECT_VERSION}" "${WB_LIB_SONAME}"
  COMMAND ${CMAKE_COMMAND} -E create_symlink "libwasmbound.so.${WB_SOVERSION}" "${WB_LIB_LINK}"
  DEPENDS ${WB_GO_SOURCES}
  WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
  COMMENT "go build -buildmode=c-shared libwasmbound.so"
  VERBATIM)
add_custom_target(wasmbound_go ALL DEPENDS "${WB_LIB_REAL}")

add_library(wasmbound SHARED IMPORTED GLOBAL)
set_target_properties(wasmbound PROPERTIES
  IMPORTED_LOCATION "${WB_LIB_REAL}"
  IMPORTED_SONAME "libwasmbound.so.${WB_SOVERSION}"
  INTERFACE_INCLUDE_DIRECTORIES "${CMAKE_CURRENT_SOURCE_DIR}/include")
add_dependencies(wasmbound wasmbound_go)
add_library(wasmbound::wasmbound ALIAS wasmbound)
