# Warnings as a design guard (STYLE.md): applied to every target of the project.
add_compile_options(
  -Wall -Wextra -Wshadow -Wvla -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
  -Wframe-larger-than=16384 -Wno-unused-parameter)
if(PADDOCK_WERROR)
  add_compile_options(-Werror)
endif()
