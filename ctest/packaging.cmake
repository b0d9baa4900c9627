# Packaging and C++ tests (included from ctest/CMakeLists.txt):
#
#   cxx17, cxx20, cxx17_no_exceptions
#                       the C++ wrapper against the library (ctest/cxx/test_cxx.cpp)
#   cxx_value_aborts_without_exceptions
#                       value() of a failed Result prints and aborts under -fno-exceptions
#   package_install     cmake --install of this build tree into a fresh prefix: layout,
#                       stripped library with its debug file, the archive exactly when this
#                       tree built it (`make static`, or `make bench` for its static cases)
#   package_find_package, package_pkgconfig
#                       out-of-tree consumers of that prefix (ctest/consumer): C and C++17
#                       through find_package, C through CMake's pkg-config module and
#                       through plain pkg-config in a shell
#   package_static_component_missing
#                       find_package(... COMPONENTS static) without the archive says why
#   package_runtime_only
#                       only the wasmbound_Runtime component in a prefix of its own: the
#                       README's recipe (build against the development files, rpath to the
#                       runtime) runs there
#   package_examples, package_examples_clang
#                       examples/ as a project of its own against that prefix, with gcc
#                       (C11, C++17) and with clang (C17, C++20), strict warnings
#   package_add_subdirectory
#                       a consumer that vendors wasmbound with add_subdirectory, built with
#                       clang: cgo uses it too, the build prints its progress line, and
#                       vendored wasmbound installs nothing
#   package_cpack, package_deb, package_tgz
#                       `cpack` (make package): the .deb unpacked into a scratch root and
#                       the .tar.gz unpacked, each checked and used by consumers through
#                       pkg-config and find_package
#   static_build, static_install, static_pkgconfig, static_find_package
#                       `make static` in a tree of its own (so the main tree installs no
#                       archive it did not build), installed, linked into a C program
#                       through wasmbound-static.pc and through wasmbound::wasmbound_static
#
# The package tests are slow (installs, packages, other build trees): they
# use fixtures to run in parallel with the rest of the suite.
if(NOT TARGET wasmbound_static)
  return()  # cmake/Install.cmake is absent
endif()
find_package(Threads REQUIRED)

set(WB_CXX_DIR "${CMAKE_CURRENT_SOURCE_DIR}/cxx")
set(WB_CONSUMER_DIR "${CMAKE_CURRENT_SOURCE_DIR}/consumer")
set(WB_PKG_DIR "${CMAKE_CURRENT_BINARY_DIR}/packaging")
set(WB_CXX_STRICT -Wall -Wextra -Wpedantic -Werror -Wconversion -Wsign-conversion -Wold-style-cast)

# ---- the C++ wrapper against the library -----------------------------------
foreach(variant "cxx17;17;ON" "cxx20;20;ON" "cxx17_no_exceptions;17;OFF")
  list(GET variant 0 name)
  list(GET variant 1 std)
  list(GET variant 2 exceptions)
  add_executable(test_${name} ${WB_CXX_DIR}/test_cxx.cpp)
  set_target_properties(test_${name} PROPERTIES
    CXX_STANDARD ${std} CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  target_compile_options(test_${name} PRIVATE ${WB_CXX_STRICT})
  if(NOT exceptions)
    target_compile_options(test_${name} PRIVATE -fno-exceptions)
  endif()
  target_link_libraries(test_${name} PRIVATE wasmbound::wasmbound Threads::Threads)
  add_test(NAME ${name} COMMAND test_${name})
endforeach()
set_tests_properties(cxx17 cxx20 PROPERTIES PASS_REGULAR_EXPRESSION "\\(exceptions, C\\+\\+[0-9]+\\): [0-9]+ checks passed")
set_tests_properties(cxx17_no_exceptions PROPERTIES PASS_REGULAR_EXPRESSION "\\(no exceptions, C\\+\\+17\\): [0-9]+ checks passed")
# Without exceptions, value() of a failed Result prints the status and message
# and aborts (exit status 134 through the shell).
add_test(NAME cxx_value_aborts_without_exceptions
  COMMAND sh -c "\"$0\" --value-of-failure 2>&1; echo \"exit status $?\"" $<TARGET_FILE:test_cxx17_no_exceptions>)
set_tests_properties(cxx_value_aborts_without_exceptions PROPERTIES PASS_REGULAR_EXPRESSION
  "wasmbound: value\\(\\) of a failed Result: WB_ERR_NOT_FOUND: [^\n]*absent.*exit status 134")

# The sanitizer tree (make test-asan) turns the rest off: its consumers would
# need the sanitizer runtime, and the main tree tests the same files.
option(WB_PACKAGING_TESTS "install, package, find_package, pkg-config and static-archive tests" ON)
if(NOT WB_PACKAGING_TESTS OR NOT WASMBOUND_INSTALL)
  return()
endif()

# ---- install, then consumers outside the tree ------------------------------
set(WB_PKG_PREFIX "${WB_PKG_DIR}/prefix")
set(WB_INSTALL_CHECK ${CMAKE_COMMAND} -DVERSION=${PROJECT_VERSION} -DLIBDIR=${CMAKE_INSTALL_LIBDIR})
# ctest --build-and-test <source> <binary> ${WB_BUILD_OPTIONS} --build-options ...
set(WB_BUILD_OPTIONS
  --build-generator "${CMAKE_GENERATOR}"
  --build-makeprogram "${CMAKE_MAKE_PROGRAM}")
set(WB_CONSUMER_OPTIONS
  -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
  -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  -DWB_EXPECT_VERSION=${PROJECT_VERSION})
set(WB_RUN_EXPECT "${WB_CONSUMER_DIR}/run_expect.sh")

add_test(NAME package_install
  COMMAND ${WB_INSTALL_CHECK} -DBUILD_DIR=${CMAKE_BINARY_DIR} -DPREFIX=${WB_PKG_PREFIX}
          "-DCLEAN=${WB_PKG_DIR}/consumer|${WB_PKG_DIR}/consumer_pkgconfig|${WB_PKG_DIR}/examples|${WB_PKG_DIR}/examples_clang|${WB_PKG_DIR}/static_missing"
          -P ${WB_CONSUMER_DIR}/install_check.cmake)
set_tests_properties(package_install PROPERTIES FIXTURES_SETUP wb_pkg_prefix)

add_test(NAME package_find_package
  COMMAND ${CMAKE_CTEST_COMMAND} --build-and-test ${WB_CONSUMER_DIR} ${WB_PKG_DIR}/consumer ${WB_BUILD_OPTIONS}
          --build-options ${WB_CONSUMER_OPTIONS} -DCMAKE_PREFIX_PATH=${WB_PKG_PREFIX}
                          -DWB_EXPECT_PREFIX=${WB_PKG_PREFIX}
          --test-command ${CMAKE_CTEST_COMMAND} --output-on-failure)

add_test(NAME package_pkgconfig
  COMMAND ${WB_CONSUMER_DIR}/pkgconfig.sh ${WB_PKG_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig wasmbound
          ${WB_CONSUMER_DIR}/consumer.c ${WB_PKG_DIR}/consumer_pkgconfig ${CMAKE_C_COMPILER}
          -std=c11 -Wall -Wextra -Wpedantic -Werror)
set_tests_properties(package_find_package package_pkgconfig PROPERTIES
  FIXTURES_REQUIRED wb_pkg_prefix TIMEOUT 300)
set_tests_properties(package_pkgconfig PROPERTIES PASS_REGULAR_EXPRESSION "consumer \\(C\\): 2 \\+ 40 = 42")

# find_package(wasmbound COMPONENTS static) against a prefix without the
# archive: not found, and the reason is given.
# (in a copy of the prefix without the archive, which this tree installs
# when it built it: `make bench` does; hard links, so that it costs nothing)
add_test(NAME package_static_component_missing
  COMMAND sh -c "rm -rf \"$4\" && cp -al \"$3\" \"$4\" && rm -f \"$4/$5/libwasmbound.a\" \"$4/$5/pkgconfig/wasmbound-static.pc\" && \"$0\" -S \"$1\" -B \"$2\" -DCMAKE_PREFIX_PATH=\"$4\" -DWB_CONSUMER_STATIC=ON -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DWB_EXPECT_VERSION=${PROJECT_VERSION} 2>&1; echo \"cmake exit status $?\""
          ${CMAKE_COMMAND} ${WB_CONSUMER_DIR} ${WB_PKG_DIR}/static_missing ${WB_PKG_PREFIX} ${WB_PKG_DIR}/prefix-no-archive
          ${CMAKE_INSTALL_LIBDIR})
set_tests_properties(package_static_component_missing PROPERTIES FIXTURES_REQUIRED wb_pkg_prefix
  PASS_REGULAR_EXPRESSION "Reason given by package:.*the component `static` was asked for.*has no static archive.*`make static`.*cmake exit status 1")

# The runtime component alone, in a prefix of its own, as a deployment
# would have it; the program is built against the development files.
set(WB_RUNTIME_PREFIX "${WB_PKG_DIR}/prefix-runtime")
add_test(NAME package_runtime_only
  COMMAND sh -c "\"$@\" && \"${WB_CONSUMER_DIR}/runtime_only.sh\" \"${WB_PKG_PREFIX}\" \"${WB_RUNTIME_PREFIX}\" ${CMAKE_INSTALL_LIBDIR} \"${WB_CONSUMER_DIR}/consumer.c\" \"${WB_PKG_DIR}/consumer_runtime\" \"${CMAKE_C_COMPILER}\""
          sh ${WB_INSTALL_CHECK} -DBUILD_DIR=${CMAKE_BINARY_DIR} -DPREFIX=${WB_RUNTIME_PREFIX} -DCOMPONENT=wasmbound_Runtime
          -P ${WB_CONSUMER_DIR}/install_check.cmake)
set_tests_properties(package_runtime_only PROPERTIES FIXTURES_REQUIRED wb_pkg_prefix
  PASS_REGULAR_EXPRESSION "runtime only: consumer \\(C\\): 2 \\+ 40 = 42[^\n]*, libwasmbound.so.0 from ${WB_RUNTIME_PREFIX}")

# examples/ as a project of its own, with each compiler (WB_CLANG: release.cmake).
foreach(variant "examples;${CMAKE_C_COMPILER};${CMAKE_CXX_COMPILER};11;17"
                "examples_clang;${WB_CLANG};${WB_CLANGXX};17;20")
  list(GET variant 0 name)
  list(GET variant 1 cc)
  list(GET variant 2 cxx)
  list(GET variant 3 cstd)
  list(GET variant 4 cxxstd)
  add_test(NAME package_${name}
    COMMAND ${CMAKE_CTEST_COMMAND} --build-and-test ${PROJECT_SOURCE_DIR}/examples ${WB_PKG_DIR}/${name} ${WB_BUILD_OPTIONS}
            --build-options -DCMAKE_C_COMPILER=${cc} -DCMAKE_CXX_COMPILER=${cxx}
                            -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_PREFIX_PATH=${WB_PKG_PREFIX}
                            -DCMAKE_C_STANDARD=${cstd} -DCMAKE_C_EXTENSIONS=OFF
                            -DCMAKE_CXX_STANDARD=${cxxstd} -DCMAKE_CXX_EXTENSIONS=OFF
                            "-DCMAKE_C_FLAGS=-Wall -Wextra -Wpedantic -Werror"
                            "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Wpedantic -Werror"
            --test-command ${CMAKE_CTEST_COMMAND} --output-on-failure)
  set_tests_properties(package_${name} PROPERTIES FIXTURES_REQUIRED wb_pkg_prefix TIMEOUT 300)
endforeach()

# add_subdirectory: builds its own copy of the library (go build), here
# with clang, which cgo must use too (the library's .comment says so).
add_test(NAME package_add_subdirectory
  COMMAND ${WB_RUN_EXPECT} "wasmbound: go build -buildmode=c-shared libwasmbound.so \\(cgo with Clang"
          ${CMAKE_CTEST_COMMAND} --build-and-test ${WB_CONSUMER_DIR}/subdir ${WB_PKG_DIR}/subdir ${WB_BUILD_OPTIONS}
          --build-options -DCMAKE_C_COMPILER=${WB_CLANG} -DCMAKE_CXX_COMPILER=${WB_CLANGXX}
                          -DWASMBOUND_SOURCE_DIR=${PROJECT_SOURCE_DIR} -DWB_EXPECT_CC=clang
          --test-command ${CMAKE_CTEST_COMMAND} --output-on-failure)
set_tests_properties(package_add_subdirectory PROPERTIES TIMEOUT 900)

# ---- packages: cpack, then the .deb and the .tar.gz used as a user would -----------
set(WB_CPACK_DIR "${WB_PKG_DIR}/cpack")
add_test(NAME package_cpack
  COMMAND sh -c "rm -rf \"$1\" && cd \"$0\" && \"$2\" -G \"DEB;TGZ\" -B \"$1\""
          ${CMAKE_BINARY_DIR} ${WB_CPACK_DIR} ${CMAKE_CPACK_COMMAND})
set_tests_properties(package_cpack PROPERTIES FIXTURES_SETUP wb_packages TIMEOUT 600)
foreach(kind deb tgz)
  add_test(NAME package_${kind}
    COMMAND ${WB_CONSUMER_DIR}/package_check.sh ${kind} ${WB_CPACK_DIR} ${WB_PKG_DIR}/${kind} ${PROJECT_VERSION}
            ${CMAKE_COMMAND} ${CMAKE_CTEST_COMMAND} ${CMAKE_C_COMPILER} ${CMAKE_CXX_COMPILER}
            ${WB_CONSUMER_DIR} ${CMAKE_INSTALL_LIBDIR} ${CMAKE_BINARY_DIR})
  set_tests_properties(package_${kind} PROPERTIES FIXTURES_REQUIRED wb_packages TIMEOUT 600
    PASS_REGULAR_EXPRESSION "${kind}: consumers built with pkg-config and find_package ran")
endforeach()

# ---- the static variant, in a build tree of its own ------------------------------
set(WB_STATIC_TREE "${WB_PKG_DIR}/static-tree")
set(WB_STATIC_PREFIX "${WB_PKG_DIR}/prefix-static")
add_test(NAME static_build
  COMMAND sh -c "\"$0\" -S \"$1\" -B \"$2\" -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE} -DCMAKE_C_COMPILER=\"$3\" -DCMAKE_CXX_COMPILER=\"$4\" && \"$0\" --build \"$2\" && \"$0\" --build \"$2\" --target wasmbound_static"
          ${CMAKE_COMMAND} ${PROJECT_SOURCE_DIR} ${WB_STATIC_TREE} ${CMAKE_C_COMPILER} ${CMAKE_CXX_COMPILER})
set_tests_properties(static_build PROPERTIES FIXTURES_SETUP wb_static_tree TIMEOUT 900)
add_test(NAME static_install
  COMMAND ${WB_INSTALL_CHECK} -DBUILD_DIR=${WB_STATIC_TREE} -DPREFIX=${WB_STATIC_PREFIX} -DEXPECT_STATIC=ON
          "-DCLEAN=${WB_PKG_DIR}/consumer-static|${WB_PKG_DIR}/consumer_static"
          -P ${WB_CONSUMER_DIR}/install_check.cmake)
set_tests_properties(static_install PROPERTIES FIXTURES_REQUIRED wb_static_tree FIXTURES_SETUP wb_static_prefix)
add_test(NAME static_pkgconfig
  COMMAND ${WB_CONSUMER_DIR}/pkgconfig.sh ${WB_STATIC_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig wasmbound-static
          ${WB_CONSUMER_DIR}/consumer.c ${WB_PKG_DIR}/consumer_static ${CMAKE_C_COMPILER}
          -std=c11 -Wall -Wextra -Wpedantic -Werror)
set_tests_properties(static_pkgconfig PROPERTIES PASS_REGULAR_EXPRESSION "consumer \\(C\\): 2 \\+ 40 = 42")
add_test(NAME static_find_package
  COMMAND ${CMAKE_CTEST_COMMAND} --build-and-test ${WB_CONSUMER_DIR} ${WB_PKG_DIR}/consumer-static ${WB_BUILD_OPTIONS}
          --build-options ${WB_CONSUMER_OPTIONS} -DCMAKE_PREFIX_PATH=${WB_STATIC_PREFIX}
                          -DWB_EXPECT_PREFIX=${WB_STATIC_PREFIX} -DWB_CONSUMER_STATIC=ON
          --test-command ${CMAKE_CTEST_COMMAND} --output-on-failure)
set_tests_properties(static_pkgconfig static_find_package PROPERTIES
  FIXTURES_REQUIRED wb_static_prefix TIMEOUT 300)
