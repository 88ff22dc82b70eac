# `cmake --build build --target guest-artifacts`: cross-compiles tests/guest/*.c and fetches
# Debian's guest packages into the cache (scripts/guest-artifacts; cached, idempotent).
add_custom_target(guest-artifacts
  COMMAND ${CMAKE_COMMAND} -E env PADDOCK_CACHE=${PADDOCK_CACHE_DIR}
          ${CMAKE_SOURCE_DIR}/scripts/guest-artifacts
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  USES_TERMINAL
  COMMENT "Guest test programs and Debian guest packages into ${PADDOCK_CACHE_DIR}")
