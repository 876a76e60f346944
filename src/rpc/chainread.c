/*
 * Chain reads shared by the blockchain and mining methods: a read
 * transaction, header JSON, median time past, next work and hash rate.
 * Everything runs inside the caller's LMDB read transaction and copies out
 * what it returns, so it never waits on the validation thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/arith256.h"
#include "chain/chainparams.h"
#include "chain/pow.h"
#include "consensus/consensus.h"
#include "rpc/rpc_int.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/log.h"

int
rpc_read_begin(struct rpc *r, struct store_rtxn **t, struct rpc_error *err)
{
	if (store_read_begin(rpc_shared(r)->store, t) != STORE_OK) {
		rpc_fail(err, RPC_DATABASE_ERROR, "Database read failed");
		return -1;
	}
	return 0;
}

void
rpc_bits_hex(uint32_t bits, char out[9])
{
	snprintf(out, 9, "%08x", bits);
}

void
rpc_target_hex(uint32_t bits, char out[65])
{
	struct arith256 t;

	arith256_set_compact(&t, bits, NULL, NULL);
	arith256_to_hex(&t, out);
}

void
rpc_set_bits_json(json_t *o, uint32_t bits)
{
	char s[65];

	rpc_bits_hex(bits, s);
	json_object_set_new(o, "bits", json_string(s));
	rpc_target_hex(bits, s);
	json_object_set_new(o, "target", json_string(s));
	json_object_set_new(o, "difficulty",
	    json_real(arith256_difficulty(bits)));
}

/*
 * Median time past by block hash. A block's median time depends only on
 * the block and its ancestors, so an entry never goes stale (a reorg needs
 * no invalidation); it saves getblockheader and friends the walk over 11
 * index records on every call. Direct-mapped: a collision just replaces.
 */
#define MTP_CACHE_SLOTS 2048 /* a power of two */

struct mtp_slot {
	uint8_t hash[32];
	int64_t mtp;
	int used;
};

/* mtp_mu guards mtp_cache. A leaf lock held only to copy one slot. */
static pthread_mutex_t mtp_mu = PTHREAD_MUTEX_INITIALIZER;
static struct mtp_slot mtp_cache[MTP_CACHE_SLOTS];

static size_t
mtp_slot_of(const uint8_t hash[32])
{
	/* Block hashes are uniform in their low-order (first) bytes. */
	return ((size_t)hash[0] | (size_t)hash[1] << 8) &
	    (MTP_CACHE_SLOTS - 1);
}

static int
mtp_cache_get(const uint8_t hash[32], int64_t *mtp)
{
	struct mtp_slot *sl = &mtp_cache[mtp_slot_of(hash)];
	int hit;

	pthread_mutex_lock(&mtp_mu);
	hit = sl->used && memcmp(sl->hash, hash, 32) == 0;
	if (hit)
		*mtp = sl->mtp;
	pthread_mutex_unlock(&mtp_mu);
	return hit;
}

static void
mtp_cache_put(const uint8_t hash[32], int64_t mtp)
{
	struct mtp_slot *sl = &mtp_cache[mtp_slot_of(hash)];

	pthread_mutex_lock(&mtp_mu);
	memcpy(sl->hash, hash, 32);
	sl->mtp = mtp;
	sl->used = 1;
	pthread_mutex_unlock(&mtp_mu);
}

/*
 * consensus_time_fn over the store's index records from e down. A missing
 * ancestor (the store being read mid-change) ends the walk early, and
 * leaves complete 0 so the answer is not cached.
 */
struct mtp_walk {
	struct store_rtxn *t;
	struct block_index_entry e; /* the record to give next */
	int have;		    /* e is there to give */
	int n;			    /* times given */
	int complete;		    /* reached genesis or the full span */
};

static int
mtp_walk_older(void *cursor, int64_t *time)
{
	struct mtp_walk *mw = cursor;
	uint8_t prev[32];

	if (!mw->have)
		return 1;
	*time = mw->e.hdr.time;
	if (++mw->n == CONSENSUS_MTP_SPAN || mw->e.height == 0) {
		mw->complete = 1;
		mw->have = 0;
		return 0;
	}
	memcpy(prev, mw->e.hdr.prev, 32);
	mw->have = store_get_index(mw->t, prev, &mw->e) == STORE_OK;
	return 0;
}

/* The median time past of e, whose record the caller has already read. */
static int64_t
median_time_of(struct store_rtxn *t, const struct block_index_entry *e)
{
	struct mtp_walk mw;
	int64_t mtp;

	if (mtp_cache_get(e->hash, &mtp))
		return mtp;
	mw.t = t;
	mw.e = *e;
	mw.have = 1;
	mw.n = 0;
	mw.complete = 0;
	/* Cannot fail: e itself always gives a time. */
	if (consensus_median_time_past(mtp_walk_older, &mw, &mtp) != 0)
		return 0;
	if (mw.complete)
		mtp_cache_put(e->hash, mtp);
	return mtp;
}

int64_t
rpc_median_time(struct store_rtxn *t, const uint8_t hash[32])
{
	struct block_index_entry e;
	int64_t mtp;

	if (mtp_cache_get(hash, &mtp))
		return mtp;
	if (store_get_index(t, hash, &e) != STORE_OK)
		return 0;
	return median_time_of(t, &e);
}

/* Whether e is on the active chain; *tip_height is set either way. */
static int
in_active_chain(struct store_rtxn *t, const struct block_index_entry *e,
    int32_t *tip_height)
{
	uint8_t tip[32], h[32];

	if (store_get_tip(t, tip, tip_height) != STORE_OK)
		*tip_height = -1;
	if (e->height > *tip_height)
		return 0;
	return store_get_active_hash(t, e->height, h) == STORE_OK &&
	    memcmp(h, e->hash, 32) == 0;
}

json_t *
rpc_header_json(struct store_rtxn *t, const uint8_t hash[32],
    struct rpc_error *err)
{
	struct block_index_entry e;
	struct arith256 w;
	char hex[65];
	uint8_t next[32];
	int32_t tip_h;
	int active;
	json_t *o;

	if (store_get_index(t, hash, &e) != STORE_OK)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Block not found");
	active = in_active_chain(t, &e, &tip_h);
	o = json_object();
	hash_to_hex(e.hash, hex);
	json_object_set_new(o, "hash", json_string(hex));
	json_object_set_new(o, "confirmations",
	    json_integer(active ? tip_h - e.height + 1 : -1));
	json_object_set_new(o, "height", json_integer(e.height));
	json_object_set_new(o, "version", json_integer(e.hdr.version));
	snprintf(hex, sizeof(hex), "%08x", (uint32_t)e.hdr.version);
	json_object_set_new(o, "versionHex", json_string(hex));
	hash_to_hex(e.hdr.merkle, hex);
	json_object_set_new(o, "merkleroot", json_string(hex));
	json_object_set_new(o, "time", json_integer(e.hdr.time));
	json_object_set_new(o, "mediantime",
	    json_integer(median_time_of(t, &e)));
	json_object_set_new(o, "nonce", json_integer(e.hdr.nonce));
	rpc_set_bits_json(o, e.hdr.bits);
	arith256_from_be(&w, e.chainwork);
	arith256_to_hex(&w, hex);
	json_object_set_new(o, "chainwork", json_string(hex));
	json_object_set_new(o, "nTx", json_integer(e.tx_count));
	if (e.height > 0) {
		hash_to_hex(e.hdr.prev, hex);
		json_object_set_new(o, "previousblockhash", json_string(hex));
	}
	if (active && e.height < tip_h &&
	    store_get_active_hash(t, e.height + 1, next) == STORE_OK) {
		hash_to_hex(next, hex);
		json_object_set_new(o, "nextblockhash", json_string(hex));
	}
	return o;
}

/* pow's view of the chain ending at a block: walks parents in the store. */
struct walk {
	struct store_rtxn *t;
	struct block_index_entry cur; /* lowest block reached so far */
	int active;		      /* the chain is the active one */
};

static int
walk_get(void *arg, int32_t height, struct pow_block *out)
{
	struct walk *w = arg;
	struct block_index_entry e;
	uint8_t h[32];

	if (w->active) {
		if (store_get_active_hash(w->t, height, h) != STORE_OK ||
		    store_get_index(w->t, h, &e) != STORE_OK)
			return -1;
	} else {
		if (height > w->cur.height)
			return -1;
		while (w->cur.height > height) {
			if (store_get_index(w->t, w->cur.hdr.prev, &w->cur) !=
			    STORE_OK)
				return -1;
		}
		e = w->cur;
	}
	out->height = e.height;
	out->time = e.hdr.time;
	out->bits = e.hdr.bits;
	return 0;
}

uint32_t
rpc_next_bits(struct store_rtxn *t, const struct chainparams *cp,
    const uint8_t prev[32], int64_t time)
{
	struct walk w;
	struct pow_block pb;
	uint32_t bits;
	int32_t tip_h;

	memset(&w, 0, sizeof(w));
	w.t = t;
	if (store_get_index(t, prev, &w.cur) != STORE_OK)
		return pow_limit_bits(cp);
	w.active = in_active_chain(t, &w.cur, &tip_h);
	pb.height = w.cur.height;
	pb.time = w.cur.hdr.time;
	pb.bits = w.cur.hdr.bits;
	if (pow_next_work_required(cp, &pb, time, walk_get, &w, &bits) == -1)
		return w.cur.hdr.bits;
	return bits;
}

double
rpc_network_hashps(struct store_rtxn *t, const struct chainparams *cp,
    int nblocks, int height)
{
	struct block_index_entry top, e;
	struct arith256 a, b;
	uint8_t h[32];
	int32_t tip_h;
	int64_t tmin, tmax;
	int i;

	if (store_get_tip(t, h, &tip_h) != STORE_OK || tip_h < 0)
		return 0;
	if (height >= 0 && height < tip_h &&
	    store_get_active_hash(t, height, h) != STORE_OK)
		return 0;
	if (store_get_index(t, h, &top) != STORE_OK || top.height == 0)
		return 0;
	/* -1: the blocks since the last difficulty change. */
	if (nblocks <= 0)
		nblocks = (int)(top.height %
			chainparams_retarget_interval(cp) +
		    1);
	if (nblocks > top.height)
		nblocks = top.height;
	e = top;
	tmin = tmax = e.hdr.time;
	for (i = 0; i < nblocks; i++) {
		if (store_get_index(t, e.hdr.prev, &e) != STORE_OK)
			return 0;
		if (e.hdr.time < tmin)
			tmin = e.hdr.time;
		if (e.hdr.time > tmax)
			tmax = e.hdr.time;
	}
	if (tmin == tmax)
		return 0;
	arith256_from_be(&a, top.chainwork);
	arith256_from_be(&b, e.chainwork);
	arith256_sub(&a, &a, &b);
	return arith256_to_double(&a) / (double)(tmax - tmin);
}
