# Release checks (included from ctest/CMakeLists.txt):
#
#   c_{gcc,clang}_{c11,c17}     every C test, example and fuzz source, warning-free under
#                               -Wall -Wextra -Wpedantic -Werror as ISO C11 and C17
#   header_{gcc,clang}_{c11,c17,cxx17}
#                               wasmbound.h alone (header_alone.c), also as C++
#   hh_{gcc,clang}_{cxx17,cxx20}[_no_exceptions]
#                               wasmbound.hh alone (cxx/header_alone.cpp) and every C++
#                               source (tests, examples, consumer), strict warnings
#   cxx_bad_type_{gcc,clang}_N  a host lambda or TypedFunc with a type that is no wasm
#                               value: exactly one error, the static_assert naming the types
#   version                     wb_version(), WASMBOUND_VERSION and the CMake project agree
#   docs                        Doxygen over the headers, 0 warnings, and docs/doc_lint.sh
#   abi                         the library's ABI against abi/libwasmbound.so.0.abi (abidiff)
#   cmake_bad_go_executable, cmake_not_go_executable
#                               a wrong GO_EXECUTABLE is reported as such
#
# Each compiler check runs the compiler as the test; a missing compiler
# (clang-16: `make deps-test` installs it) fails the test with that message.
# The sanitizer tree (make test-asan) sets WB_RELEASE_TESTS=OFF: it runs only
# `version` of these.

# ---- the version, from one place ----------------------------------------------
add_executable(test_version test_version.c)
set_target_properties(test_version PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
target_compile_options(test_version PRIVATE ${WB_TEST_C_FLAGS})
target_compile_definitions(test_version PRIVATE WB_PROJECT_VERSION=${PROJECT_VERSION})
target_link_libraries(test_version PRIVATE wasmbound::wasmbound)
add_test(NAME version COMMAND test_version)

option(WB_RELEASE_TESTS "compiler, docs, ABI and configuration checks" ON)
if(NOT WB_RELEASE_TESTS)
  return()
endif()

find_program(WB_GCC NAMES gcc)
find_program(WB_GXX NAMES g++)
find_program(WB_CLANG NAMES clang-16 clang)
find_program(WB_CLANGXX NAMES clang++-16 clang++)
foreach(v WB_GCC WB_GXX WB_CLANG WB_CLANGXX)
  if(NOT ${v}) # the test then says what to install
    string(REPLACE "WB_GCC" "gcc" ${v} "${v}")
    string(REPLACE "WB_GXX" "g++" ${v} "${${v}}")
    string(REPLACE "WB_CLANGXX" "clang++-16" ${v} "${${v}}")
    string(REPLACE "WB_CLANG" "clang-16" ${v} "${${v}}")
  endif()
endforeach()
set(WB_CC_gcc ${WB_GCC})
set(WB_CXX_gcc ${WB_GXX})
set(WB_CC_clang ${WB_CLANG})
set(WB_CXX_clang ${WB_CLANGXX})

set(WB_STRICT_C -Wall -Wextra -Wpedantic -Werror)
set(WB_CXX_STRICT -Wall -Wextra -Wpedantic -Werror -Wconversion -Wsign-conversion -Wold-style-cast)
file(GLOB WB_C_SOURCES CONFIGURE_DEPENDS
  "${CMAKE_CURRENT_SOURCE_DIR}/*.c" "${PROJECT_SOURCE_DIR}/examples/*.c" "${PROJECT_SOURCE_DIR}/fuzz/*.c"
  "${CMAKE_CURRENT_SOURCE_DIR}/consumer/*.c")
list(FILTER WB_C_SOURCES EXCLUDE REGEX "header_with_cgo\\.c$") # needs cgo's header: its own test
file(GLOB WB_CXX_SOURCES CONFIGURE_DEPENDS
  "${CMAKE_CURRENT_SOURCE_DIR}/cxx/header_alone.cpp" "${CMAKE_CURRENT_SOURCE_DIR}/cxx/test_cxx.cpp"
  "${PROJECT_SOURCE_DIR}/examples/*.cpp" "${CMAKE_CURRENT_SOURCE_DIR}/consumer/*.cpp")
set(WB_COMPILE_ALL "${CMAKE_CURRENT_SOURCE_DIR}/compile_all.sh")

foreach(cname gcc clang)
  set(cc ${WB_CC_${cname}})
  set(cxx ${WB_CXX_${cname}})
  foreach(std c11 c17)
    add_test(NAME c_${cname}_${std}
      COMMAND ${WB_COMPILE_ALL} ${cc} -std=${std} ${WB_STRICT_C} -I${WB_INCLUDE} -I${CMAKE_CURRENT_SOURCE_DIR}
              -I${CMAKE_CURRENT_BINARY_DIR}/old_layout -- ${WB_C_SOURCES})
    add_test(NAME header_${cname}_${std}
      COMMAND ${WB_COMPILE_ALL} ${cc} -std=${std} ${WB_STRICT_C} -I${WB_INCLUDE}
              -- ${CMAKE_CURRENT_SOURCE_DIR}/header_alone.c)
  endforeach()
  add_test(NAME header_${cname}_cxx17
    COMMAND ${WB_COMPILE_ALL} ${cxx} -std=c++17 ${WB_CXX_STRICT} -I${WB_INCLUDE} -x c++
            -- ${CMAKE_CURRENT_SOURCE_DIR}/header_alone.c)
  foreach(variant "cxx17;-std=c++17" "cxx20;-std=c++20" "cxx17_no_exceptions;-std=c++17;-fno-exceptions"
                  "cxx20_no_exceptions;-std=c++20;-fno-exceptions")
    list(POP_FRONT variant name)
    add_test(NAME hh_${cname}_${name}
      COMMAND ${WB_COMPILE_ALL} ${cxx} ${variant} ${WB_CXX_STRICT} -I${WB_INCLUDE} -- ${WB_CXX_SOURCES})
  endforeach()
  foreach(case 1 2 3 4 5)
    add_test(NAME cxx_bad_type_${cname}_${case}
      COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cxx/expect_one_error.sh ${cxx}
              ${CMAKE_CURRENT_SOURCE_DIR}/cxx/bad_value_type.cpp "wasmbound: a wasm value"
              -std=c++17 -Wall -Wextra -I${WB_INCLUDE} -DWB_CASE=${case})
  endforeach()
endforeach()
# the C sources include the generated wasmbound_v1.h
set_tests_properties(c_gcc_c11 c_gcc_c17 c_clang_c11 c_clang_c17 PROPERTIES REQUIRED_FILES "${WB_V1_HEADER}")

# ---- reference docs and ABI (cmake/Release.cmake) ------------------------------------
if(DEFINED WB_DOCS_COMMAND)
  add_test(NAME docs COMMAND ${WB_DOCS_COMMAND})
  set_tests_properties(docs PROPERTIES PASS_REGULAR_EXPRESSION "docs: [0-9]+ pages, 0 warnings")
endif()
add_test(NAME abi
  COMMAND ${PROJECT_SOURCE_DIR}/abi/abi.sh check "${WB_LIB_REAL}" "${WB_INCLUDE}")

# ---- a wrong GO_EXECUTABLE says so ------------------------------------------------
set(WB_SCRATCH "${CMAKE_CURRENT_BINARY_DIR}/scratch")
foreach(case "bad;/nonexistent/go;which does not run" "not;/bin/true;which is not the Go toolchain")
  list(GET case 0 name)
  list(GET case 1 go)
  list(GET case 2 says)
  add_test(NAME cmake_${name}_go_executable
    COMMAND sh -c "rm -rf \"$2\"; \"$0\" -S \"$1\" -B \"$2\" -DGO_EXECUTABLE=$3 2>&1; echo \"cmake exit status $?\""
            ${CMAKE_COMMAND} ${PROJECT_SOURCE_DIR} ${WB_SCRATCH}/go_${name} ${go})
  set_tests_properties(cmake_${name}_go_executable PROPERTIES
    PASS_REGULAR_EXPRESSION "GO_EXECUTABLE is ${go}, ${says}.*GO_EXECUTABLE.*cmake exit status 1")
endforeach()
