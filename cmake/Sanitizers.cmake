# LIVERCELL_SANITIZE=address,undefined adds the sanitizers to every target (set by `make test`).
if(LIVERCELL_SANITIZE)
  set(_lc_san "-fsanitize=${LIVERCELL_SANITIZE}")
  add_compile_options(${_lc_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(${_lc_san})
  # -O1 with line tables only: the level AddressSanitizer's documentation recommends, and half
  # the compile time of -O2 -g under both sanitizers (server/transport.cc 234 s -> 110 s with
  # GCC 12), which keeps a fresh `make test` well inside its budget. Stack traces keep file and
  # line; only variable locations are lost.
  set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O1 -g1 -DNDEBUG")
endif()
