/*
 * Store internals shared by the store's .c files; nothing outside
 * src/store includes this.
 *
 * store.c owns the environment (open, refusal checks, close, growth,
 * sync); store_txn.c the transactions and the map gate; store_rw.c the
 * get/put/iterate functions; store_codec.c the value encodings.
 */
#ifndef BR_STORE_INT_H
#define BR_STORE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "store/store.h"
#include "util/buf.h"

/*
 * Bumped when the on-disk layout changes; a newer one is refused. A new
 * store is written as format 1; it becomes format 2 once the second
 * chainstate's databases have been made the followed chainstate's
 * (store_swap_chainstates), which an older bitrootd would misread.
 */
#define STORE_FORMAT_SLOTS 2
/*
 * Format 3: coin and block index values end with a CRC-32C of key and
 * value (VALUE_SUM_LEN bytes, little-endian), checked on every read. New
 * stores are made so; a store of format 1 or 2 keeps values without it.
 * It also admits the second chainstate (format 2's meaning).
 */
#define STORE_FORMAT_SUMS 3
/*
 * Format 4: format 3 with raw blocks and undo data in block files
 * (blkfiles.h) instead of the "blocks" and "undo" databases, which stay
 * empty; "blockpos" and "undopos" say where each record is, "blkfiles"
 * how far each file is used. A format 3 store is moved to it at open
 * (store_blocks_open); formats 1 and 2 are refused.
 */
#define STORE_FORMAT_BLOCKFILES 4
#define STORE_FORMAT STORE_FORMAT_BLOCKFILES
#define STORE_FORMAT_MAX STORE_FORMAT_BLOCKFILES
#define VALUE_SUM_LEN 4
/* What the meta database says about who wrote it. */
#define STORE_APP_TAG "bitrootd-chainstate"

/* Meta keys (user keys from store_put_meta get META_USER_PREFIX). */
#define META_APP "app"
#define META_FORMAT "format"
#define META_MAGIC "magic"
#define META_TIP "tip" /* slot 0's; slot 1's is "tip1" */
#define META_TIP1 "tip1"
#define META_TIPSLOT "tipslot" /* 1 byte: the followed chainstate's slot */
#define META_BEST_HEADER "bestheader"
#define META_USER_PREFIX "x:"
/* LE32: the block file new blocks are appended to. */
#define META_LAST_BLKFILE "lastblkfile"

/* Block filter key: type then block hash; value: filter hash, header, filter. */
#define BLOCKFILTER_KEY_LEN 33
#define BLOCKFILTER_VALUE_MIN 64

/* Transaction index value: block hash then position in the block, LE32. */
#define TXINDEX_VALUE_LEN (32 + 4)

/* Coin key: txid (internal order) then n big-endian, so keys sort by (txid, n). */
#define COIN_KEY_LEN 36
/* Index value: header, height, chainwork, status, tx_count, chain_tx, sequence_id. */
#define INDEX_VALUE_LEN (80 + 4 + 32 + 4 + 4 + 8 + 4)

struct store {
	MDB_env *env;
	MDB_dbi db_meta;
	MDB_dbi db_index;
	MDB_dbi db_blocks;
	/*
	 * Two chainstates' worth (slots 0 and 1): the followed one's and,
	 * with a UTXO snapshot loaded, the one validating in the background.
	 * Which slot is followed is the meta value "tipslot", read in every
	 * transaction (struct store_rtxn.tipslot).
	 */
	MDB_dbi db_active[2];
	MDB_dbi db_coins[2];
	MDB_dbi db_undo;
	MDB_dbi db_txindex; /* txid -> block hash, tx position (-txindex) */
	MDB_dbi
	    db_blockfilter; /* type, block hash -> filter (-blockfilterindex) */
	/* Format 4 (store_blocks.c): where blocks and undo data are. */
	MDB_dbi db_blockpos; /* block hash -> file, offset, length */
	MDB_dbi db_undopos;  /* block hash -> rev file, offset, length */
	MDB_dbi db_blkinfo;  /* file number (BE32) -> struct blkfile_info */
	struct blkfiles *bf; /* the files themselves */
	/*
	 * Blocks found damaged by a read (any thread), for the validation
	 * thread to forget and fetch again (store_take_damaged). Guarded by
	 * damaged_mu, a leaf lock.
	 */
	pthread_mutex_t damaged_mu;
	uint8_t (*damaged)[32];
	size_t ndamaged;
	uint8_t magic[4];
	int lock_fd;	 /* flock'd directory: one store per directory */
	char *dir;	 /* as given to store_open */
	uint32_t format; /* as of open (store_swap_chainstates raises it) */
	int sums;	 /* values carry a checksum (format 3) */

	/*
	 * The map gate. mdb_env_set_mapsize() unmaps and remaps the file, so
	 * LMDB requires that no transaction of this process be active while
	 * it runs (readers included: their pointers point into the old map).
	 * Every transaction holds the gate open (open_txns). store_grow sets
	 * grow_pending, waits for open_txns to reach zero and remaps; new
	 * transactions wait while a resize is pending, except on a thread
	 * that already holds one (it must not wait for itself). Readers never
	 * wait for each other or for the writer, only for a resize. gate_mu
	 * is a leaf lock, held for the count updates and the remap itself;
	 * gate_cv signals both "open_txns reached zero" and "resize done".
	 */
	pthread_mutex_t gate_mu;
	pthread_cond_t gate_cv;
	unsigned int open_txns; /* guarded by gate_mu */
	int grow_pending;	/* guarded by gate_mu */
	size_t mapsize;		/* guarded by gate_mu */
	/*
	 * Threads blocked in store_write_begin or store_grow (atomic), and
	 * those of them whose write is not bulk (STORE_W_BULK): a thread
	 * that holds a long write transaction (background validation's
	 * batch) ends it when someone waits.
	 */
	unsigned int write_waiters;
	unsigned int urgent_waiters;

	/* Writer (validation thread) only. */
	int sync_mode;		  /* enum store_sync_mode */
	int64_t sync_interval_us; /* 0: only explicit store_sync() */
	int64_t last_sync_us;	  /* atomic: store_sync runs on any thread */
};

struct store_rtxn {
	struct store *s;
	MDB_txn *txn;
	int is_writer; /* the view returned by store_wtxn_reader */
	int tipslot;   /* the followed chainstate's slot, as of begin */
	int slot;      /* the slot coins, active and tip go to */
	/* Block and undo bytes read into memory, freed with the transaction. */
	uint8_t **bufs;
	size_t nbufs, capbufs;
};

struct store_wtxn {
	struct store_rtxn r; /* r.txn is the write transaction */
};

/* store_txn.c */
/* Reads "tipslot" in t and points t at the followed chainstate. */
int store_txn_init_slot(struct store_rtxn *t);
int store_gate_enter(struct store *s);
void store_gate_leave(struct store *s);
/* Logs an LMDB failure and maps it to a STORE_* code. */
int store_lmdb_err(const char *what, int rc);
/*
 * The map size and used-bytes gauges (util/metrics.h): at open, and by the
 * writing thread after each commit (writers take turns).
 */
void store_metrics_size(struct store *s);

/* store_blocks.c */
/*
 * After the databases are open: opens the block files in blocks_dir (NULL:
 * "blocks" beside the chainstate directory), with files of max_size bytes
 * (0: Core's 128 MiB), and moves the blocks and undo data of a format 3
 * store into them. -1 with a message in err.
 */
int store_blocks_open(struct store *s, const char *blocks_dir,
    uint32_t max_size, char *err, size_t errlen);
void store_blocks_close(struct store *s);
/* The flush hook: block file bytes durable before LMDB records them. */
int store_blocks_flush(struct store *s);
/* How far a file pair is used, and the heights of its blocks (pruning). */
#define INFO_LEN 24
#define BLKINFO_PRUNED 0x1u /* its records dropped, its files deleted */
struct blkfile_info {
	uint32_t blocks;
	uint32_t size;			   /* bytes used in blkNNNNN.dat */
	uint32_t undo_size;		   /* bytes used in revNNNNN.dat */
	int32_t height_first, height_last; /* -1: none known */
	uint32_t flags;
};
int store_blkinfo_get(struct store_rtxn *t, uint32_t num,
    struct blkfile_info *fi);
int store_blkinfo_put(struct store_wtxn *t, uint32_t num,
    const struct blkfile_info *fi);
/*
 * store_put_index's hook: the file holding the block's data widens its
 * height range to height (a block is often stored before its index
 * entry is first written).
 */
int store_blocks_note_height(struct store_wtxn *t, const uint8_t hash[32],
    int32_t height);
/* The file new blocks go to. */
int store_last_blkfile(struct store_rtxn *t, uint32_t *num);
/* Frees the buffers reads in t handed out (transaction end). */
void store_txn_free_bufs(struct store_rtxn *t);

/* store_filecheck.c */
struct store_file_size {
	uint64_t size;	     /* bytes */
	unsigned psize;	     /* LMDB's page size */
	uint64_t have_pages; /* whole pages in the file */
	uint64_t last_pg;    /* the newer meta's mm_last_pg */
};
/*
 * Reads data.mdb's meta pages with pread (before anything maps it: a page
 * past the end of the file is SIGBUS, not an error). 0: the file holds
 * every page up to mm_last_pg, or is too broken to tell (LMDB refuses
 * those); -1: damaged, message in err; 1: shorter than mm_last_pg, which
 * is damage only if a missing page is in use: the caller checks with
 * store_check_missing_free.
 */
int store_check_file_size(const char *path, struct store_file_size *fs,
    char *err, size_t errlen);
/*
 * In a read transaction on the environment (run under a SIGBUS guard): 0
 * if every page from fs->have_pages to fs->last_pg is in the free list,
 * -1 (message in err) if not. What it holds while it walks is in fw, so
 * that a caller who jumps out of a SIGBUS can release it
 * (store_free_walk_end); it is released on return.
 */
struct store_free_walk {
	MDB_cursor *cur;
	uint8_t *seen; /* one bit per missing page */
};
int store_check_missing_free(MDB_txn *txn, const char *path,
    const struct store_file_size *fs, struct store_free_walk *fw, char *err,
    size_t errlen);
void store_free_walk_end(struct store_free_walk *fw);
void store_damage_msg(char *err, size_t errlen, const char *path,
    uint64_t size, uint64_t need, unsigned psize, const char *what);

/* store_codec.c */
/* Longest encoded coin header (two varints); the script follows. */
#define COIN_HDR_MAX 20
int codec_coin_encode_hdr(const struct coin *c, uint8_t out[COIN_HDR_MAX],
    size_t *len);
/* Decodes in place: c->script points into p. */
int codec_coin_decode(uint8_t *p, size_t len, struct coin *c);
void codec_coin_key(const struct outpoint *op, uint8_t key[COIN_KEY_LEN]);
void codec_coin_key_parse(const uint8_t key[COIN_KEY_LEN],
    struct outpoint *op);
/* CRC-32C (Castagnoli) of key then value. */
uint32_t codec_sum(const void *key, size_t klen, const void *val, size_t vlen);
void codec_index_encode(const struct block_index_entry *e,
    uint8_t out[INDEX_VALUE_LEN]);
int codec_index_decode(const uint8_t *p, size_t len, const uint8_t hash[32],
    struct block_index_entry *e);

#endif
