/*
 * AEAD_CHACHA20_POLY1305 (RFC 8439 section 2.8) through OpenSSL's EVP, and
 * FSChaCha20Poly1305, BIP324's packet cipher: the nonce is the packet
 * number within the epoch and the epoch number, LE32(n % 224) ||
 * LE64(n / 224), and after every 224 packets the key is replaced by the
 * ChaCha20 keystream at block 1 under nonce (0xffffffff, epoch).
 *
 * Plaintexts come in two parts (BIP324's header byte and contents) so no
 * copy is needed to join them; either part may be empty. A struct belongs to
 * one thread; *_free wipes the key material it holds.
 */
#ifndef BR_CHACHA20POLY1305_H
#define BR_CHACHA20POLY1305_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/chacha20.h"

#define CHACHA20POLY1305_KEYLEN 32
#define CHACHA20POLY1305_TAGLEN 16 /* ciphertext = plaintext + tag */

struct evp_cipher_ctx_st;

struct chacha20poly1305 {
	struct evp_cipher_ctx_st *ctx; /* OpenSSL's, keyed per call */
	uint8_t key[CHACHA20POLY1305_KEYLEN];
};

/* Allocates the EVP context (fatal when OpenSSL cannot). */
void chacha20poly1305_init(struct chacha20poly1305 *a,
    const uint8_t key[CHACHA20POLY1305_KEYLEN]);
void chacha20poly1305_set_key(struct chacha20poly1305 *a,
    const uint8_t key[CHACHA20POLY1305_KEYLEN]);
/* out receives n1 + n2 + TAGLEN bytes: the ciphertext of p1 || p2, then the tag. */
void chacha20poly1305_encrypt(struct chacha20poly1305 *a,
    const uint8_t nonce[CHACHA20_NONCELEN], const uint8_t *aad, size_t aadlen,
    const uint8_t *p1, size_t n1, const uint8_t *p2, size_t n2, uint8_t *out);
/*
 * in holds n1 + n2 + TAGLEN bytes. Returns 0 with the plaintext in out1
 * (n1 bytes) and out2 (n2 bytes), or -1 if the tag does not match, when
 * out1 and out2 hold garbage that must not be used.
 */
int chacha20poly1305_decrypt(struct chacha20poly1305 *a,
    const uint8_t nonce[CHACHA20_NONCELEN], const uint8_t *aad, size_t aadlen,
    const uint8_t *in, uint8_t *out1, size_t n1, uint8_t *out2, size_t n2);
/* ChaCha20 keystream under the key from block 1 on (block 0 keys Poly1305). */
void chacha20poly1305_keystream(struct chacha20poly1305 *a,
    const uint8_t nonce[CHACHA20_NONCELEN], uint8_t *out, size_t n);
void chacha20poly1305_free(struct chacha20poly1305 *a);

#define FSCHACHA20POLY1305_REKEY_INTERVAL 224

struct fschacha20poly1305 {
	struct chacha20poly1305 aead;
	uint32_t packet_counter; /* within the epoch */
	uint64_t rekey_counter;	 /* the epoch */
};

void fschacha20poly1305_init(struct fschacha20poly1305 *f,
    const uint8_t key[CHACHA20POLY1305_KEYLEN]);
/* As chacha20poly1305_encrypt/decrypt, with the nonce of the next packet. */
void fschacha20poly1305_encrypt(struct fschacha20poly1305 *f,
    const uint8_t *aad, size_t aadlen, const uint8_t *p1, size_t n1,
    const uint8_t *p2, size_t n2, uint8_t *out);
/* A failed packet still counts: the stream is unusable after it anyway. */
int fschacha20poly1305_decrypt(struct fschacha20poly1305 *f,
    const uint8_t *aad, size_t aadlen, const uint8_t *in, uint8_t *out1,
    size_t n1, uint8_t *out2, size_t n2);
void fschacha20poly1305_free(struct fschacha20poly1305 *f);

#endif
