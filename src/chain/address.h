/*
 * Addresses: Base58Check (P2PKH, P2SH) and Bech32/Bech32m segwit addresses
 * (BIP173, BIP350) with each chain's prefixes, converted to and from output
 * scripts as Core's DecodeDestination and EncodeDestination do, with Core's
 * error messages.
 *
 * Reentrant; chainparams is only read. Base58 and Bech32 themselves are in
 * base58.h and bech32.h.
 */
#ifndef BR_ADDRESS_H
#define BR_ADDRESS_H

#include <stddef.h>
#include <stdint.h>

#include "chain/chainparams.h"

/* The longest script an address stands for: OP_n, push, 40-byte program. */
#define ADDRESS_MAX_SCRIPT 42
/* Room for any of the error messages below. */
#define ADDRESS_ERR_LEN 128

/*
 * Decodes addr for chain p into its output script (*script_len bytes of
 * script). Returns 0, or -1 with Core's message in err (errlen bytes, may
 * be 0), e.g. "Invalid or unsupported Segwit (Bech32) or Base58 encoding.",
 * "Invalid Bech32 checksum", "Version 1+ witness address must use Bech32m
 * checksum".
 */
int address_to_script(const struct chainparams *p, const char *addr,
    uint8_t script[ADDRESS_MAX_SCRIPT], size_t *script_len, char *err,
    size_t errlen);
/*
 * The same, also giving validateaddress's error_locations: on failure
 * *locs is an xmalloc'd array of *nlocs character positions (NULL when
 * there are none; only Bech32 errors have them). On success *locs is NULL.
 */
int address_decode(const struct chainparams *p, const char *addr,
    uint8_t script[ADDRESS_MAX_SCRIPT], size_t *script_len, char *err,
    size_t errlen, int **locs, size_t *nlocs);
/*
 * The address of an output script on chain p: P2PKH, P2SH, or a witness
 * program (v0 with 20 or 32 bytes as Bech32, v1 to v16 as Bech32m). Returns
 * an xmalloc'd string, or NULL for scripts without one (P2PK, bare
 * multisig, OP_RETURN, nonstandard).
 */
char *address_from_script(const struct chainparams *p, const uint8_t *script,
    size_t len);

#endif
