/*
 * UTXO snapshot files (assumeutxo), in Bitcoin Core's format, so a file
 * written by either node loads in the other and the same chain state gives
 * the same bytes:
 *
 *	metadata  'u' 't' 'x' 'o' 0xff, LE16 version (2), the network's
 *		  4-byte message start, the base block hash (32, internal
 *		  order), LE64 number of coins
 *	coins	  grouped by transaction, in outpoint order: txid (32),
 *		  CompactSize count, then per coin CompactSize output index
 *		  and the coin (primitives/compress.h)
 *
 * Errors are Core's words: a caller shows them after "Unable to parse
 * metadata: " (metadata) or inside "Unable to load UTXO snapshot: ..."
 * (the rest).
 *
 * Threads: any. snapshot_dump holds one store read transaction for the
 * whole file (a consistent view of the tip and its coins), so it belongs on
 * an RPC worker, never on the validation thread; like any long reader it
 * delays a map resize until it ends.
 */
#ifndef BR_SNAPSHOT_H
#define BR_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/buf.h"

struct chainparams;
struct store;

#define SNAPSHOT_VERSION 2
/* Bytes of the metadata: magic 5, version 2, network 4, hash 32, count 8. */
#define SNAPSHOT_META_LEN 51

struct snapshot_meta {
	uint8_t base_hash[32]; /* internal order */
	uint64_t coins;
};

void snapshot_meta_put(struct wbuf *w, const uint8_t magic[4],
    const struct snapshot_meta *m);
/*
 * Reads the metadata as Core's SnapshotMetadata does for a node whose
 * message start is magic and whose network is called node_network. 0, or
 * -1 with Core's exception text in err ("Invalid UTXO set snapshot magic
 * bytes. ...: iostream error", "AutoFile::read: end of file: iostream
 * error", ...).
 */
int snapshot_meta_get(struct rbuf *r, const uint8_t magic[4],
    const char *node_network, struct snapshot_meta *m, char *err,
    size_t errlen);

/* What dumptxoutset reports. */
struct snapshot_dump_result {
	uint64_t coins;	       /* coins written */
	uint8_t base_hash[32]; /* internal order */
	int32_t base_height;
	uint8_t txoutset_hash[32]; /* hash_serialized_3, internal order */
	uint64_t chain_tx;	   /* transactions up to the base block */
};

/*
 * Writes the followed chainstate's UTXO set at its tip to f (Core's
 * dumptxoutset, type "latest"), computing hash_serialized_3 on the way.
 * f is not closed. 0, or -1 with a message in err: a store failure, or
 * Core's "AutoFile::write: write failed: iostream error" when f fails.
 */
int snapshot_dump(struct store *s, const struct chainparams *cp, FILE *f,
    struct snapshot_dump_result *out, char *err, size_t errlen);

/*
 * A snapshot file opened for reading: its bytes mapped (read-only, so a
 * multi-gigabyte file costs no memory up front). 0, or -1 when it cannot
 * be opened (errno set), as Core's fopen failing. A directory or another
 * file that is not a regular one opens with unreadable set, as Core's fopen
 * succeeds there and its first read fails.
 */
struct snapshot_file {
	const uint8_t *p;
	size_t len;
	int unreadable;
};
int snapshot_file_open(const char *path, struct snapshot_file *f);
void snapshot_file_close(struct snapshot_file *f);

/*
 * Reads the coins that follow the metadata (r is past it) into the store's
 * second chainstate (store.h: STORE_CS_OTHER), which it empties first, and
 * sets that chainstate's tip to the base block (base_hash, base_height),
 * as Core's PopulateAndValidateSnapshot reads them: the coins of each
 * transaction, no more than the metadata counts, none above the base
 * height, every amount in the money range, and nothing after the last one.
 * A coin that appears twice is refused too (Core's cache would keep the
 * first and count both). Written in transactions of about
 * SNAPSHOT_LOAD_BATCH coins, ending at transaction boundaries; a
 * shutdown request stops it between two.
 *
 * Runs on the caller's thread, which becomes a writer of the second
 * chainstate (store.h) and must hold no store transaction. 0, or -1 with
 * Core's message in err ("Bad snapshot format or truncated snapshot after
 * deserializing N coins", ...); a store failure says so. The second
 * chainstate is left as far as it got: the caller clears it.
 */
#define SNAPSHOT_LOAD_BATCH 100000
int snapshot_load_coins(struct store *s, struct rbuf *r,
    const struct snapshot_meta *m, int32_t base_height, char *err,
    size_t errlen);

#endif
