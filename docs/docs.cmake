# cmake -DDOXYGEN=<doxygen> -DDOXYFILE=<configured Doxyfile> -DDOCS_DIR=<dir>
#       -DSOURCE_DIR=<source tree> -P docs/docs.cmake
#
# `make docs` and the CTest `docs`: generates the HTML reference with
# Doxygen, every warning an error, then checks what Doxygen cannot
# (docs/doc_lint.sh: thread rules, statuses, documented enumerators). On
# failure it lists each undocumented or wrongly documented item as
# FILE:LINE: what.
if(NOT DOXYGEN OR NOT EXISTS "${DOXYGEN}")
  message(FATAL_ERROR "doxygen is not installed: apt-get install doxygen (`make docs` and `make test` do)")
endif()
file(REMOVE_RECURSE "${DOCS_DIR}/html")
file(REMOVE "${DOCS_DIR}/warnings.log")
execute_process(COMMAND "${DOXYGEN}" "${DOXYFILE}" WORKING_DIRECTORY "${DOCS_DIR}"
  RESULT_VARIABLE doxygen_rc OUTPUT_VARIABLE doxygen_out ERROR_VARIABLE doxygen_err)
set(warnings "")
if(EXISTS "${DOCS_DIR}/warnings.log")
  file(READ "${DOCS_DIR}/warnings.log" warnings)
  string(REPLACE "${SOURCE_DIR}/" "" warnings "${warnings}")
  string(STRIP "${warnings}" warnings)
endif()
execute_process(COMMAND "${SOURCE_DIR}/docs/doc_lint.sh" include/wasmbound.h include/wasmbound.hh
  WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE lint_rc OUTPUT_VARIABLE lint_out ERROR_VARIABLE lint_err)
string(STRIP "${lint_out}${lint_err}" lint_out)

set(failed FALSE)
if(NOT doxygen_rc EQUAL 0 OR NOT warnings STREQUAL "")
  set(failed TRUE)
  message("Doxygen (status ${doxygen_rc}): every public function, struct field, enum value, macro and "
          "class member needs a comment, and every \\param a parameter:\n${warnings}\n${doxygen_err}")
endif()
if(NOT lint_rc EQUAL 0)
  set(failed TRUE)
  message("docs/doc_lint.sh (the conventions Doxygen does not check):\n${lint_out}")
endif()
if(failed)
  message(FATAL_ERROR "the reference documentation is incomplete: fix the items above (file:line: what)")
endif()
if(NOT EXISTS "${DOCS_DIR}/html/index.html")
  message(FATAL_ERROR "Doxygen wrote no ${DOCS_DIR}/html/index.html")
endif()
file(GLOB pages "${DOCS_DIR}/html/*.html")
list(LENGTH pages npages)
message("docs: ${npages} pages, 0 warnings: ${DOCS_DIR}/html/index.html")
