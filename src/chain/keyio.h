/*
 * Private keys in Wallet Import Format (Base58Check of the chain's secret
 * key prefix, the 32-byte key and 0x01 for a compressed public key), read
 * and written as Core's DecodeSecret and EncodeSecret do.
 *
 * Reentrant; chainparams is only read.
 */
#ifndef BR_KEYIO_H
#define BR_KEYIO_H

#include <stdint.h>

#include "chain/chainparams.h"

/*
 * Decodes a WIF string for chain p: 0 with secret and *compressed, or -1
 * when it is not Base58Check, has another prefix or length, or the key is
 * not valid (zero or not below the group order).
 */
int keyio_decode_secret(const struct chainparams *p, const char *s,
    uint8_t secret[32], int *compressed);
/* The WIF string of secret for chain p, xmalloc'd. */
char *keyio_encode_secret(const struct chainparams *p,
    const uint8_t secret[32], int compressed);

#endif
