/*
 * Bitcoin Core's compact encodings of unspent outputs (compressor.h,
 * serialize.h's VARINT, coins.h's Coin), as its coins database and UTXO
 * snapshot files (dumptxoutset, loadtxoutset) write them:
 *
 *	coin	VARINT(height * 2 + coinbase), compressed amount, compressed
 *		script
 *	VARINT	base 128, most significant group first, every group but the
 *		last with one added, so each number has one encoding
 *	amount	trailing decimal zeros folded into an exponent (50 BTC is one
 *		byte), then VARINT
 *	script	one byte 0x00..0x05 and 20 or 32 bytes for the six standard
 *		forms (P2PKH, P2SH, P2PK with a compressed key, P2PK with a
 *		valid uncompressed key by its x coordinate and parity), else
 *		VARINT(length + 6) and the script
 *
 * Decoding follows Core where its results are odd, because a snapshot's
 * content hash is taken over what Core decodes: amounts decompress with
 * 64-bit wrap-around (the caller checks the money range), an uncompressed
 * key that is not on the curve decodes to an empty script, and a script
 * over MAX_SCRIPT_SIZE decodes to OP_RETURN with its bytes skipped.
 *
 * Pure functions, any thread. Readers take bytes only through struct rbuf
 * and return -1 on truncated or out-of-range input, where Core's stream
 * throws.
 */
#ifndef BR_COMPRESS_H
#define BR_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Longest VARINT of a 64-bit number. */
#define COMPRESS_VARINT_MAX 10
/* Script sizes below this are special forms (Core's nSpecialScripts). */
#define COMPRESS_SPECIAL_SCRIPTS 6

/* Writes v as a VARINT into out; returns its length. */
size_t compress_varint_put(uint8_t out[COMPRESS_VARINT_MAX], uint64_t v);
/*
 * Reads a VARINT of a field whose largest value is max (UINT32_MAX for
 * Core's 32-bit fields, UINT64_MAX for 64-bit ones), with Core's
 * ReadVarInt overflow rule ("size too large"). 0 or -1.
 */
int compress_varint_get(struct rbuf *r, uint64_t max, uint64_t *v);

/* Core's CompressAmount; n at most MAX_MONEY. */
uint64_t compress_amount(uint64_t n);
/* Core's DecompressAmount, wrapping as its uint64 arithmetic does. */
uint64_t decompress_amount(uint64_t x);

/* Appends script in Core's ScriptCompression form. */
void compress_script_put(struct wbuf *w, const uint8_t *script, size_t len);
/*
 * Reads a compressed script and appends the script it stands for to out
 * (nothing for an invalid uncompressed key, OP_RETURN for an oversized
 * script). 0 or -1.
 */
int compress_script_get(struct rbuf *r, struct wbuf *out);

/* A coin as Core serializes it (Coin::Serialize). */
struct compressed_coin {
	uint32_t height; /* 31 bits */
	int coinbase;
	int64_t value;	    /* may be out of range: check it */
	struct wbuf script; /* the decoded script (owned) */
};

void compress_coin_put(struct wbuf *w, uint32_t height, int coinbase,
    int64_t value, const uint8_t *script, size_t len);
/*
 * Reads one coin; c->script is reset first and reused, so one struct
 * serves a whole file (wbuf_free it at the end). 0 or -1.
 */
int compress_coin_get(struct rbuf *r, struct compressed_coin *c);

#endif
