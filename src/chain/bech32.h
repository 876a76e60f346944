/*
 * Bech32 (BIP173) and Bech32m (BIP350) strings, and Core's error location
 * for strings that fail to decode (validateaddress's error_locations).
 *
 * Data is in 5-bit symbols, one per byte. Reentrant; no allocation except
 * where stated.
 */
#ifndef BR_BECH32_H
#define BR_BECH32_H

#include <stddef.h>
#include <stdint.h>

/* Longest string Core decodes (BIP173's limit). */
#define BECH32_MAX_LEN 90
#define BECH32_CHECKSUM_LEN 6

enum bech32_encoding { BECH32_INVALID, BECH32_BECH32, BECH32_BECH32M };

/*
 * hrp (lowercase) + '1' + data + checksum, written to out (room for
 * outcap bytes with the NUL). Returns the length, or -1 if it does not fit
 * or a symbol is not 5-bit.
 */
int bech32_encode(enum bech32_encoding enc, const char *hrp,
    const uint8_t *data, size_t n, char *out, size_t outcap);
/*
 * Decodes s as Core's bech32::Decode does: printable ASCII, one case, at
 * most BECH32_MAX_LEN characters, the last '1' separating a non-empty hrp
 * from at least six checksum symbols. On success returns the encoding whose
 * checksum holds, with the lowercased hrp in hrp (room for hrpcap) and the
 * symbols before the checksum in data (room for datacap), *n set; else
 * BECH32_INVALID.
 */
enum bech32_encoding bech32_decode(const char *s, char *hrp, size_t hrpcap,
    uint8_t *data, size_t datacap, size_t *n);
/*
 * Why s does not decode, as Core's bech32::LocateErrors: returns a static
 * message ("" when s is valid) and, if locs is not NULL, an xmalloc'd
 * ascending array of suspect character positions in *locs (*nlocs of
 * them; NULL when none).
 */
const char *bech32_locate_errors(const char *s, int **locs, size_t *nlocs);

/*
 * Regroups bits (8 to 5 with pad, 5 to 8 without). Returns the output
 * count, or -1 if out is too small or, without pad, the leftover bits are
 * more than four or not zero.
 */
int bech32_convert_bits(const uint8_t *in, size_t n, int frombits, int tobits,
    int pad, uint8_t *out, size_t outcap);

#endif
