/*
 * BIP324's packet cipher suite: an ephemeral ElligatorSwift key pair, the
 * shared secret, HKDF-SHA256 key derivation (length and packet keys per
 * direction, garbage terminators, session id), and packet encryption:
 *
 *	packet = FSChaCha20(LE24(len(contents)))
 *	      || FSChaCha20Poly1305(aad, header byte || contents)
 *
 * A struct bip324_cipher belongs to one thread. bip324_cipher_free wipes the
 * secrets; after bip324_cipher_start the private key is wiped already.
 */
#ifndef BR_BIP324_H
#define BR_BIP324_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/chacha20.h"
#include "crypto/chacha20poly1305.h"
#include "crypto/ellswift.h"

#define BIP324_LENGTH_LEN 3
#define BIP324_HEADER_LEN 1
/* Bytes a packet adds to its contents: length, header, tag. */
#define BIP324_EXPANSION \
	(BIP324_LENGTH_LEN + BIP324_HEADER_LEN + CHACHA20POLY1305_TAGLEN)
#define BIP324_GARBAGE_TERMINATOR_LEN 16
#define BIP324_SESSION_ID_LEN 32
#define BIP324_IGNORE_BIT 0x80
#define BIP324_MAX_GARBAGE_LEN 4095

struct bip324_cipher {
	uint8_t priv[32];
	uint8_t ell_ours[ELLSWIFT_LEN];
	int started;
	struct fschacha20 send_l, recv_l;
	struct fschacha20poly1305 send_p, recv_p;
	uint8_t session_id[BIP324_SESSION_ID_LEN];
	uint8_t send_garbage_terminator[BIP324_GARBAGE_TERMINATOR_LEN];
	uint8_t recv_garbage_terminator[BIP324_GARBAGE_TERMINATOR_LEN];
};

/* A fresh key pair (ellswift_keygen); the encoding is in c->ell_ours. */
void bip324_cipher_init(struct bip324_cipher *c);
/* A given key pair (tests); -1 if priv is not a valid secret key. */
int bip324_cipher_init_key(struct bip324_cipher *c, const uint8_t priv[32],
    const uint8_t ell[ELLSWIFT_LEN]);
/*
 * Derives the keys from the peer's encoding. magic is the network's message
 * start. self_decrypt (tests) makes the receive side use our own send keys
 * so our packets can be decrypted again. -1 only if the private key is bad.
 */
int bip324_cipher_start(struct bip324_cipher *c,
    const uint8_t ell_theirs[ELLSWIFT_LEN], int initiator,
    const uint8_t magic[4], int self_decrypt);
/* Encrypts one packet into out (len + BIP324_EXPANSION bytes). */
void bip324_encrypt(struct bip324_cipher *c, const uint8_t *contents,
    size_t len, const uint8_t *aad, size_t aadlen, int ignore, uint8_t *out);
/*
 * The same for contents = prefix || rest, without joining them first
 * (a message type before a payload). prefix is at most
 * BIP324_MAX_PREFIX bytes.
 */
#define BIP324_MAX_PREFIX 15
void bip324_encrypt2(struct bip324_cipher *c, const uint8_t *prefix,
    size_t plen, const uint8_t *rest, size_t rlen, const uint8_t *aad,
    size_t aadlen, int ignore, uint8_t *out);
/* Decrypts the next packet's length field (contents length). */
uint32_t bip324_decrypt_length(struct bip324_cipher *c,
    const uint8_t in[BIP324_LENGTH_LEN]);
/*
 * Decrypts the rest of that packet: in holds len + HEADER_LEN + TAGLEN
 * bytes, contents receives len bytes. 0 with *ignore set from the header,
 * or -1 if authentication fails (the connection must be dropped).
 */
int bip324_decrypt(struct bip324_cipher *c, const uint8_t *in, size_t len,
    const uint8_t *aad, size_t aadlen, int *ignore, uint8_t *contents);
void bip324_cipher_free(struct bip324_cipher *c);

#endif
