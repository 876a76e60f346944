/*
 * Signed messages ("Bitcoin Signed Message:\n"), as Bitcoin Core 28's
 * signmessage and verifymessage: a compact recoverable ECDSA signature over
 * the double SHA256 of the magic and the message, each with its
 * CompactSize length, verified only against P2PKH addresses.
 *
 * Reentrant; chainparams is only read.
 */
#ifndef BR_MESSAGE_H
#define BR_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "chain/chainparams.h"
#include "crypto/key.h"

#define MESSAGE_MAGIC "Bitcoin Signed Message:\n"

/* Core's MessageVerificationResult. */
enum message_result {
	MESSAGE_OK = 0,
	MESSAGE_ERR_INVALID_ADDRESS,	  /* not an address of this chain */
	MESSAGE_ERR_ADDRESS_NO_KEY,	  /* not a P2PKH address */
	MESSAGE_ERR_MALFORMED_SIGNATURE,  /* the base64 did not decode */
	MESSAGE_ERR_PUBKEY_NOT_RECOVERED, /* no key recovers from sig */
	MESSAGE_ERR_NOT_SIGNED,		  /* a key, but not the address's */
};

void message_hash(const void *msg, size_t len, uint8_t out[32]);
/*
 * Checks, in Core's order, that address is a P2PKH address of p and that
 * sig (siglen bytes; NULL when the signature's base64 did not decode)
 * recovers the key it pays to.
 */
enum message_result message_verify(const struct chainparams *p,
    const char *address, const uint8_t *sig, size_t siglen, const void *msg,
    size_t len);
/* Core's MessageSign: 0 with the 65-byte signature, or -1. */
int message_sign(const uint8_t secret[KEY_SECRET_SIZE], int compressed,
    const void *msg, size_t len, uint8_t sig[KEY_COMPACT_SIZE]);

#endif
