/* fuzz.h - the libFuzzer entry point every target in tests/fuzz defines
 * (declared here so -Wmissing-prototypes holds for the targets too). */
#ifndef DK_FUZZ_H
#define DK_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
