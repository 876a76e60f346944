#ifndef BR_HEX_H
#define BR_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Writes 2*len lowercase hex digits and a NUL to out. */
void hex_encode(const void *p, size_t len, char *out);
/* xmalloc'd lowercase hex string of p. */
char *hex_encode_alloc(const void *p, size_t len);
/*
 * Decodes an even-length hex string (either case) of exactly strlen(s)
 * characters into out (capacity outcap). Returns the byte count or -1.
 */
int hex_decode(const char *s, uint8_t *out, size_t outcap);
/* Decodes into an xmalloc'd buffer; returns 0 or -1 (not hex, odd length). */
int hex_decode_alloc(const char *s, uint8_t **out, size_t *outlen);
int hex_is_valid(const char *s);
/* The value of one hex digit (either case), or -1. */
int hex_digit(char c);

/*
 * 256-bit hashes are shown in Core's byte order: reversed. out must hold 65.
 * hash_from_hex accepts exactly 64 hex digits.
 */
void hash_to_hex(const uint8_t h[32], char out[65]);
int hash_from_hex(const char *s, uint8_t h[32]);
/*
 * qsort comparator of two 32-byte hashes in the order of their hex (Core's
 * uint256 order: the bytes compared from the last).
 */
int hash_cmp_hex(const void *a, const void *b);

#endif
