/* sha256: SHA-256 (FIPS 180-4) of a buffer, and base64 (RFC 4648 4), for
 * the hash of the HTML report's script in its Content-Security-Policy. */
#ifndef RSTSCOPE_SHA256_H
#define RSTSCOPE_SHA256_H
#include <stddef.h>
#include <stdint.h>

void sha256(const void *data, size_t len, uint8_t out[32]);
/* Base64 of n bytes into out (at least 4 * ((n + 2) / 3) + 1 bytes),
 * NUL-terminated; returns its length. */
size_t base64_encode(const uint8_t *in, size_t n, char *out);

#endif
