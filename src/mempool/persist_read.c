/*
 * Reading mempool.dat (format in persist.c): the bytes of the file to the
 * entries, fee deltas and unbroadcast txids in it, each handed to the
 * caller. Nothing here touches the pool, so the decoder also runs on a
 * buffer alone (test/fuzz/fuzz_mempooldat.c).
 */
#include <string.h>

#include "mempool/mempool_int.h"
#include "primitives/tx.h"
#include "util/buf.h"
#include "util/log.h"

void
mempool_dat_xor(uint8_t *p, size_t len, size_t off,
    const uint8_t key[MEMPOOL_DAT_KEY_LEN])
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] ^= key[(off + i) % MEMPOOL_DAT_KEY_LEN];
}

static int
get_i64(struct rbuf *r, int64_t *v)
{
	uint64_t u;

	if (rbuf_get_le64(r, &u) != 0)
		return -1;
	*v = (int64_t)u;
	return 0;
}

/* One entry of the file; 0, or -1 with *why. */
static int
read_entry(struct rbuf *r, const struct mempool_dat_sink *s, const char **why)
{
	const uint8_t *raw;
	struct tx tx;
	size_t start, end;
	int64_t when, delta;
	int rc;

	start = r->off;
	if (tx_parse(r, &tx, TX_ALLOW_WITNESS) != 0) {
		*why = "a transaction does not parse";
		return -1;
	}
	raw = r->p + start;
	end = r->off;
	if (get_i64(r, &when) != 0 || get_i64(r, &delta) != 0) {
		tx_free(&tx);
		*why = "truncated entry";
		return -1;
	}
	rc = s->entry(s->arg, &tx, raw, end - start, when, delta, why);
	tx_free(&tx);
	return rc;
}

/* Everything after the key; 0, or -1 with *why. */
static int
read_body(struct rbuf *r, const struct mempool_dat_sink *s,
    struct mempool_dat_counts *k, const char **why)
{
	uint8_t txid[32];
	int64_t delta;
	uint64_t n, i, step;

	if (rbuf_get_le64(r, &k->total) != 0) {
		*why = "truncated count";
		return -1;
	}
	log_info("Loading %llu mempool transactions from file...",
	    (unsigned long long)k->total);
	/* Progress every tenth, for files big enough to take a while. */
	step = k->total >= 10 ? k->total / 10 : k->total + 1;
	for (i = 0; i < k->total; i++) {
		if (i && i % step == 0)
			log_info("Progress loading mempool transactions from "
				 "file: %llu%% (tried %llu, %llu remaining)",
			    (unsigned long long)(i * 100 / k->total),
			    (unsigned long long)i,
			    (unsigned long long)(k->total - i));
		if (read_entry(r, s, why) != 0)
			return -1;
		k->tried++;
	}
	if (rbuf_get_compact(r, &n) != 0) {
		*why = "truncated fee delta map";
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (rbuf_get(r, txid, 32) != 0 || get_i64(r, &delta) != 0) {
			*why = "truncated fee delta map";
			return -1;
		}
		s->delta(s->arg, txid, delta);
	}
	if (rbuf_get_compact(r, &n) != 0) {
		*why = "truncated unbroadcast set";
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (rbuf_get(r, txid, 32) != 0) {
			*why = "truncated unbroadcast set";
			return -1;
		}
		s->unbroadcast(s->arg, txid);
	}
	if (rbuf_left(r) != 0) {
		*why = "trailing bytes";
		return -1;
	}
	return 0;
}

int
mempool_dat_read(uint8_t *buf, size_t len, const struct mempool_dat_sink *s,
    struct mempool_dat_counts *k, const char **why)
{
	uint8_t key[MEMPOOL_DAT_KEY_LEN];
	uint64_t version, klen;
	struct rbuf r;

	memset(k, 0, sizeof(*k));
	*why = NULL;
	rbuf_init(&r, buf, len);
	if (rbuf_get_le64(&r, &version) != 0) {
		*why = "truncated version";
		return -1;
	}
	if (version == MEMPOOL_DAT_VERSION) {
		if (rbuf_get_compact(&r, &klen) != 0 ||
		    klen != MEMPOOL_DAT_KEY_LEN ||
		    rbuf_get(&r, key, MEMPOOL_DAT_KEY_LEN) != 0) {
			*why = "bad obfuscation key";
			return -1;
		}
		mempool_dat_xor(buf + r.off, len - r.off, r.off, key);
	} else if (version != MEMPOOL_DAT_VERSION_NO_KEY) {
		*why = "unknown version";
		return -1;
	}
	return read_body(&r, s, k, why);
}
