/*
 * BIP152 compact blocks as bytes: short transaction ids, the cmpctblock,
 * getblocktxn and blocktxn messages, and the rebuilding of a block from a
 * compact one (Core's PartiallyDownloadedBlock). Pure functions, no state
 * outside the structs the caller passes; any thread (the net thread uses
 * them, cmpctrelay.c). Parsers read only through struct rbuf and allocate
 * nothing on error.
 *
 * Ownership: everything a parse or cmpct_partial_init allocates belongs to
 * the struct it filled and is released by its *_free function; raw
 * transaction bytes given to cmpct_partial_offer are copied.
 */
#ifndef BR_NET_CMPCT_H
#define BR_NET_CMPCT_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/block.h"
#include "util/buf.h"

/* The only version we speak: short ids over wtxids (Core). */
#define CMPCTBLOCKS_VERSION 2
/* Peers asked to announce by cmpctblock (BIP152: at most 3). */
#define CMPCT_MAX_HB_PEERS 3
/* getdata MSG_CMPCT_BLOCK deeper than this gets the full block (Core). */
#define MAX_CMPCTBLOCK_DEPTH 5
/* getblocktxn deeper than this gets the full block (Core). */
#define MAX_BLOCKTXN_DEPTH 10
/* -blockreconstructionextratxn's default (Core). */
#define DEFAULT_BLOCK_RECONSTRUCTION_EXTRA_TXN 100
/* A transaction larger than this is not kept for rebuilding (Core). */
#define MAX_EXTRA_TX_BYTES 100000

struct cmpct_prefilled {
	uint16_t index; /* absolute position in the block */
	uint8_t *raw;	/* with witness, allocated */
	size_t len;
	int null; /* neither inputs nor outputs */
};

struct cmpct_block {
	struct block_header hdr;
	uint64_t nonce;
	uint64_t *ids; /* 48-bit short ids */
	size_t nids;
	struct cmpct_prefilled *pre;
	size_t npre;
	/*
	 * Reads, but Core's InitData would call it invalid (a null header, no
	 * transactions, a null prefilled transaction, a prefilled index past
	 * the end): the sender is punished once its header proves valid.
	 */
	int bad;
};

/*
 * cmpctblock. PROTO_EMALFORMED (as Core's deserializer throws) when it is
 * truncated, a count is not canonical, a prefilled index exceeds 16 bits
 * or the block would have more than MAX_CMPCTBLOCK_TXS transactions.
 */
int cmpct_block_parse(struct rbuf *r, struct cmpct_block *cb);
void cmpct_block_free(struct cmpct_block *cb);
/* cmpctblock for block b (the coinbase prefilled, as Core). */
void cmpct_block_encode(struct wbuf *w, const struct block *b, uint64_t nonce);

/* The SipHash keys of a compact block: SHA256(header || nonce). */
void cmpct_keys(const struct block_header *h, uint64_t nonce, uint64_t k[2]);
/* The 6-byte short id of a wtxid under keys k. */
uint64_t cmpct_short_id(const uint64_t k[2], const uint8_t wtxid[32]);

/* getblocktxn: absolute indexes, ascending. */
struct blocktxn_req {
	uint8_t hash[32];
	uint16_t *idx;
	size_t n;
};
int getblocktxn_parse(struct rbuf *r, struct blocktxn_req *q);
void getblocktxn_encode(struct wbuf *w, const uint8_t hash[32],
    const uint16_t *idx, size_t n);
void blocktxn_req_free(struct blocktxn_req *q);

/* blocktxn: the transactions, raw with witness, pointing into the message. */
struct blocktxn_msg {
	uint8_t hash[32];
	const uint8_t **raw;
	size_t *len;
	size_t n;
};
int blocktxn_parse(struct rbuf *r, struct blocktxn_msg *m);
void blocktxn_msg_free(struct blocktxn_msg *m);

/* What cmpct_partial_* return. */
#define CMPCT_OK 0
#define CMPCT_INVALID (-1) /* the peer sent nonsense: punish */
#define CMPCT_FAILED (-2)  /* short-id collision: fetch the full block */

struct cmpct_slot_id {
	uint64_t id;
	uint32_t slot;
};

/* A block being rebuilt. */
struct cmpct_partial {
	struct block_header hdr;
	uint8_t hash[32];
	uint64_t k[2];
	size_t n;      /* transactions in the block */
	uint8_t **raw; /* per slot: NULL while missing */
	size_t *len;
	uint8_t (*wtxid)[32];	   /* of what fills the slot */
	uint8_t *have;		   /* a candidate was seen (Core's have_txn) */
	struct cmpct_slot_id *ids; /* sorted by id */
	size_t nids;
	size_t prefilled, from_pool, from_extra;
};

/*
 * Sets up pb from cb (which may be freed afterwards). CMPCT_INVALID as
 * Core's READ_STATUS_INVALID, CMPCT_FAILED when two short ids of the block
 * are equal.
 */
int cmpct_partial_init(struct cmpct_partial *pb, const struct cmpct_block *cb);
/*
 * Offers a transaction we hold (extra: from the pool of recently evicted
 * or rejected ones). One that matches a short id fills its slot; a second,
 * different one matching the same id empties it again, so that it is asked
 * for (Core). Returns 1 when it filled a slot.
 */
int cmpct_partial_offer(struct cmpct_partial *pb, const uint8_t wtxid[32],
    const uint8_t *raw, size_t len, int extra);
/* Whether every short id is matched. */
int cmpct_partial_complete(const struct cmpct_partial *pb);
/* The missing slots, ascending, into out (n entries); returns the count. */
size_t cmpct_partial_missing(const struct cmpct_partial *pb, uint16_t *out);
/*
 * Fills the missing slots in order from m. CMPCT_INVALID if the count does
 * not match what is missing (Core: non-matching block transactions).
 */
int cmpct_partial_fill(struct cmpct_partial *pb, const struct blocktxn_msg *m);
/*
 * The whole block, serialized with witness, into w; CMPCT_FAILED if it
 * does not parse or its merkle root is wrong (a short-id collision picked a
 * wrong transaction: Core's READ_STATUS_FAILED). Every slot must be filled.
 */
int cmpct_partial_finish(const struct cmpct_partial *pb, struct wbuf *w);
void cmpct_partial_free(struct cmpct_partial *pb);

#endif
