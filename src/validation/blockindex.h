/*
 * The in-memory block index: every header the node knows, linked to its
 * parent, looked up by hash, plus the active chain as an array by height
 * and the set of candidate tips (blocks whose whole ancestry has data).
 *
 * Threads and locks: the structure has no lock of its own. The validation
 * thread is its only writer and reads it freely; it takes the chainstate
 * mutex (chainstate.c, "cs->lock") around every mutation. Other threads
 * take that mutex around every lookup and copy out what they need.
 * Entries are never freed while the chainstate is open, so a pointer to an
 * entry stays valid; its fields may change under the lock.
 */
#ifndef BR_BLOCKINDEX_H
#define BR_BLOCKINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct bindex {
	struct block_index_entry e; /* the persisted fields */
	struct bindex *parent;
	struct bindex *skip;  /* an older ancestor, for fast lookups */
	struct bindex *hnext; /* hash bucket chain */
	int64_t
	    seq; /* tie-break among equal work; preciousblock makes it negative */
	int candidate; /* in the candidate set */
	size_t tmp;    /* scratch for whole-index walks, under lock */
	int dirty;     /* changed in memory, not yet in the store */
	const uint8_t *pending_raw; /* block bytes in hand, not yet stored */
	size_t pending_len;
};

struct bindex_map {
	struct bindex **buckets;
	size_t nbuckets; /* a power of two */
	size_t count;
	uint64_t k0, k1; /* siphash key: bucket choice is not predictable */
	struct bindex **all; /* every entry, in insertion order */
	size_t nall, capall;
};

void bindex_map_init(struct bindex_map *m);
void bindex_map_free(struct bindex_map *m);
struct bindex *bindex_find(const struct bindex_map *m, const uint8_t hash[32]);
/* Adds a zeroed entry for hash (must not exist yet) and returns it. */
struct bindex *bindex_insert(struct bindex_map *m, const uint8_t hash[32]);

/* Sets b->skip once b->parent and the parent's skip are set. */
void bindex_build_skip(struct bindex *b);
/* b's ancestor at height h (h <= b's height), or NULL. */
struct bindex *bindex_ancestor(struct bindex *b, int32_t h);
/*
 * Median time past of b (consensus_median_time_past over b and its
 * ancestors); 0 for NULL.
 */
int64_t bindex_median_time_past(const struct bindex *b);
/* The last common ancestor of a and b (NULL only if unrelated). */
struct bindex *bindex_fork(struct bindex *a, struct bindex *b);
/* Negative, zero or positive as a has less, equal or more chainwork than b. */
int bindex_work_cmp(const struct bindex *a, const struct bindex *b);
/* The candidate order: more work first, then the earlier sequence. */
int bindex_better(const struct bindex *a, const struct bindex *b);
/* Whether b descends from (or is) a. */
int bindex_descends(struct bindex *b, struct bindex *a);

/* The active chain: chain[h] is the block at height h, up to the tip. */
struct active_chain {
	struct bindex **v;
	int32_t height; /* -1 when empty */
	size_t cap;
};

void chain_init(struct active_chain *c);
void chain_free(struct active_chain *c);
/* Makes tip the active tip (NULL: empty), rewriting heights above the fork. */
void chain_set_tip(struct active_chain *c, struct bindex *tip);
struct bindex *chain_tip(const struct active_chain *c);
struct bindex *chain_at(const struct active_chain *c, int32_t h);
int chain_contains(const struct active_chain *c, const struct bindex *b);
/* The most recent block of the chain that b also has (fork point). */
struct bindex *chain_find_fork(const struct active_chain *c, struct bindex *b);

/* A plain growable list of entries. */
struct bindex_list {
	struct bindex **v;
	size_t n, cap;
};

void blist_add(struct bindex_list *l, struct bindex *b);
void blist_free(struct bindex_list *l);

/* Candidate tips: a small unordered set, searched linearly. */
struct cand_set {
	struct bindex **v;
	size_t n, cap;
};

void cand_init(struct cand_set *s);
void cand_free(struct cand_set *s);
void cand_add(struct cand_set *s, struct bindex *b);
void cand_remove(struct cand_set *s, struct bindex *b);
/* The best candidate, or NULL. */
struct bindex *cand_best(const struct cand_set *s);
/* Drops every candidate worse than tip (but never tip itself). */
void cand_prune(struct cand_set *s, const struct bindex *tip);

#endif
