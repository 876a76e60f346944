/*
 * Low-work headers sync with one peer: presync with commitments, then
 * redownload (see headerssync.h for the design and its bounds).
 */
#include <stdlib.h>
#include <string.h>

#include "chain/arith256.h"
#include "chain/pow.h"
#include "net/headerssync.h"
#include "util/log.h"
#include "util/siphash.h"
#include "util/xmalloc.h"

/* Core's MAX_FUTURE_BLOCK_TIME: how far ahead of now a header may be. */
#define HDRSYNC_MAX_FUTURE 7200
/* The fastest a chain can grow under the median-time-past rule. */
#define HDRSYNC_MAX_BLOCKS_PER_SEC 6

/*
 * A buffered header without its previous hash, which is the hash of the
 * header before it (Core's CompressedHeader): 48 bytes, as the memory
 * bound assumes.
 */
struct packed_hdr {
	int32_t version;
	uint32_t time;
	uint32_t bits;
	uint32_t nonce;
	uint8_t merkle[32];
};

struct hdrsync {
	const struct chainparams *cp;
	struct hdrsync_params prm;
	uint64_t peer_id;
	enum hdrsync_state state;
	uint64_t k0, k1;	/* commitment hash key */
	uint32_t commit_offset; /* heights h with h % period == this */
	struct hdrsync_start start;
	struct arith256 min_work;
	uint64_t max_commitments;

	/* Presync: the chain as far as received. */
	struct arith256 work;
	struct block_header last;
	uint8_t last_hash[32];
	int32_t height;

	/* One bit per commitment; bits [c_head, c_len) not yet checked. */
	uint8_t *cbits;
	uint64_t c_len, c_head;
	size_t c_cap; /* bytes */

	/* Redownload: buf[b_head, b_len) waits for more commitments. */
	struct packed_hdr *buf;
	size_t b_head, b_len, b_cap;
	uint8_t buf_first_prev[32]; /* prev hash of buf[b_head] */
	uint8_t buf_last_hash[32];
	int32_t buf_last_height;
	uint32_t buf_last_bits;
	struct arith256 redl_work;
	int process_all; /* the redownloaded chain reached min_work */

	/* Released, not yet taken by the caller. */
	struct block_header *ready;
	size_t r_head, r_len, r_cap;
};

/* Core 28 uses one pair on every chain (headerssync.cpp's constants). */
static const struct {
	enum chain_id id;
	struct hdrsync_params p;
} chain_params[] = {
	{ CHAIN_MAIN, { 606, 14441 } },
	{ CHAIN_TESTNET3, { 606, 14441 } },
	{ CHAIN_TESTNET4, { 606, 14441 } },
	{ CHAIN_SIGNET, { 606, 14441 } },
	{ CHAIN_REGTEST, { 606, 14441 } },
};

void
hdrsync_params_for(const struct chainparams *cp, struct hdrsync_params *out)
{
	size_t i;

	for (i = 0; i < sizeof(chain_params) / sizeof(chain_params[0]); i++) {
		if (chain_params[i].id == cp->id) {
			*out = chain_params[i].p;
			return;
		}
	}
	*out = chain_params[0].p;
}

static uint64_t
le64(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | b[i];
	return v;
}

struct hdrsync *
hdrsync_new(const struct chainparams *cp, const struct hdrsync_params *prm,
    uint64_t peer_id, const struct hdrsync_start *start,
    const uint8_t min_work[32], int64_t now, const uint8_t salt[24])
{
	struct hdrsync *hs = xcalloc(1, sizeof(*hs));
	int64_t secs;
	char hex[65];

	hs->cp = cp;
	hs->prm = *prm;
	if (hs->prm.commitment_period == 0)
		hs->prm.commitment_period = 1;
	hs->peer_id = peer_id;
	hs->state = HDRSYNC_PRESYNC;
	hs->k0 = le64(salt);
	hs->k1 = le64(salt + 8);
	hs->commit_offset = (uint32_t)(le64(salt + 16) %
	    hs->prm.commitment_period);
	hs->start = *start;
	arith256_from_be(&hs->min_work, min_work);
	arith256_from_be(&hs->work, start->chainwork);
	hs->last = start->hdr;
	memcpy(hs->last_hash, start->hash, 32);
	hs->height = start->height;
	/*
	 * No valid chain from the start can be longer than 6 blocks a second
	 * since its median time past: past that many commitments the peer is
	 * lying (or its chain grew since; a later sync may try again).
	 */
	secs = now - start->mtp + HDRSYNC_MAX_FUTURE;
	if (secs < 0)
		secs = 0;
	hs->max_commitments = (uint64_t)secs * HDRSYNC_MAX_BLOCKS_PER_SEC /
	    hs->prm.commitment_period;
	arith256_to_hex(&hs->min_work, hex);
	log_debug(LOG_NET,
	    "Initial headers sync started with peer=%llu: height=%d, "
	    "max_commitments=%llu, min_work=%s",
	    (unsigned long long)peer_id, hs->height,
	    (unsigned long long)hs->max_commitments, hex);
	return hs;
}

/* Frees what the sync holds, keeping the ready list for the caller. */
static void
finalize(struct hdrsync *hs)
{
	free(hs->cbits);
	hs->cbits = NULL;
	hs->c_len = hs->c_head = 0;
	hs->c_cap = 0;
	free(hs->buf);
	hs->buf = NULL;
	hs->b_head = hs->b_len = hs->b_cap = 0;
	hs->process_all = 0;
	hs->state = HDRSYNC_FINAL;
}

void
hdrsync_free(struct hdrsync *hs)
{
	if (hs == NULL)
		return;
	free(hs->cbits);
	free(hs->buf);
	free(hs->ready);
	free(hs);
}

static int
commitment_of(const struct hdrsync *hs, const uint8_t hash[32])
{
	return (int)(siphash_u256(hs->k0, hs->k1, hash) & 1);
}

static int
is_commit_height(const struct hdrsync *hs, int32_t height)
{
	return (uint32_t)height % hs->prm.commitment_period ==
	    hs->commit_offset;
}

static void
push_commitment(struct hdrsync *hs, int bit)
{
	size_t need = (size_t)(hs->c_len / 8) + 1;
	size_t most = (size_t)(hs->max_commitments / 8) + 1;

	if (need > hs->c_cap) {
		/* Doubling, but never past what max_commitments needs. */
		hs->c_cap = hs->c_cap ? hs->c_cap * 2 : 64;
		if (hs->c_cap > most)
			hs->c_cap = most;
		if (hs->c_cap < need)
			hs->c_cap = need;
		hs->cbits = xrealloc(hs->cbits, hs->c_cap);
	}
	if (bit)
		hs->cbits[hs->c_len / 8] |= (uint8_t)(1u << (hs->c_len % 8));
	else
		hs->cbits[hs->c_len / 8] &= (uint8_t) ~(1u << (hs->c_len % 8));
	hs->c_len++;
}

static const char *
phase(const struct hdrsync *hs)
{
	return hs->state == HDRSYNC_PRESYNC ? "presync" : "redownload";
}

static void
abort_log(const struct hdrsync *hs, const char *why, int32_t height)
{
	log_debug(LOG_NET,
	    "Initial headers sync aborted with peer=%llu: %s at height=%d "
	    "(%s phase)",
	    (unsigned long long)hs->peer_id, why, height, phase(hs));
}

/* Presync: one header, already known to continue hs->last. */
static int
presync_one(struct hdrsync *hs, const struct block_header *h,
    const uint8_t hash[32])
{
	int32_t next = hs->height + 1;
	struct arith256 proof;

	/*
	 * A chain squeezing its work into few blocks must still obey the
	 * retarget clamp: an attacker gains nothing by jumping difficulty.
	 */
	if (pow_check_transition(hs->cp, next, hs->last.bits, h->bits) != 0) {
		abort_log(hs, "invalid difficulty transition", next);
		return -1;
	}
	if (is_commit_height(hs, next)) {
		push_commitment(hs, commitment_of(hs, hash));
		if (hs->c_len > hs->max_commitments) {
			abort_log(hs, "exceeded max commitments", next);
			return -1;
		}
	}
	arith256_block_proof(&proof, h->bits);
	arith256_add(&hs->work, &hs->work, &proof);
	hs->last = *h;
	memcpy(hs->last_hash, hash, 32);
	hs->height = next;
	return 0;
}

static int
presync_batch(struct hdrsync *hs, const struct block_header *h,
    const uint8_t (*hashes)[32], size_t count)
{
	size_t i;

	if (memcmp(h[0].prev, hs->last_hash, 32) != 0) {
		/* Perhaps it reorged away; a new sync may start later. */
		abort_log(hs, "non-continuous headers", hs->height);
		return -1;
	}
	for (i = 0; i < count; i++)
		if (presync_one(hs, &h[i], hashes[i]) != 0)
			return -1;
	if (arith256_cmp(&hs->work, &hs->min_work) >= 0) {
		hs->b_head = hs->b_len = 0;
		hs->buf_last_height = hs->start.height;
		memcpy(hs->buf_first_prev, hs->start.hash, 32);
		memcpy(hs->buf_last_hash, hs->start.hash, 32);
		hs->buf_last_bits = hs->start.hdr.bits;
		arith256_from_be(&hs->redl_work, hs->start.chainwork);
		hs->state = HDRSYNC_REDOWNLOAD;
		log_debug(LOG_NET,
		    "Initial headers sync transition with peer=%llu: reached "
		    "sufficient work at height=%d, redownloading from "
		    "height=%d",
		    (unsigned long long)hs->peer_id, hs->height,
		    hs->buf_last_height);
	}
	return 0;
}

/*
 * A queue in one array, items [*head, *len) live: room for one more at the
 * end, by sliding the live items to the front or else doubling.
 */
static void *
queue_room(void *arr, size_t *head, size_t *len, size_t *cap, size_t size,
    size_t first_cap)
{
	if (*len < *cap)
		return arr;
	if (*head > 0) {
		memmove(arr, (uint8_t *)arr + *head * size,
		    (*len - *head) * size);
		*len -= *head;
		*head = 0;
		return arr;
	}
	*cap = *cap ? *cap * 2 : first_cap;
	return xreallocarray(arr, *cap, size);
}

static void
buf_push(struct hdrsync *hs, const struct block_header *h)
{
	struct packed_hdr *ph;

	hs->buf = queue_room(hs->buf, &hs->b_head, &hs->b_len, &hs->b_cap,
	    sizeof(*hs->buf), 1024);
	ph = &hs->buf[hs->b_len++];
	ph->version = h->version;
	ph->time = h->time;
	ph->bits = h->bits;
	ph->nonce = h->nonce;
	memcpy(ph->merkle, h->merkle, 32);
}

/* Redownload: one header, checked against its commitment and buffered. */
static int
redownload_one(struct hdrsync *hs, const struct block_header *h,
    const uint8_t hash[32])
{
	int32_t next = hs->buf_last_height + 1;
	struct arith256 proof;
	int expect;

	if (memcmp(h->prev, hs->buf_last_hash, 32) != 0) {
		abort_log(hs, "non-continuous headers", next);
		return -1;
	}
	if (pow_check_transition(hs->cp, next, hs->buf_last_bits, h->bits) !=
	    0) {
		abort_log(hs, "invalid difficulty transition", next);
		return -1;
	}
	arith256_block_proof(&proof, h->bits);
	arith256_add(&hs->redl_work, &hs->redl_work, &proof);
	if (arith256_cmp(&hs->redl_work, &hs->min_work) >= 0)
		hs->process_all = 1;
	/*
	 * Past the work target the commitments no longer matter: the peer's
	 * chain may have grown since presync, past the last one we hold.
	 */
	if (!hs->process_all && is_commit_height(hs, next)) {
		if (hs->c_head == hs->c_len) {
			abort_log(hs, "commitment overrun", next);
			return -1;
		}
		expect = (hs->cbits[hs->c_head / 8] >> (hs->c_head % 8)) & 1;
		hs->c_head++;
		if (commitment_of(hs, hash) != expect) {
			abort_log(hs, "commitment mismatch", next);
			return -1;
		}
	}
	buf_push(hs, h);
	hs->buf_last_height = next;
	memcpy(hs->buf_last_hash, hash, 32);
	hs->buf_last_bits = h->bits;
	return 0;
}

static void
ready_push(struct hdrsync *hs, const struct block_header *h)
{
	hs->ready = queue_room(hs->ready, &hs->r_head, &hs->r_len, &hs->r_cap,
	    sizeof(*hs->ready), 2048);
	hs->ready[hs->r_len++] = *h;
}

/*
 * Moves to the ready list the headers buffered deeper than
 * redownload_buffer_size (enough commitments above them have matched), or
 * all of them once the redownloaded chain has the work.
 */
static void
release(struct hdrsync *hs)
{
	struct block_header h;
	struct packed_hdr *ph;

	while (hs->b_len - hs->b_head > hs->prm.redownload_buffer_size ||
	    (hs->b_len > hs->b_head && hs->process_all)) {
		ph = &hs->buf[hs->b_head++];
		h.version = ph->version;
		memcpy(h.prev, hs->buf_first_prev, 32);
		memcpy(h.merkle, ph->merkle, 32);
		h.time = ph->time;
		h.bits = ph->bits;
		h.nonce = ph->nonce;
		ready_push(hs, &h);
		header_hash(&h, hs->buf_first_prev);
	}
}

void
hdrsync_process(struct hdrsync *hs, const struct block_header *h,
    const uint8_t (*hashes)[32], size_t count, int full,
    struct hdrsync_result *res)
{
	size_t i;

	res->success = 0;
	res->request_more = 0;
	if (count == 0 || hs->state == HDRSYNC_FINAL)
		return;
	if (hs->state == HDRSYNC_PRESYNC) {
		res->success = presync_batch(hs, h, hashes, count) == 0;
		if (res->success) {
			/* A new redownload starts from the beginning. */
			if (full || hs->state == HDRSYNC_REDOWNLOAD)
				res->request_more = 1;
			else
				log_debug(LOG_NET,
				    "Initial headers sync aborted with "
				    "peer=%llu: incomplete headers message "
				    "at height=%d (presync phase)",
				    (unsigned long long)hs->peer_id,
				    hs->height);
		}
	} else {
		res->success = 1;
		for (i = 0; i < count && res->success; i++)
			res->success = redownload_one(hs, &h[i], hashes[i]) ==
			    0;
		if (res->success) {
			release(hs);
			if (hs->process_all && hs->b_head == hs->b_len)
				log_debug(LOG_NET,
				    "Initial headers sync complete with "
				    "peer=%llu: releasing all at height=%d "
				    "(redownload phase)",
				    (unsigned long long)hs->peer_id,
				    hs->buf_last_height);
			else if (full)
				res->request_more = 1;
			else
				/* It showed a high-work chain, then stopped. */
				log_debug(LOG_NET,
				    "Initial headers sync aborted with "
				    "peer=%llu: incomplete headers message "
				    "at height=%d (redownload phase)",
				    (unsigned long long)hs->peer_id,
				    hs->buf_last_height);
		}
	}
	if (!(res->success && res->request_more))
		finalize(hs);
}

const struct block_header *
hdrsync_ready(const struct hdrsync *hs, size_t *count)
{
	*count = hs->r_len - hs->r_head;
	/* No arithmetic on the NULL of an empty list. */
	return *count > 0 ? hs->ready + hs->r_head : hs->ready;
}

void
hdrsync_consume(struct hdrsync *hs, size_t k)
{
	if (k > hs->r_len - hs->r_head)
		k = hs->r_len - hs->r_head;
	hs->r_head += k;
	if (hs->r_head == hs->r_len) {
		/* Drained: give the memory back. */
		free(hs->ready);
		hs->ready = NULL;
		hs->r_head = hs->r_len = hs->r_cap = 0;
	}
}

enum hdrsync_state
hdrsync_state(const struct hdrsync *hs)
{
	return hs->state;
}

void
hdrsync_locator_hash(const struct hdrsync *hs, uint8_t out[32])
{
	memcpy(out,
	    hs->state == HDRSYNC_REDOWNLOAD ? hs->buf_last_hash :
					      hs->last_hash,
	    32);
}

int32_t
hdrsync_start_height(const struct hdrsync *hs)
{
	return hs->start.height;
}

int32_t
hdrsync_presync_height(const struct hdrsync *hs)
{
	return hs->height;
}

void
hdrsync_presync_work(const struct hdrsync *hs, uint8_t out[32])
{
	arith256_to_be(&hs->work, out);
}

int64_t
hdrsync_presync_time(const struct hdrsync *hs)
{
	return hs->last.time;
}

size_t
hdrsync_mem(const struct hdrsync *hs)
{
	return sizeof(*hs) + hs->c_cap + hs->b_cap * sizeof(*hs->buf) +
	    hs->r_cap * sizeof(*hs->ready);
}

uint64_t
hdrsync_max_commitments(const struct hdrsync *hs)
{
	return hs->max_commitments;
}
