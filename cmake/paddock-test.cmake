# paddock_unit_test(NAME source...): a GTest program linked with libpaddock, run by ctest
# with label "unit" and the cache directory where guest artifacts live.
set(PADDOCK_CACHE_DIR "$ENV{PADDOCK_CACHE}")
if(NOT PADDOCK_CACHE_DIR)
  set(PADDOCK_CACHE_DIR "$ENV{HOME}/.cache/paddock")
endif()

function(paddock_unit_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE paddock)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS unit
    ENVIRONMENT "PADDOCK_CACHE=${PADDOCK_CACHE_DIR};G_DEBUG=fatal-criticals")
endfunction()
