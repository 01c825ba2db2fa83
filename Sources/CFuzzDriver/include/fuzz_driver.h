// libFuzzer's entry for programs that keep their own main (LLVM 11+): runs the fuzzing loop
// with libFuzzer's command line over `callback`. Defined only when linking with
// -sanitize=fuzzer, so csmed-fuzz refers to it only in its FUZZING build.
#ifndef CSMED_FUZZ_DRIVER_H
#define CSMED_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
