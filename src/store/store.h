/*
 * The store: one LMDB environment in <datadir>/<chain>/chainstate/ holding
 * the block index, the active chain (height -> hash), the UTXO set and
 * metadata (format version, chain magic, tip), and where each raw block
 * and its undo data are in the block files of <datadir>/<chain>/blocks/
 * (blkNNNNN.dat, revNNNNN.dat, framed as Bitcoin Core's; doc/store.md).
 *
 * Threads: the validation thread writes the block index, the blocks and
 * the followed chainstate (one write transaction per block connected or
 * disconnected). With a UTXO snapshot loaded there are two more writers,
 * each of its own chainstate's coins (store_txn_use): the background
 * validation thread and, while a snapshot file is read, the RPC worker
 * loading it; LMDB makes writers take turns. Any thread may open read
 * transactions (the environment is opened with MDB_NOTLS); they are short
 * and never wait for the validation lock. The net and rpc threads only
 * read (contrib/devtools/check_includes.py checks that they call no
 * function below that takes a struct store_wtxn or changes the store).
 *
 * Errors: every int function returns STORE_OK (0) or a negative STORE_*
 * code; LMDB failures are logged with mdb_strerror() before they are
 * returned. STORE_ERROR also covers corrupt values and invalid arguments (a
 * negative height, a coin value outside 0..MAX_MONEY), logged as well.
 * Gets return STORE_NOTFOUND for a missing key (store_get_best_header too,
 * before one is set); deletes return STORE_NOTFOUND when there was nothing
 * to delete, and the transaction stays usable. After any other failed
 * write the transaction must be aborted.
 *
 * Lifetimes: pointers returned from a read transaction are valid only
 * until store_read_end(). store_write_commit and store_write_abort free
 * the transaction whatever they return (commit can return STORE_MAPFULL
 * too: grow and redo). store_wtxn_reader's view belongs to the write
 * transaction: never pass it to store_read_end. store_close needs every
 * transaction ended; it flushes (store_sync) before closing.
 *
 * Threads and transactions: a read transaction is begun and ended on the
 * same thread, and a thread never holds one while it waits for another
 * thread (see store_grow below). A thread may hold several read
 * transactions, and the writer may hold read transactions besides its
 * write transaction.
 */
#ifndef BR_STORE_H
#define BR_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/block.h"
#include "primitives/tx.h"

#define STORE_OK 0
#define STORE_NOTFOUND (-1)
#define STORE_ERROR (-2)   /* LMDB failure; logged */
#define STORE_MAPFULL (-3) /* see the write transactions below */
#define STORE_EXISTS (-4)  /* store_add_coin: the outpoint has a coin */

const char *store_strerror(int code);

struct store;
struct store_rtxn;
struct store_wtxn;

/* ---- Environment ---- */

/*
 * store_open creates or opens <dir> (the chainstate directory); it refuses
 * (STORE_ERROR, reason in err) a store made for another chain (magic), a
 * newer format, or a directory that is not an LMDB store of ours (for
 * instance a LevelDB chainstate), and modifies nothing then. store_open
 * uses the default options; store_open_opts takes them:
 * map_size: initial map size in bytes, 0 for the default (1 GiB on 64-bit,
 * 256 MiB on 32-bit); never below what an existing store already uses.
 * The default sync mode is STORE_SYNC_DATA (below).
 */
enum store_sync_mode {
	/*
	 * For throwaway stores (unit tests, benchmarks); the node never uses
	 * it. Commits are not flushed: a commit is in the kernel's page cache
	 * when store_write_commit returns, which survives kill -9 of the
	 * process, and store_sync() (and the interval below) puts it on disk.
	 * An OS crash or power loss loses the commits since the last flush
	 * and can corrupt the store: writeback may put a meta page on disk
	 * before its pages, and pages of the flushed tree are reused in place
	 * (doc/store.md, "Durability").
	 */
	STORE_SYNC_PERIODIC = 0,
	/*
	 * Default (store_open), and the node's mode throughout: import, IBD,
	 * at the tip. Each commit fdatasyncs its pages (and the previous
	 * commit's meta page) before it writes its own meta page. An OS crash
	 * or power loss loses at most the last commit that returned, and the
	 * store opens as found (test/functional/feature_powerloss.py).
	 */
	STORE_SYNC_DATA = 1,
	/* LMDB's default: each commit is durable when it returns. */
	STORE_SYNC_FULL = 2,
};

struct store_options {
	size_t map_size;
	enum store_sync_mode sync_mode;
	/*
	 * STORE_SYNC_PERIODIC only: store_write_commit flushes when this many
	 * milliseconds have passed since the last flush; 0 disables, negative
	 * picks the default (STORE_SYNC_INTERVAL_MS).
	 */
	int sync_interval_ms;
	/*
	 * Where the block files go; NULL: "blocks" beside the store's
	 * directory (<datadir>/<chain>/blocks for <datadir>/<chain>/chainstate).
	 */
	const char *blocks_dir;
	/* Bytes after which a block file is full; 0: Core's 128 MiB. */
	uint32_t blockfile_size;
};
#define STORE_SYNC_INTERVAL_MS 5000

int store_open(const char *dir, const uint8_t magic[4], struct store **out,
    char *err, size_t errlen);
int store_open_opts(const char *dir, const uint8_t magic[4],
    const struct store_options *opt, struct store **out, char *err,
    size_t errlen);
void store_close(struct store *s);
/* The directory the store was opened in (for messages); valid until close. */
const char *store_path(const struct store *s);

/*
 * Durability. Writer thread only (they change how its commits behave).
 * store_sync flushes everything committed so far to stable storage; any
 * thread may call it. store_close() calls it.
 */
int store_set_sync_mode(struct store *s, enum store_sync_mode mode);
void store_set_sync_interval(struct store *s, int ms);
int store_sync(struct store *s);

/*
 * Map size. store_grow doubles the map. Rule (LMDB's, for
 * mdb_env_set_mapsize): no transaction of this process may be active, readers
 * included, because the file is unmapped and mapped again. So the writer
 * calls it with its write transaction aborted and without a read
 * transaction of its own; it then waits for other threads' read
 * transactions to end (they are short) and blocks new ones for the few
 * microseconds of the remap. Hence: a thread never holds a read
 * transaction while it waits for another thread (for example a
 * validation request), and ends a read transaction on the thread that began
 * it. store_map_size: the current map size in bytes (any thread).
 */
int store_grow(struct store *s);
size_t store_map_size(struct store *s);
/*
 * The bytes of the map the last commit uses (its highest page) and the
 * map's size, for a caller that must grow the map before it opens a
 * long write transaction (any thread).
 */
int store_map_room(struct store *s, size_t *used, size_t *size);
/*
 * Whether another thread is blocked waiting to write (store_write_begin)
 * or to grow the map (any thread); with urgent_only, one whose write is
 * not STORE_W_BULK. The holder of a long write transaction asks this
 * after each unit of work and commits when it is so.
 */
int store_write_waiting(struct store *s, int urgent_only);
/* Bytes used by the store's data file (any thread). */
int store_disk_size(struct store *s, uint64_t *bytes);

/* ---- Transactions ---- */

/* Read transactions: any thread, short. */
int store_read_begin(struct store *s, struct store_rtxn **out);
void store_read_end(struct store_rtxn *t);

/*
 * Write transactions: the writer threads above, one open write
 * transaction per thread. One write transaction per block connected or
 * disconnected. Any write may return STORE_MAPFULL: the caller aborts,
 * calls store_grow() and redoes the whole transaction.
 */
int store_write_begin(struct store *s, struct store_wtxn **out);
/*
 * STORE_W_BULK: a write that may wait for a long transaction to reach a
 * convenient end (store_write_waiting), such as storing blocks that only
 * background validation needs yet.
 */
#define STORE_W_BULK 1
int store_write_begin_flags(struct store *s, int flags,
    struct store_wtxn **out);
int store_write_commit(struct store_wtxn *t);
void store_write_abort(struct store_wtxn *t);
/* Reads inside the write transaction see its own writes. */
struct store_rtxn *store_wtxn_reader(struct store_wtxn *t);

/*
 * Iteration return values (the store_iter_* functions below): 0 after the
 * last entry, or the callback's non-zero value if it stopped early, or a
 * negative STORE_* code. The pointers passed to the callback are valid
 * only during the call (c->script points into the map, valid until the
 * transaction ends).
 */

/* ---- Block index and blocks ---- */

/* Block index status bits (as Core's BlockStatus, simplified). */
#define BLOCK_VALID_HEADER 0x1u	 /* header checked (PoW, context) */
#define BLOCK_VALID_TREE 0x2u	 /* parent known and valid header */
#define BLOCK_VALID_TX 0x4u	 /* context-free block checks passed */
#define BLOCK_VALID_SCRIPTS 0x8u /* fully connected once */
#define BLOCK_HAVE_DATA 0x10u	 /* raw block stored */
#define BLOCK_HAVE_UNDO 0x20u
#define BLOCK_FAILED_VALID 0x40u /* block itself invalid */
#define BLOCK_FAILED_CHILD 0x80u /* descends from an invalid block */
#define BLOCK_FAILED_MASK (BLOCK_FAILED_VALID | BLOCK_FAILED_CHILD)

struct block_index_entry {
	uint8_t hash[32];
	struct block_header hdr;
	int32_t height;
	uint8_t chainwork
	    [32]; /* big-endian 256-bit total work up to and including this block */
	uint32_t status;
	uint32_t tx_count; /* 0 until the block's data is known */
	uint64_t
	    chain_tx; /* txs in the chain up to this block, 0 if unknown */
	uint32_t sequence_id; /* arrival order, ties in chainwork */
};

int store_get_index(struct store_rtxn *t, const uint8_t hash[32],
    struct block_index_entry *out);
int store_put_index(struct store_wtxn *t, const struct block_index_entry *e);
/* Start-up index load; cb returns non-zero to stop. */
int store_iter_index(struct store_rtxn *t,
    int (*cb)(void *arg, const struct block_index_entry *e), void *arg);
/* The most-work valid header known (may be ahead of the tip). */
int store_get_best_header(struct store_rtxn *t, uint8_t hash[32]);
int store_set_best_header(struct store_wtxn *t, const uint8_t hash[32]);

/*
 * Blocks and undo data live in block files; gets read them into a buffer
 * that t owns (valid until the transaction ends, as every borrowed
 * pointer). A get checks the record's frame, and that the block's header
 * hashes to hash (undo: its checksum): damage is logged with the file and
 * offset, returned as STORE_ERROR, and the hash queued for
 * store_take_damaged. A put of a block already stored writes nothing.
 */
int store_get_block(struct store_rtxn *t, const uint8_t hash[32],
    const uint8_t **raw, size_t *len);
/*
 * Frees the block and undo buffers t handed out so far, for a caller that
 * reads many blocks in one transaction and has copied what it keeps:
 * every pointer an earlier store_get_block or store_get_undo in t
 * returned is invalid afterwards (LMDB's own pointers are not affected).
 */
void store_read_release(struct store_rtxn *t);
int store_put_block(struct store_wtxn *t, const uint8_t hash[32],
    const uint8_t *raw, size_t len);
/* Validation thread only. The bytes stay in the file (pruning frees them). */
int store_del_block(struct store_wtxn *t, const uint8_t hash[32]);
/*
 * A block a read found damaged (any thread): 1 with its hash, 0 when none
 * is queued. The validation thread forgets its data and fetches it again.
 */
int store_take_damaged(struct store *s, uint8_t hash[32]);
/* The block files' directory (valid until close). */
const char *store_blocks_dir(const struct store *s);

/* ---- Block files and pruning ---- */

/* One block file pair (blkNNNNN.dat and revNNNNN.dat). */
struct store_blockfile {
	uint32_t num;
	uint64_t bytes; /* used in both files (0 once pruned) */
	uint32_t blocks;
	int32_t height_first, height_last; /* -1: none known */
	int pruned;			   /* records dropped, files deleted */
	int current;			   /* new blocks go here: never pruned */
};
/* Every pair in number order; cb returns non-zero to stop. */
int store_iter_blockfiles(struct store_rtxn *t,
    int (*cb)(void *arg, const struct store_blockfile *f), void *arg);
/* Bytes of the pairs not pruned. */
int store_blockfiles_size(struct store_rtxn *t, uint64_t *bytes);
/*
 * Pruning (validation thread only): store_prune_file drops, in w, the
 * records of every block and undo record in pair num (not the current
 * one), calling cb with each block's hash (cb non-zero stops with that
 * code), and marks the pair pruned. After w commits, store_prune_remove
 * deletes the two files; a pair marked pruned whose files are still there
 * (a crash between the two) is deleted at the next open
 * (store_prune_cleanup, which store_open runs).
 */
int store_prune_file(struct store_wtxn *w, uint32_t num,
    int (*cb)(void *arg, const uint8_t hash[32]), void *arg);
int store_prune_remove(struct store *s, uint32_t num);
int store_prune_cleanup(struct store *s);

/* ---- Active chain and tip ---- */

/*
 * The active chain's tip; height -1 before genesis is connected.
 * store_set_tip with height -1 clears the tip (store_get_tip then reports
 * -1).
 */
int store_get_tip(struct store_rtxn *t, uint8_t hash[32], int32_t *height);
int store_set_tip(struct store_wtxn *t, const uint8_t hash[32],
    int32_t height);
/* Hash of the active chain's block at height. */
int store_get_active_hash(struct store_rtxn *t, int32_t height,
    uint8_t hash[32]);
int store_set_active_hash(struct store_wtxn *t, int32_t height,
    const uint8_t hash[32]);
int store_del_active_hash(struct store_wtxn *t, int32_t height);

/* ---- Coins ---- */

struct coin {
	int64_t value;
	uint8_t *script; /* borrowed: valid until the transaction ends */
	size_t script_len;
	int32_t height;
	int coinbase;
};

int store_get_coin(struct store_rtxn *t, const struct outpoint *op,
    struct coin *out);
/*
 * The unspent output of txid with the lowest index (Core's AccessByTxid):
 * STORE_OK with *op and *out (its script borrowed until the transaction
 * ends), STORE_NOTFOUND when no output of txid is unspent.
 */
int store_get_coin_by_txid(struct store_rtxn *t, const uint8_t txid[32],
    struct outpoint *op, struct coin *out);
int store_put_coin(struct store_wtxn *t, const struct outpoint *op,
    const struct coin *c);
/*
 * store_put_coin for a coin that must be new: STORE_EXISTS (nothing
 * written, the transaction stays usable) when the outpoint has one.
 */
int store_add_coin(struct store_wtxn *t, const struct outpoint *op,
    const struct coin *c);
int store_del_coin(struct store_wtxn *t, const struct outpoint *op);
/*
 * Coins in key order (txid internal order, then output index ascending),
 * for UTXO statistics; cb returns non-zero to stop.
 */
int store_iter_coins(struct store_rtxn *t,
    int (*cb)(void *arg, const struct outpoint *op, const struct coin *c),
    void *arg);
/* The number of coins in t's view (LMDB keeps the count: no walk). */
int store_count_coins(struct store_rtxn *t, uint64_t *n);
/* The coins table's leaf and branch pages, and the page size in bytes. */
int store_coins_pages(struct store_rtxn *t, uint64_t *leaf, uint64_t *branch,
    uint64_t *page_size);

/* ---- Undo data ---- */

int store_get_undo(struct store_rtxn *t, const uint8_t hash[32],
    const uint8_t **data, size_t *len);
int store_put_undo(struct store_wtxn *t, const uint8_t hash[32],
    const uint8_t *data, size_t len);
/* Validation thread only. */
int store_del_undo(struct store_wtxn *t, const uint8_t hash[32]);

/* ---- Two chainstates (assumeutxo) ---- */

/*
 * The store holds two sets of coins, active
 * chain and tip ("slots"); one is the chainstate the node follows, which
 * every transaction sees by default, the other a second chainstate: the
 * one validating from genesis in the background after a UTXO snapshot was
 * loaded, or the snapshot's coins while they are loaded. The block index,
 * the blocks, the undo data, the best header and the transaction index are
 * shared.
 *
 * store_txn_use points t (a read transaction, or a write transaction's
 * store_wtxn_reader view) at one of them: coins, active chain and tip
 * (get, put, delete, iterate, count, store_set_tip, store_reset_chainstate,
 * store_clear_chainstate) then go to that chainstate's databases.
 * store_clear_chainstate empties the chosen chainstate's coins and active
 * chain and clears its tip. store_swap_chainstates makes the other
 * chainstate the followed one from the commit on (t keeps the databases
 * it was pointed at); it also marks the store format 2, which an older
 * bitrootd refuses.
 */
enum store_cs {
	STORE_CS_TIP = 0,   /* the followed chainstate (the default) */
	STORE_CS_OTHER = 1, /* the second one */
};
int store_txn_use(struct store_rtxn *t, enum store_cs cs);
int store_clear_chainstate(struct store_wtxn *t);
int store_swap_chainstates(struct store_wtxn *t);
/*
 * store_reset_chainstate (-reindex; validation thread only) empties the
 * coins, the undo data and the active chain and clears the tip; it keeps
 * the block index, the blocks and the best header.
 */
int store_reset_chainstate(struct store_wtxn *t);

/* ---- Metadata ---- */

/*
 * Small named values for other modules' state (for instance a reindex
 * flag): key is a short string (at most 64 bytes), the value at most 4096
 * bytes. store_get_meta's *data is borrowed until the transaction ends.
 */
#define STORE_META_KEY_MAX 64
#define STORE_META_VALUE_MAX 4096
int store_put_meta(struct store_wtxn *t, const char *key, const uint8_t *data,
    size_t len);
int store_del_meta(struct store_wtxn *t, const char *key);
int store_get_meta(struct store_rtxn *t, const char *key, const uint8_t **data,
    size_t *len);

/* ---- Transaction index ---- */

/*
 * Transaction index (-txindex): txid -> the active-chain block holding the
 * transaction and its position there. The validation thread writes it in
 * the same write transaction as the block it connects or disconnects, so
 * it always agrees with the tip it records (see validation/txindex.c).
 * store_get_txindex: STORE_NOTFOUND for a transaction not indexed.
 * store_clear_txindex empties it (rebuild). The meta value
 * STORE_TXINDEX_META (store_get_meta) names the last block indexed: its
 * hash then its height, LE32; it is absent before the index exists.
 */
#define STORE_TXINDEX_META "txindex"
#define STORE_TXINDEX_META_LEN (32 + 4)
/*
 * The marker, decoded: STORE_OK with the block's hash and height,
 * STORE_NOTFOUND before the index exists, STORE_ERROR if malformed.
 */
int store_get_txindex_marker(struct store_rtxn *t, uint8_t hash[32],
    int32_t *height);
int store_put_txindex(struct store_wtxn *t, const uint8_t txid[32],
    const uint8_t block[32], uint32_t pos);
int store_del_txindex(struct store_wtxn *t, const uint8_t txid[32]);
int store_get_txindex(struct store_rtxn *t, const uint8_t txid[32],
    uint8_t block[32], uint32_t *pos);
int store_clear_txindex(struct store_wtxn *t);

/* ---- Compact block filters ---- */

/*
 * Compact block filters (-blockfilterindex, src/index/filterindex.c): the
 * key is the filter type (1 byte) then the block hash; the value the
 * filter hash (32), the filter header (32) and the encoded filter. Kept by
 * block hash, so a block that leaves the active chain keeps its filter.
 * The validation thread writes them on the index thread's behalf
 * (validation_write). store_get_blockfilter: STORE_NOTFOUND for a block
 * not indexed; out->filter is borrowed until the transaction ends.
 */
struct store_filter {
	uint8_t filter_hash[32];
	uint8_t header[32];
	const uint8_t *filter;
	size_t len;
};
int store_put_blockfilter(struct store_wtxn *t, uint8_t type,
    const uint8_t block[32], const struct store_filter *f);
int store_get_blockfilter(struct store_rtxn *t, uint8_t type,
    const uint8_t block[32], struct store_filter *out);

#endif
