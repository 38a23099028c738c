#ifndef FLAGC_SHA256_H
#define FLAGC_SHA256_H

#include <stddef.h>
#include <stdint.h>

/// Whether this processor has the SHA extensions `flagc_sha256_blocks` needs (x86-64 SHA-NI with SSE4.1).
int flagc_sha256_accelerated(void);

/// Runs the SHA-256 compression function over `blocks` 64-byte blocks at `data`, updating the chaining value
/// `state` (H0...H7). Call only when `flagc_sha256_accelerated()` returns non-zero.
void flagc_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
