# LIVERCELL_SANITIZE=address,undefined adds the sanitizers to every target (set by `make test`).
if(LIVERCELL_SANITIZE)
  set(_lc_san "-fsanitize=${LIVERCELL_SANITIZE}")
  add_compile_options(${_lc_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(${_lc_san})
endif()
