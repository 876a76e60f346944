/*
 * Full -reindex (Core's: rebuild the block index and the chainstate from
 * the block files). The block index lives in the LMDB store beside the
 * coins, so a reindex starts a new store and imports the old block files
 * into it as -loadblock imports a file: every block is validated again and
 * written anew, and the old files go once the import has read them all.
 *
 * On disk, under the blocks directory:
 *   reindex/            the old blk*.dat files, moved there
 *   reindex/MOVED       written once every old file is in reindex/ and the
 *                       old store is gone; from then on the new store and
 *                       the new block files are the reindex's own progress
 * Each step can be cut by a crash: reindex_prepare redoes what was not
 * finished (a reindex/ without MOVED: the store is deleted again and the
 * remaining files moved), and with MOVED it keeps the new store, so the
 * import skips what it already committed.
 *
 * Threads: reindex_prepare runs on the main thread before the store
 * opens; reindex_files and reindex_finish on the import thread. No state.
 */
#ifndef BR_STORE_REINDEX_H
#define BR_STORE_REINDEX_H

#include <stddef.h>

/*
 * Before store_open. requested: -reindex was given. Starts a reindex
 * (deletes the LMDB files in chainstate_dir, moves blocks_dir's blk files
 * into blocks_dir/reindex and deletes its rev files), or finishes the
 * start of one a crash cut. *active: whether a reindex is under way after
 * the call (also one started by an earlier run). 0, or -1 with err.
 */
int reindex_prepare(const char *chainstate_dir, const char *blocks_dir,
    int requested, int *active, char *err, size_t errlen);

/*
 * The files an unfinished reindex imports, in file-number order: a
 * malloc'd array of malloc'd paths (*n of them; NULL and 0 when no
 * reindex is under way). Free with reindex_files_free.
 */
char **reindex_files(const char *blocks_dir, size_t *n);
void reindex_files_free(char **files, size_t n);
/* Whether a reindex is under way (its MOVED mark exists). */
int reindex_under_way(const char *blocks_dir);

/* The import read every file: deletes blocks_dir/reindex. 0 or -1. */
int reindex_finish(const char *blocks_dir);

#endif
