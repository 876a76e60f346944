/*
 * -loadblock import.
 *
 * A thread ("loadblk") reads each bootstrap file (blkfile.h) and pushes
 * every block to the validation thread's import queue, waiting at its
 * high-water mark, so at most IMPQ_HWM blocks are read ahead.
 *
 * The validation thread skips blocks it already has (a restarted import
 * goes quickly over what was committed), validates the rest fully, and
 * holds blocks whose parent has not arrived yet, within a memory bound,
 * until it does. Progress goes to debug.log every few seconds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chain/chainparams.h"
#include "store/reindex.h"
#include "store/store.h"
#include "util/args.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/shutdown.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/blkfile.h"
#include "validation/chainstate_int.h"
#include "validation/validation_int.h"

/* Blocks waiting for their parent: at most this many bytes and blocks. */
#define IMPORT_HOLD_MAX_BYTES (64u << 20)
#define IMPORT_HOLD_MAX_BLOCKS 4096
#define IMPORT_LOG_INTERVAL_US 2000000
/* The peer id listeners see for imported blocks. */
#define IMPORT_PEER_ID 0

struct hold {
	struct hold *next;
	uint8_t prev[32];
	struct msg *m;
};

static int
push_done(struct validation *v)
{
	struct msg *m = msg_new(VMSG_IMPORT_DONE, IMPORT_PEER_ID, NULL, 0);

	if (queue_push(v->impq, m) != 0) {
		msg_free(m);
		return -1;
	}
	return 0;
}

struct import_ctx {
	struct validation *v;
	struct import_hdr ih;
};

/* One block of the file to the validation thread's import queue. */
static int
import_block(void *arg, const uint8_t *block, uint32_t size, uint64_t end_off)
{
	struct import_ctx *c = arg;
	struct msg *m;

	c->ih.file_off = end_off;
	m = msg_new(VMSG_IMPORT_BLOCK, IMPORT_PEER_ID, NULL,
	    sizeof(c->ih) + size);
	memcpy(m->data, &c->ih, sizeof(c->ih));
	memcpy(m->data + sizeof(c->ih), block, size);
	if (queue_push(c->v->impq, m) != 0) {
		msg_free(m);
		return -1;
	}
	return 0;
}

static void
import_file(struct validation *v, const char *path)
{
	struct import_ctx c;
	struct stat sb;
	uint64_t nblocks;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		log_warn("Error: Unable to open file %s", path);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.v = v;
	c.ih.file_size = fstat(fileno(f), &sb) == 0 ? (uint64_t)sb.st_size : 0;
	log_info("Importing blocks file %s...", path);
	nblocks = blkfile_scan(f, v->cp->magic, &v->stopping, import_block,
	    &c);
	log_info("Read %llu blocks from %s", (unsigned long long)nblocks,
	    path);
	fclose(f);
}

static void *
import_main(void *arg)
{
	struct validation *v = arg;
	size_t i;

	log_thread_name("loadblk");
	for (i = 0; i < v->nimport_files; i++) {
		if (__atomic_load_n(&v->stopping, __ATOMIC_ACQUIRE))
			break;
		import_file(v, v->import_files[i]);
	}
	if (i == v->nimport_files &&
	    !__atomic_load_n(&v->stopping, __ATOMIC_ACQUIRE))
		__atomic_store_n(&v->import_read_all, 1, __ATOMIC_RELEASE);
	(void)push_done(v);
	return NULL;
}

/* -stopafterblockimport: shut down once the import is over. */
static void
stop_after_import(struct validation *v)
{
	if (!args_get_bool(v->args, "stopafterblockimport", 0))
		return;
	log_info("Stopping after block import");
	shutdown_request();
}

int
import_start(struct validation *v)
{
	const char *bd = store_blocks_dir(v->store);
	const char *const *vals;
	char **old;
	size_t n, nold, i;

	n = args_get_all(v->args, "loadblock", &vals);
	/* A full -reindex's old block files first, as Core's ImportBlocks. */
	old = reindex_files(bd, &nold);
	v->reindex_files = reindex_under_way(bd);
	if (n == 0 && !v->reindex_files) {
		/* Nothing to import: done at once, as Core's ImportBlocks. */
		stop_after_import(v);
		return 0;
	}
	v->import_files = xreallocarray(NULL, nold + n + 1, sizeof(char *));
	for (i = 0; i < nold; i++)
		v->import_files[i] = old[i];
	free(old);
	for (i = 0; i < n; i++)
		v->import_files[nold + i] = xstrdup(vals[i]);
	v->nimport_files = nold + n;
	v->importing = 1;
	v->import_start_us = time_mono_micros();
	v->import_log_us = v->import_start_us;
	chainstate_set_importing(v->cs, 1);
	if (pthread_create(&v->import_thread, NULL, import_main, v) != 0) {
		log_warnx("import: cannot start the thread");
		return -1;
	}
	v->import_started = 1;
	return 0;
}

void
import_stop(struct validation *v)
{
	size_t i;

	if (v->import_started) {
		pthread_join(v->import_thread, NULL);
		v->import_started = 0;
	}
	for (i = 0; i < v->nimport_files; i++)
		free(v->import_files[i]);
	free(v->import_files);
	v->import_files = NULL;
	v->nimport_files = 0;
}

static void
log_progress(struct validation *v, const struct import_hdr *ih, int force)
{
	int64_t now = time_mono_micros();
	double secs = (now - v->import_start_us) / 1e6;
	struct block_index_entry tip;

	if (!force && now - v->import_log_us < IMPORT_LOG_INTERVAL_US)
		return;
	v->import_log_us = now;
	if (chainstate_tip(v->cs, &tip) != 0)
		return;
	log_info("Importing blocks: height=%d progress=%.4f blocks/s=%.1f "
		 "(%llu blocks in %.2f s)",
	    tip.height,
	    ih && ih->file_size ? (double)ih->file_off / ih->file_size : 1.0,
	    secs > 0 ? v->import_blocks / secs : 0.0,
	    (unsigned long long)v->import_blocks, secs);
}

static void
hold_block(struct validation *v, struct msg *m, const uint8_t prev[32],
    const uint8_t hash[32])
{
	struct hold *h;
	char hex[65];

	if (v->held_count >= IMPORT_HOLD_MAX_BLOCKS ||
	    v->held_bytes + m->len > IMPORT_HOLD_MAX_BYTES) {
		hash_to_hex(hash, hex);
		log_warnx("import: dropping block %s: its parent is unknown "
			  "and %zu blocks (%zu bytes) already wait for theirs",
		    hex, v->held_count, v->held_bytes);
		msg_free(m);
		return;
	}
	h = xcalloc(1, sizeof(*h));
	memcpy(h->prev, prev, 32);
	h->m = m;
	h->next = v->held;
	v->held = h;
	v->held_count++;
	v->held_bytes += m->len;
	hash_to_hex(hash, hex);
	log_debug(LOG_REINDEX, "import: holding %s until its parent arrives",
	    hex);
}

/* Processes one imported block; returns 1 if it was connected or stored. */
static int
import_one(struct validation *v, struct msg *m)
{
	const struct import_hdr *ih = (const struct import_hdr *)(void *)
					  m->data;
	const uint8_t *raw = m->data + sizeof(*ih);
	size_t len = m->len - sizeof(*ih);
	struct block_index_entry e;
	struct block_header h;
	struct block_result r;
	uint8_t hash[32];
	struct rbuf rb;

	rbuf_init(&rb, raw, len);
	if (header_parse(&rb, &h) != 0) {
		msg_free(m);
		return 0;
	}
	header_hash(&h, hash);
	/* Already stored (a restarted import): nothing to do, as Core. */
	if (chainstate_lookup(v->cs, hash, &e, NULL) == 0 &&
	    (e.status & (BLOCK_HAVE_DATA | BLOCK_FAILED_MASK))) {
		msg_free(m);
		return 0;
	}
	if (chainstate_lookup(v->cs, h.prev, NULL, NULL) != 0) {
		hold_block(v, m, h.prev, hash);
		return 0;
	}
	validation_process_block(v, IMPORT_PEER_ID, raw, len, &r);
	if (r.res == VAL_OK)
		v->import_blocks++;
	log_progress(v, ih, 0);
	msg_free(m);
	return r.res == VAL_OK;
}

void
import_process(struct validation *v, struct msg *m)
{
	(void)import_one(v, m);
}

void
import_release_children(struct validation *v, const uint8_t hash[32])
{
	uint8_t(*stack)[32];
	size_t n = 0, cap = 16;
	struct hold **ph, *h;
	struct block_result r;

	if (v->held == NULL)
		return;
	/* Iterative: a file in reverse order must not recurse deeply. */
	stack = xreallocarray(NULL, cap, sizeof(*stack));
	memcpy(stack[n++], hash, 32);
	while (n > 0) {
		uint8_t parent[32];

		memcpy(parent, stack[--n], 32);
		for (ph = &v->held; (h = *ph) != NULL;) {
			const uint8_t *raw;
			size_t len;

			if (memcmp(h->prev, parent, 32) != 0) {
				ph = &h->next;
				continue;
			}
			*ph = h->next;
			v->held_count--;
			v->held_bytes -= h->m->len;
			raw = h->m->data + sizeof(struct import_hdr);
			len = h->m->len - sizeof(struct import_hdr);
			if (chainstate_process_block(v->cs, raw, len, &r) ==
			    VAL_ERROR)
				fatalx("validation: store failure while "
				       "importing");
			validation_notify_block(v, &r, IMPORT_PEER_ID);
			if (r.res == VAL_OK) {
				v->import_blocks++;
				if (n == cap) {
					cap *= 2;
					stack = xreallocarray(stack, cap,
					    sizeof(*stack));
				}
				memcpy(stack[n++], r.hash, 32);
			}
			msg_free(h->m);
			free(h);
		}
	}
	free(stack);
}

void
import_free_held(struct validation *v)
{
	struct hold *h, *next;

	for (h = v->held; h; h = next) {
		next = h->next;
		msg_free(h->m);
		free(h);
	}
	v->held = NULL;
	v->held_count = 0;
	v->held_bytes = 0;
}

void
import_done(struct validation *v)
{
	/*
	 * Whoever waits for the import (the mempool's load, getmempoolinfo's
	 * "loaded", -stopafterblockimport) reads the store next.
	 */
	chainstate_end_batch(v->cs);
	if (v->held_count > 0)
		log_warnx("import: %zu blocks never got their parent; "
			  "dropped",
		    v->held_count);
	import_free_held(v);
	log_progress(v, NULL, 1);
	log_info("Import done: %llu blocks connected",
	    (unsigned long long)v->import_blocks);
	cs_bench_log(v->cs, "import done");
	v->importing = 0;
	/* Every old file read and its blocks handled: they can go. */
	if (v->reindex_files &&
	    __atomic_load_n(&v->import_read_all, __ATOMIC_ACQUIRE) &&
	    reindex_finish(store_blocks_dir(v->store)) == 0) {
		v->reindex_files = 0;
		log_info("Reindexing finished");
	}
	if (!v->reindexing)
		chainstate_set_importing(v->cs, 0);
	stop_after_import(v);
}
