# PADDOCK_SANITIZE=ON builds everything with ASan+UBSan; UBSan findings abort the process
# so that a test run cannot pass over them. PADDOCK_TSAN=ON builds with ThreadSanitizer
# instead (the two cannot be combined).
if(PADDOCK_SANITIZE AND PADDOCK_TSAN)
  message(FATAL_ERROR "PADDOCK_SANITIZE and PADDOCK_TSAN cannot be combined")
endif()
if(PADDOCK_SANITIZE)
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
elseif(PADDOCK_TSAN)
  # TSan does not model standalone fences (the interpreter's mb); gcc warns about each.
  set(_san -fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
endif()
if(_san)
  add_compile_options(${_san})
  add_link_options(${_san})
endif()
