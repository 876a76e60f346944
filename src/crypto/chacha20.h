/*
 * ChaCha20 (RFC 8439): the block function, a seekable stream cipher, and
 * FSChaCha20, BIP324's forward-secure length cipher that rekeys itself
 * every FSCHACHA20_REKEY_INTERVAL chunks.
 *
 * Nonces are 96 bits, built from a 32-bit and a 64-bit part as BIP324 does
 * (chacha20_nonce96: LE32(lo) || LE64(hi)). All functions are reentrant;
 * a struct belongs to one thread. Key material lives inside the structs:
 * wipe them with the *_wipe functions when done.
 */
#ifndef BR_CHACHA20_H
#define BR_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#define CHACHA20_KEYLEN 32
#define CHACHA20_NONCELEN 12
#define CHACHA20_BLOCKLEN 64

/* One 64-byte block of keystream for (key, nonce, block counter). */
void chacha20_block(const uint8_t key[CHACHA20_KEYLEN],
    const uint8_t nonce[CHACHA20_NONCELEN], uint32_t counter,
    uint8_t out[CHACHA20_BLOCKLEN]);
/* nonce = LE32(lo) || LE64(hi). */
void chacha20_nonce96(uint8_t nonce[CHACHA20_NONCELEN], uint32_t lo,
    uint64_t hi);

/* A stream: keystream is produced block by block and buffered between calls. */
struct chacha20 {
	uint32_t state[16];
	uint8_t buf[CHACHA20_BLOCKLEN];
	unsigned left; /* unused bytes at the end of buf */
};

/* Sets the key; the nonce and block counter start at zero. */
void chacha20_init(struct chacha20 *c, const uint8_t key[CHACHA20_KEYLEN]);
/* Positions the stream at the start of block `counter` under nonce. */
void chacha20_seek(struct chacha20 *c, const uint8_t nonce[CHACHA20_NONCELEN],
    uint32_t counter);
void chacha20_keystream(struct chacha20 *c, uint8_t *out, size_t n);
/* out = in ^ keystream; in and out may be the same buffer. */
void chacha20_crypt(struct chacha20 *c, const uint8_t *in, uint8_t *out,
    size_t n);
void chacha20_wipe(struct chacha20 *c);

/*
 * FSChaCha20 (BIP324 length cipher): one keystream over consecutive chunks
 * under nonce (0, rekey counter); after every REKEY_INTERVAL chunks the
 * next 32 keystream bytes become the key and the rekey counter advances.
 * Encryption and decryption are the same operation.
 */
#define FSCHACHA20_REKEY_INTERVAL 224

struct fschacha20 {
	struct chacha20 c;
	uint32_t chunk_counter;
	uint64_t rekey_counter;
};

void fschacha20_init(struct fschacha20 *f, const uint8_t key[CHACHA20_KEYLEN]);
/* Crypts one chunk (BIP324: a 3-byte length). */
void fschacha20_crypt(struct fschacha20 *f, const uint8_t *in, uint8_t *out,
    size_t n);
void fschacha20_wipe(struct fschacha20 *f);

/* Zeroes memory in a way the compiler keeps (key material). */
void crypto_wipe(void *p, size_t n);

#endif
