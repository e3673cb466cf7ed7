// The one LiverCell executable; everything it does is a subcommand (cli/app.h), `serve` (the
// server's own, server/serve_command.h) included. This file is the only one that sees both
// doors: cli/ and server/ never include each other.
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "livercell/cli/app.h"
#include "livercell/app/serve_command.h"

namespace {

// `livercell stats` allocates and frees column arrays of tens of MB per 10^6 rows. With glibc's
// defaults each large array is mapped afresh, faulted in 4 KiB at a time and unmapped when
// freed; on a virtual machine those page faults dominate the run (bench/README.md: km on 10^6
// rows 0.40 s → 0.15 s without them). So: allocate everything below 32 MiB from the heap,
// never give freed memory back, grow the heap by 1 GiB of address space at once (pages are
// only backed when touched) and ask for transparent huge pages on it (Debian's THP mode is
// "madvise"). Under a sanitizer's allocator the heap does not move and this does nothing.
void PrepareHeapForLargeArrays() {
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, INT32_MAX);
  mallopt(M_TOP_PAD, 1 << 30);
  const auto start = reinterpret_cast<std::uintptr_t>(sbrk(0));
  void* volatile block = std::malloc(4 << 20);  // volatile: the compiler may not elide it
  std::free(block);
  const auto end = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
  if (end > aligned) madvise(reinterpret_cast<void*>(aligned), end - aligned, MADV_HUGEPAGE);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "stats") == 0) PrepareHeapForLargeArrays();
  const livercell::cli::Registrar more[] = {&livercell::app::RegisterServeCommand};
  return livercell::cli::RunCli(argc, argv, more);
}
