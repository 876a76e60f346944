/*
 * The compact block filter index (-blockfilterindex, BIP157/158): the
 * basic filter and its header for every block of the active chain, kept
 * in the store (database blockfilter, doc/store.md) by block hash, so a
 * block that leaves the active chain keeps its filter.
 *
 * Threads. The index has one thread ("filterindex"), started after the
 * validation thread and stopped before it. It reads blocks and undo
 * records in store read transactions, computes the filters, and hands
 * each batch to the validation thread, which writes it with the index's
 * best block in one write transaction (validation_write): the validation
 * thread stays the store's only writer, and a kill -9 leaves the index at
 * its last batch. Validation's listeners only queue the blocks connected
 * and wake the index thread; the index thread waits for the validation
 * thread (a write), never the reverse.
 *
 * The best block follows Core's BaseIndex: every block connected is
 * indexed, in order, and becomes the best block; after a reorg the best
 * block goes back to the fork only when the first block of the new branch
 * is indexed, so an invalidateblock of the tip alone leaves it on the
 * invalidated block. "Synced" latches once the
 * index first reaches the tip (at start-up: the stored best block is the
 * tip); an index that is not synced waits for an import (-loadblock,
 * -reindex) to finish before it catches up.
 *
 * Reads: any thread, in its own read transaction (pointers borrowed until
 * it ends): store_get_blockfilter for one block, filterindex_range and
 * filterindex_ancestor below for the P2P messages.
 */
#ifndef BR_FILTERINDEX_H
#define BR_FILTERINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "index/blockfilter.h"
#include "store/store.h"

struct args;
struct validation;
struct filterindex;

/*
 * -blockfilterindex and -peerblockfilters, read as Core's init does: 0, 1
 * or empty (every type) or type names, the last value deciding between
 * those three forms. *types gets bit (1 << type) for each enabled type,
 * *serve -peerblockfilters. -1 with Core's message (without "Error: ") in
 * err: an unknown name, or -peerblockfilters without the basic index.
 * Any thread (the args are read-only).
 */
int filterindex_options(const struct args *a, unsigned *types, int *serve,
    char *err, size_t errlen);

/*
 * Reads the index's best block from the store, registers the tip
 * listener with v and starts the thread, which catches up with the
 * active chain at once. In prune mode an index behind the tip whose
 * blocks were pruned is refused with Core's error; the index moves the
 * prune lock named after it (fi's name, "basic block filter index") as
 * it commits. Main thread, after validation_start; 0, or -1 with the
 * reason logged.
 */
int filterindex_start(struct store *s, struct validation *v, uint8_t type,
    struct filterindex **out);
/*
 * The index's name, Core's ("basic block filter index"): also the name of
 * its prune lock, which the node registers at -1 (keep every block) before
 * validation starts (validation_start_locks) and filterindex_start moves
 * to the index's best block. Any thread.
 */
#define FILTERINDEX_NAME_LEN 48
void filterindex_name(uint8_t type, char name[FILTERINDEX_NAME_LEN]);
/* Finishes the batch in hand, joins the thread, frees fi. Main thread. */
void filterindex_stop(struct filterindex *fi);

struct filterindex_status {
	const char *name; /* Core's: "basic block filter index" */
	int synced;	  /* caught up with the tip once */
	int has_best;
	int32_t best_height; /* 0 without a best block */
	uint8_t best[32];
};
/* Any thread. */
void filterindex_status(struct filterindex *fi, struct filterindex_status *st);
uint8_t filterindex_type(const struct filterindex *fi);

/*
 * Core's BlockUntilSyncedToCurrentChain: 0 at once when the index is not
 * synced; else waits until the active tip as it is now is the index's
 * best block or an ancestor of it, up to timeout_ms (or until the index
 * stops), and returns 1. Any thread holding no store transaction.
 */
int filterindex_wait_for_tip(struct filterindex *fi, int timeout_ms);

/*
 * Core's SyncWithValidationInterfaceQueue, for the index: waits until
 * every block connected before the call has been handled by the index
 * (indexed, once the index is synced), up to timeout_ms. 0, or -1 on
 * time-out. Any thread holding no store transaction.
 */
int filterindex_sync(struct filterindex *fi, int timeout_ms);

/*
 * The hash of the ancestor at height of the block stop (stop's own hash
 * at its height). STORE_NOTFOUND when height is out of 0..stop's height
 * or a parent is missing from the block index.
 */
int filterindex_ancestor(struct store_rtxn *t,
    const struct block_index_entry *stop, int32_t height, uint8_t out[32]);
/*
 * The filters of the blocks at heights start..stop's height on the branch
 * that ends at stop, oldest first: out[i] (and hashes[i], the block
 * hashes, when not NULL) for height start + i, stop's height - start + 1
 * of them. STORE_NOTFOUND when one of them is not indexed (yet).
 */
int filterindex_range(struct store_rtxn *t, uint8_t type,
    const struct block_index_entry *stop, int32_t start,
    struct store_filter *out, uint8_t (*hashes)[32]);

#endif
