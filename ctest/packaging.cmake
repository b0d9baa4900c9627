# Packaging and C++ tests (included from ctest/CMakeLists.txt):
#
#   header_hh_*         wasmbound.hh compiled alone, strict warnings (C++17, C++20, no exceptions)
#   cxx17, cxx20, cxx17_no_exceptions
#                       the C++ wrapper against the library (ctest/cxx/test_cxx.cpp)
#   cxx_value_aborts_without_exceptions
#                       value() of a failed Result prints and aborts under -fno-exceptions
#   package_install     cmake --install of this build tree into a fresh prefix, layout checked
#   package_find_package, package_pkgconfig
#                       out-of-tree consumers of that prefix (ctest/consumer): C and C++17
#                       through find_package, C through CMake's pkg-config module and
#                       through plain pkg-config in a shell
#   package_examples    examples/ built as a project of its own against that prefix
#   package_add_subdirectory
#                       a consumer that vendors wasmbound with add_subdirectory
#   static_archive, static_install, static_pkgconfig, static_find_package
#                       `make static` (libwasmbound.a), installed, linked into a C program
#                       through wasmbound-static.pc and through wasmbound::wasmbound_static
if(NOT TARGET wasmbound_static)
  return()  # cmake/Install.cmake is absent
endif()
find_package(Threads REQUIRED)

set(WB_CXX_DIR "${CMAKE_CURRENT_SOURCE_DIR}/cxx")
set(WB_CONSUMER_DIR "${CMAKE_CURRENT_SOURCE_DIR}/consumer")
set(WB_PKG_DIR "${CMAKE_CURRENT_BINARY_DIR}/packaging")
set(WB_CXX_STRICT -Wall -Wextra -pedantic -Werror -Wconversion -Wsign-conversion -Wold-style-cast)

# ---- wasmbound.hh alone -----------------------------------------------------
foreach(variant "cxx17;-std=c++17" "cxx20;-std=c++20" "no_exceptions;-std=c++17;-fno-exceptions")
  list(POP_FRONT variant name)
  add_test(NAME header_hh_${name}
    COMMAND ${CMAKE_CXX_COMPILER} ${variant} -Wall -Wextra -pedantic -Werror
            -I${PROJECT_SOURCE_DIR}/include -fsyntax-only ${WB_CXX_DIR}/header_alone.cpp)
endforeach()

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
option(WB_PACKAGING_TESTS "install, find_package, pkg-config and static-archive tests" ON)
if(NOT WB_PACKAGING_TESTS)
  return()
endif()

# ---- install, then consumers outside the tree ------------------------------
set(WB_PKG_PREFIX "${WB_PKG_DIR}/prefix")
# ctest --build-and-test <source> <binary> ${WB_BUILD_OPTIONS} --build-options ...
set(WB_BUILD_OPTIONS
  --build-generator "${CMAKE_GENERATOR}"
  --build-makeprogram "${CMAKE_MAKE_PROGRAM}")
set(WB_CONSUMER_OPTIONS
  -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
  -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)

add_test(NAME package_install
  COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${CMAKE_BINARY_DIR} -DPREFIX=${WB_PKG_PREFIX}
          "-DCLEAN=${WB_PKG_DIR}/consumer|${WB_PKG_DIR}/consumer_pkgconfig|${WB_PKG_DIR}/examples"
          -P ${WB_CONSUMER_DIR}/install_check.cmake)
set_tests_properties(package_install PROPERTIES FIXTURES_SETUP wb_pkg_prefix RESOURCE_LOCK wb_build_tree)

add_test(NAME package_find_package
  COMMAND ${CMAKE_CTEST_COMMAND} --build-and-test ${WB_CONSUMER_DIR} ${WB_PKG_DIR}/consumer ${WB_BUILD_OPTIONS}
          --build-options ${WB_CONSUMER_OPTIONS} -DCMAKE_PREFIX_PATH=${WB_PKG_PREFIX}
                          -DWB_EXPECT_PREFIX=${WB_PKG_PREFIX}
          --test-command ${CMAKE_CTEST_COMMAND} --output-on-failure)

add_test(NAME package_pkgconfig
  COMMAND ${WB_CONSUMER_DIR}/pkgconfig.sh ${WB_PKG_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig wasmbound
          ${WB_CONSUMER_DIR}/consumer.c ${WB_PKG_DIR}/consumer_pkgconfig ${CMAKE_C_COMPILER}
          -std=c11 -Wall -Wextra -pedantic -Werror)
set_tests_properties(package_find_package package_pkgconfig PROPERTIES
  FIXTURES_REQUIRED wb_pkg_prefix TIMEOUT 300)
set_tests_properties(package_pkgconfig PROPERTIES PASS_REGULAR_EXPRESSION "consumer \\(C\\): 2 \\+ 40 = 42")

add_test(NAME package_examples
  COMMAND ${CMAKE_CTEST_COMMAND} --build-and-test ${PROJECT_SOURCE_DIR}/examples ${WB_PKG_DIR}/examples ${WB_BUILD_OPTIONS}
          --build-options ${WB_CONSUMER_OPTIONS} -DCMAKE_PREFIX_PATH=${WB_PKG_PREFIX}
          --test-command ${CMAKE_CTEST_COMMAND} --output-on-failure)
set_tests_properties(package_examples PROPERTIES FIXTURES_REQUIRED wb_pkg_prefix TIMEOUT 300)

# add_subdirectory: builds its own copy of the library (go build, cached).
add_test(NAME package_add_subdirectory
  COMMAND ${CMAKE_CTEST_COMMAND} --build-and-test ${WB_CONSUMER_DIR}/subdir ${WB_PKG_DIR}/subdir ${WB_BUILD_OPTIONS}
          --build-options ${WB_CONSUMER_OPTIONS} -DWASMBOUND_SOURCE_DIR=${PROJECT_SOURCE_DIR}
          --test-command ${CMAKE_CTEST_COMMAND} --output-on-failure)
set_tests_properties(package_add_subdirectory PROPERTIES TIMEOUT 600)

# ---- the static variant -----------------------------------------------------
set(WB_STATIC_PREFIX "${WB_PKG_DIR}/prefix-static")
add_test(NAME static_archive
  COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target wasmbound_static)
set_tests_properties(static_archive PROPERTIES
  FIXTURES_SETUP wb_static_archive RESOURCE_LOCK wb_build_tree TIMEOUT 600)
add_test(NAME static_install
  COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${CMAKE_BINARY_DIR} -DPREFIX=${WB_STATIC_PREFIX}
          "-DCLEAN=${WB_PKG_DIR}/consumer-static|${WB_PKG_DIR}/consumer_static"
          -P ${WB_CONSUMER_DIR}/install_check.cmake)
set_tests_properties(static_install PROPERTIES
  FIXTURES_REQUIRED wb_static_archive FIXTURES_SETUP wb_static_prefix RESOURCE_LOCK wb_build_tree)
add_test(NAME static_pkgconfig
  COMMAND ${WB_CONSUMER_DIR}/pkgconfig.sh ${WB_STATIC_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig wasmbound-static
          ${WB_CONSUMER_DIR}/consumer.c ${WB_PKG_DIR}/consumer_static ${CMAKE_C_COMPILER}
          -std=c11 -Wall -Wextra -pedantic -Werror)
set_tests_properties(static_pkgconfig PROPERTIES PASS_REGULAR_EXPRESSION "consumer \\(C\\): 2 \\+ 40 = 42")
add_test(NAME static_find_package
  COMMAND ${CMAKE_CTEST_COMMAND} --build-and-test ${WB_CONSUMER_DIR} ${WB_PKG_DIR}/consumer-static ${WB_BUILD_OPTIONS}
          --build-options ${WB_CONSUMER_OPTIONS} -DCMAKE_PREFIX_PATH=${WB_STATIC_PREFIX}
                          -DWB_EXPECT_PREFIX=${WB_STATIC_PREFIX} -DWB_CONSUMER_STATIC=ON
          --test-command ${CMAKE_CTEST_COMMAND} --output-on-failure)
set_tests_properties(static_pkgconfig static_find_package PROPERTIES
  FIXTURES_REQUIRED wb_static_prefix TIMEOUT 300)
