/*
 * BIP324's cipher suite (Core's BIP324Cipher): key agreement and derivation
 * once, then per-packet length and contents encryption with the forward-
 * secure wrappers of chacha20.c and chacha20poly1305.c.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/bip324.h"
#include "crypto/hkdf.h"
#include "util/log.h"

void
bip324_cipher_init(struct bip324_cipher *c)
{
	memset(c, 0, sizeof(*c));
	ellswift_keygen(c->priv, c->ell_ours);
}

int
bip324_cipher_init_key(struct bip324_cipher *c, const uint8_t priv[32],
    const uint8_t ell[ELLSWIFT_LEN])
{
	uint8_t x[32];

	memset(c, 0, sizeof(*c));
	if (ellswift_pubkey_x(priv, x) != 0)
		return -1;
	memcpy(c->priv, priv, 32);
	memcpy(c->ell_ours, ell, ELLSWIFT_LEN);
	return 0;
}

static void
expand(const uint8_t prk[32], const char *info, uint8_t *out, size_t len)
{
	hkdf_sha256_expand(prk, info, strlen(info), out, len);
}

int
bip324_cipher_start(struct bip324_cipher *c,
    const uint8_t ell_theirs[ELLSWIFT_LEN], int initiator,
    const uint8_t magic[4], int self_decrypt)
{
	static const char salt_prefix[] = "bitcoin_v2_shared_secret";
	uint8_t secret[32], prk[32], salt[sizeof(salt_prefix) - 1 + 4];
	uint8_t il[32], ip[32], rl[32], rp[32], term[32];
	int side;

	if (ellswift_xdh_bip324(c->ell_ours, ell_theirs, c->priv, initiator,
		secret) != 0)
		return -1;
	OPENSSL_cleanse(c->priv, sizeof(c->priv));
	memcpy(salt, salt_prefix, sizeof(salt_prefix) - 1);
	memcpy(salt + sizeof(salt_prefix) - 1, magic, 4);
	hkdf_sha256_extract(salt, sizeof(salt), secret, sizeof(secret), prk);
	expand(prk, "initiator_L", il, 32);
	expand(prk, "initiator_P", ip, 32);
	expand(prk, "responder_L", rl, 32);
	expand(prk, "responder_P", rp, 32);
	expand(prk, "garbage_terminators", term, 32);
	expand(prk, "session_id", c->session_id, BIP324_SESSION_ID_LEN);

	fschacha20_init(&c->send_l, initiator ? il : rl);
	fschacha20poly1305_init(&c->send_p, initiator ? ip : rp);
	memcpy(c->send_garbage_terminator, initiator ? term : term + 16, 16);
	/* Receiving uses the other side's keys, or ours to read our own output. */
	side = initiator ^ !!self_decrypt;
	fschacha20_init(&c->recv_l, side ? rl : il);
	fschacha20poly1305_init(&c->recv_p, side ? rp : ip);
	memcpy(c->recv_garbage_terminator, side ? term + 16 : term, 16);
	c->started = 1;

	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(prk, sizeof(prk));
	OPENSSL_cleanse(il, sizeof(il));
	OPENSSL_cleanse(ip, sizeof(ip));
	OPENSSL_cleanse(rl, sizeof(rl));
	OPENSSL_cleanse(rp, sizeof(rp));
	OPENSSL_cleanse(term, sizeof(term));
	return 0;
}

void
bip324_encrypt2(struct bip324_cipher *c, const uint8_t *prefix, size_t plen,
    const uint8_t *rest, size_t rlen, const uint8_t *aad, size_t aadlen,
    int ignore, uint8_t *out)
{
	uint8_t lenbuf[BIP324_LENGTH_LEN], head[1 + BIP324_MAX_PREFIX];
	size_t len = plen + rlen;

	if (plen > BIP324_MAX_PREFIX)
		fatalx("bip324_encrypt2: prefix of %zu bytes", plen);
	lenbuf[0] = (uint8_t)len;
	lenbuf[1] = (uint8_t)(len >> 8);
	lenbuf[2] = (uint8_t)(len >> 16);
	fschacha20_crypt(&c->send_l, lenbuf, out, BIP324_LENGTH_LEN);
	head[0] = ignore ? BIP324_IGNORE_BIT : 0;
	if (plen)
		memcpy(head + 1, prefix, plen);
	fschacha20poly1305_encrypt(&c->send_p, aad, aadlen, head, 1 + plen,
	    rest, rlen, out + BIP324_LENGTH_LEN);
}

void
bip324_encrypt(struct bip324_cipher *c, const uint8_t *contents, size_t len,
    const uint8_t *aad, size_t aadlen, int ignore, uint8_t *out)
{
	bip324_encrypt2(c, NULL, 0, contents, len, aad, aadlen, ignore, out);
}

uint32_t
bip324_decrypt_length(struct bip324_cipher *c,
    const uint8_t in[BIP324_LENGTH_LEN])
{
	uint8_t b[BIP324_LENGTH_LEN];

	fschacha20_crypt(&c->recv_l, in, b, BIP324_LENGTH_LEN);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
}

int
bip324_decrypt(struct bip324_cipher *c, const uint8_t *in, size_t len,
    const uint8_t *aad, size_t aadlen, int *ignore, uint8_t *contents)
{
	uint8_t hdr;

	if (fschacha20poly1305_decrypt(&c->recv_p, aad, aadlen, in, &hdr, 1,
		contents, len) != 0)
		return -1;
	*ignore = (hdr & BIP324_IGNORE_BIT) != 0;
	return 0;
}

void
bip324_cipher_free(struct bip324_cipher *c)
{
	if (c->started) {
		fschacha20poly1305_free(&c->send_p);
		fschacha20poly1305_free(&c->recv_p);
	}
	OPENSSL_cleanse(c, sizeof(*c));
}
