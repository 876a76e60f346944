/*
 * Signed messages (see message.h).
 */
#include <string.h>

#include "chain/address.h"
#include "chain/message.h"
#include "crypto/hash.h"
#include "util/buf.h"

void
message_hash(const void *msg, size_t len, uint8_t out[32])
{
	struct sha256_ctx c;
	struct wbuf w;

	wbuf_init(&w);
	wbuf_put_compact(&w, strlen(MESSAGE_MAGIC));
	wbuf_put(&w, MESSAGE_MAGIC, strlen(MESSAGE_MAGIC));
	wbuf_put_compact(&w, len);
	sha256_init(&c);
	sha256_update(&c, w.p, w.len);
	sha256_update(&c, msg, len);
	hash256_final(&c, out);
	wbuf_free(&w);
}

enum message_result
message_verify(const struct chainparams *p, const char *address,
    const uint8_t *sig, size_t siglen, const void *msg, size_t len)
{
	uint8_t script[ADDRESS_MAX_SCRIPT], hash[32], pk[KEY_PUBKEY_MAX];
	uint8_t id[20];
	size_t slen, pklen;

	if (address_to_script(p, address, script, &slen, NULL, 0) == -1)
		return MESSAGE_ERR_INVALID_ADDRESS;
	/* OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG */
	if (slen != 25 || script[0] != 0x76 || script[1] != 0xa9 ||
	    script[2] != 20)
		return MESSAGE_ERR_ADDRESS_NO_KEY;
	if (sig == NULL)
		return MESSAGE_ERR_MALFORMED_SIGNATURE;
	message_hash(msg, len, hash);
	if (key_recover_compact(sig, siglen, hash, pk, &pklen) == -1)
		return MESSAGE_ERR_PUBKEY_NOT_RECOVERED;
	hash160(pk, pklen, id);
	return memcmp(id, script + 3, 20) == 0 ? MESSAGE_OK :
						 MESSAGE_ERR_NOT_SIGNED;
}

int
message_sign(const uint8_t secret[KEY_SECRET_SIZE], int compressed,
    const void *msg, size_t len, uint8_t sig[KEY_COMPACT_SIZE])
{
	uint8_t hash[32];

	message_hash(msg, len, hash);
	return key_sign_compact(secret, compressed, hash, sig);
}
