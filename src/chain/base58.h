/*
 * Base58 and Base58Check, with the decoding rules of Core's DecodeBase58:
 * leading and trailing whitespace is skipped, leading '1's are zero bytes,
 * and a result longer than the caller's bound is refused while decoding
 * (so hostile input costs no more than the bound).
 *
 * Reentrant; returned strings are xmalloc'd and owned by the caller.
 */
#ifndef BR_BASE58_H
#define BR_BASE58_H

#include <stddef.h>
#include <stdint.h>

char *base58_encode(const uint8_t *p, size_t len);
/* Appends the first four bytes of SHA256d(p) before encoding. */
char *base58check_encode(const uint8_t *p, size_t len);
/*
 * Decodes s into out (room for max bytes). Returns 0 with *outlen set, or
 * -1 if s is not Base58 or decodes to more than max bytes.
 */
int base58_decode(const char *s, uint8_t *out, size_t max, size_t *outlen);
/*
 * Same, then checks and strips the 4-byte checksum; max bounds the
 * payload. Returns 0, or -1 (not Base58, too long, bad checksum).
 */
int base58check_decode(const char *s, uint8_t *out, size_t max,
    size_t *outlen);

#endif
