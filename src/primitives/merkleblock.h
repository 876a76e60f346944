/*
 * Merkle blocks (BIP37): a block header and a partial merkle tree that
 * proves which of the block's transactions match, serialized exactly as
 * Bitcoin Core's CMerkleBlock (header, transaction count, the hashes, the
 * flag bits packed eight to a byte, least significant bit first).
 *
 * struct merkleblock is a plain value owned by the caller; its arrays are
 * xmalloc'd and released by merkleblock_free. Reentrant.
 */
#ifndef BR_MERKLEBLOCK_H
#define BR_MERKLEBLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/block.h"
#include "util/buf.h"

struct merkleblock {
	struct block_header hdr;
	uint32_t ntx;	       /* transactions in the block */
	uint8_t (*hashes)[32]; /* nhashes tree hashes, depth first */
	size_t nhashes;
	uint8_t *bits; /* nbits flags, packed as serialized */
	size_t nbits;  /* a multiple of 8 once parsed */
};

/*
 * Builds the proof that the transactions whose match flag is set are among
 * the n txids (in block order) of the block with header hdr. n > 0.
 */
void merkleblock_build(const struct block_header *hdr,
    const uint8_t (*txids)[32], const int *match, size_t n,
    struct merkleblock *out);
void merkleblock_serialize(const struct merkleblock *mb, struct wbuf *w);

/* Why merkleblock_parse failed, as Core's stream reader says it. */
enum merkleblock_err {
	MERKLEBLOCK_OK = 0,
	MERKLEBLOCK_EOF,	  /* "end of data" */
	MERKLEBLOCK_NONCANONICAL, /* non-canonical CompactSize */
	MERKLEBLOCK_TOO_LARGE,	  /* CompactSize above MAX_SIZE */
};
/*
 * Reads one merkle block at r's cursor, as Core deserializes it (bytes
 * after it are left unread; the tree is not checked here). 0 with *out
 * filled, or the error with nothing to free. Allocates no more than the
 * input's size.
 */
enum merkleblock_err merkleblock_parse(struct rbuf *r,
    struct merkleblock *out);
/* Core's message for e, e.g. "DataStream::read(): end of data". */
const char *merkleblock_strerror(enum merkleblock_err e);

/*
 * Core's CPartialMerkleTree::ExtractMatches: walks the tree, computes the
 * merkle root and collects the matched txids and their positions in the
 * block. Returns 0 with root set and *matches / *pos (xmalloc'd, *nmatch
 * entries, NULL when none; the caller frees them), or -1 when the tree is
 * malformed (then root is all zeros, as Core returns, and nothing is
 * allocated).
 */
int merkleblock_extract(const struct merkleblock *mb, uint8_t root[32],
    uint8_t (**matches)[32], uint32_t **pos, size_t *nmatch);
void merkleblock_free(struct merkleblock *mb);

#endif
