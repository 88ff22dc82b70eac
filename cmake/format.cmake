# `cmake --build build --target format` rewrites every C source with the committed
# .clang-format; `format-check` fails when a file would change.
find_program(CLANG_FORMAT clang-format)
if(CLANG_FORMAT)
  file(GLOB_RECURSE _format_sources CONFIGURE_DEPENDS
    ${CMAKE_SOURCE_DIR}/*/*.c ${CMAKE_SOURCE_DIR}/*/*.h
    ${CMAKE_SOURCE_DIR}/*/*/*.c ${CMAKE_SOURCE_DIR}/*/*/*.h)
  list(FILTER _format_sources EXCLUDE REGEX "/build[^/]*/")
  add_custom_target(format COMMAND ${CLANG_FORMAT} -i ${_format_sources}
    COMMENT "clang-format -i on every C source")
  add_custom_target(format-check COMMAND ${CLANG_FORMAT} --dry-run --Werror ${_format_sources}
    COMMENT "clang-format check on every C source")
endif()
