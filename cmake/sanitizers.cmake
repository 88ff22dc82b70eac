# PADDOCK_SANITIZE=ON builds everything with ASan+UBSan; UBSan findings abort the process
# so that a test run cannot pass over them.
if(PADDOCK_SANITIZE)
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${_san})
  add_link_options(${_san})
endif()
