/*
 * libFuzzer target for mempool.dat (mempool/persist_read.c), read at
 * start-up from the datadir or handed over from Bitcoin Core.
 *
 * Input: the file. Properties:
 *  - each entry handed over is a transaction whose bytes parse again to
 *    the same txid and are exactly its serialization;
 *  - the decoder stops at the first error, with a reason;
 *  - a file that reads is exactly what its contents written back as a
 *    version 1 file (no key) are, after un-XORing a version 2 file; and
 *    that version 1 file reads to the same contents;
 *  - a sink that refuses an entry stops the read there with its reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mempool/mempool_int.h"
#include "primitives/tx.h"
#include "util/buf.h"

#define FUZZ_NAME "fuzz_mempooldat"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_quiet_log();
}

/* What the sink heard, written back in the file's own layout. */
struct heard {
	struct wbuf entries;	 /* raw tx, time, delta per entry */
	struct wbuf deltas;	 /* txid, delta */
	struct wbuf unbroadcast; /* txid */
	uint64_t nentries, ndeltas, nunbroadcast;
	uint64_t refuse_at; /* entry index the sink refuses, or ~0 */
};

static int
on_entry(void *arg, const struct tx *tx, const uint8_t *raw, size_t len,
    int64_t time, int64_t delta, const char **why)
{
	struct heard *h = arg;
	struct rbuf r;
	struct tx again;

	rbuf_init(&r, raw, len);
	PROP(tx_parse(&r, &again, TX_ALLOW_WITNESS) == 0);
	PROP(r.off == len && len == tx->total_size);
	PROP(memcmp(again.txid, tx->txid, 32) == 0);
	tx_free(&again);
	if (h->nentries == h->refuse_at) {
		*why = "refused";
		return -1;
	}
	wbuf_put(&h->entries, raw, len);
	wbuf_put_le64(&h->entries, (uint64_t)time);
	wbuf_put_le64(&h->entries, (uint64_t)delta);
	h->nentries++;
	return 0;
}

static void
on_delta(void *arg, const uint8_t txid[32], int64_t delta)
{
	struct heard *h = arg;

	wbuf_put(&h->deltas, txid, 32);
	wbuf_put_le64(&h->deltas, (uint64_t)delta);
	h->ndeltas++;
}

static void
on_unbroadcast(void *arg, const uint8_t txid[32])
{
	struct heard *h = arg;

	wbuf_put(&h->unbroadcast, txid, 32);
	h->nunbroadcast++;
}

static void
heard_init(struct heard *h, uint64_t refuse_at)
{
	memset(h, 0, sizeof(*h));
	wbuf_init(&h->entries);
	wbuf_init(&h->deltas);
	wbuf_init(&h->unbroadcast);
	h->refuse_at = refuse_at;
}

static void
heard_free(struct heard *h)
{
	wbuf_free(&h->entries);
	wbuf_free(&h->deltas);
	wbuf_free(&h->unbroadcast);
}

/* The version 1 file of what h heard. */
static void
heard_file(const struct heard *h, struct wbuf *w)
{
	wbuf_put_le64(w, MEMPOOL_DAT_VERSION_NO_KEY);
	wbuf_put_le64(w, h->nentries);
	wbuf_put(w, h->entries.p, h->entries.len);
	wbuf_put_compact(w, h->ndeltas);
	wbuf_put(w, h->deltas.p, h->deltas.len);
	wbuf_put_compact(w, h->nunbroadcast);
	wbuf_put(w, h->unbroadcast.p, h->unbroadcast.len);
}

static int
read_buf(uint8_t *buf, size_t len, struct heard *h,
    struct mempool_dat_counts *k, const char **why)
{
	struct mempool_dat_sink s;

	s.entry = on_entry;
	s.delta = on_delta;
	s.unbroadcast = on_unbroadcast;
	s.arg = h;
	return mempool_dat_read(buf, len, &s, k, why);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mempool_dat_counts k, k2;
	struct heard h, h2;
	struct wbuf w, plain;
	const char *why, *why2;
	uint8_t *buf;
	size_t off;
	int rc;

	if (size > 1 << 20)
		return 0;
	buf = malloc(size ? size : 1);
	PROP(buf != NULL);
	memcpy(buf, data, size);
	heard_init(&h, ~(uint64_t)0);
	rc = read_buf(buf, size, &h, &k, &why);
	PROP(k.tried == h.nentries && k.tried <= k.total);
	if (rc != 0) {
		PROP(why != NULL && why[0] != '\0');
		goto out;
	}
	PROP(why == NULL);
	PROP(k.tried == k.total);

	/* The input un-XORed, as a version 1 file. */
	wbuf_init(&plain);
	off = le64_read(data) == MEMPOOL_DAT_VERSION ? MEMPOOL_DAT_KEY_END : 8;
	wbuf_put_le64(&plain, MEMPOOL_DAT_VERSION_NO_KEY);
	wbuf_put(&plain, buf + off, size - off);
	wbuf_init(&w);
	heard_file(&h, &w);
	PROP(w.len == plain.len && memcmp(w.p, plain.p, w.len) == 0);
	wbuf_free(&plain);

	/* It reads to the same; a sink refusing the last entry stops there. */
	heard_init(&h2, h.nentries ? h.nentries - 1 : ~(uint64_t)0);
	rc = read_buf(w.p, w.len, &h2, &k2, &why2);
	if (h.nentries == 0) {
		PROP(rc == 0 && h2.deltas.len == h.deltas.len &&
		    h2.nunbroadcast == h.nunbroadcast);
	} else {
		PROP(rc == -1 && why2 != NULL && strcmp(why2, "refused") == 0);
		PROP(k2.tried == h.nentries - 1 && k2.total == k.total);
		PROP(h2.ndeltas == 0 && h2.nunbroadcast == 0);
	}
	heard_free(&h2);
	wbuf_free(&w);
out:
	heard_free(&h);
	free(buf);
	return 0;
}
