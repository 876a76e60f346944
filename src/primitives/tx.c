/*
 * Transaction parsing and serialization (BIP144).
 *
 * Parsing borrows the input bytes (see tx.h) and computes txid and wtxid
 * from spans of the input rather than re-serializing: the non-witness
 * serialization is the input minus the marker, flag and witness data.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "primitives/tx.h"
#include "util/xmalloc.h"

/* The smallest serialized input (36 outpoint + 1 script len + 4 sequence). */
#define MIN_TXIN_SIZE 41
/* The smallest serialized output (8 value + 1 script len). */
#define MIN_TXOUT_SIZE 9

static int
parse_script(struct rbuf *r, const uint8_t **p, size_t *len)
{
	uint64_t n;

	if (rbuf_get_compact(r, &n) == -1)
		return -1;
	if ((*p = rbuf_ptr(r, n)) == NULL)
		return -1;
	*len = n;
	return 0;
}

static int
parse_vin(struct rbuf *r, struct tx *tx)
{
	uint64_t n, i;

	if (rbuf_get_compact(r, &n) == -1)
		return -1;
	/* Refuse counts the remaining bytes cannot hold before allocating. */
	if (n > rbuf_left(r) / MIN_TXIN_SIZE)
		return -1;
	tx->vin = n ? xcalloc(n, sizeof(struct txin)) : NULL;
	tx->vin_count = n;
	for (i = 0; i < n; i++) {
		struct txin *in = &tx->vin[i];

		if (rbuf_get(r, in->prevout.hash, 32) == -1 ||
		    rbuf_get_le32(r, &in->prevout.n) == -1 ||
		    parse_script(r, &in->script, &in->script_len) == -1 ||
		    rbuf_get_le32(r, &in->sequence) == -1)
			return -1;
	}
	return 0;
}

static int
parse_vout(struct rbuf *r, struct tx *tx)
{
	uint64_t n, i, v;

	if (rbuf_get_compact(r, &n) == -1)
		return -1;
	if (n > rbuf_left(r) / MIN_TXOUT_SIZE)
		return -1;
	tx->vout = n ? xcalloc(n, sizeof(struct txout)) : NULL;
	tx->vout_count = n;
	for (i = 0; i < n; i++) {
		struct txout *out = &tx->vout[i];

		if (rbuf_get_le64(r, &v) == -1 ||
		    parse_script(r, &out->script, &out->script_len) == -1)
			return -1;
		out->value = (int64_t)v;
	}
	return 0;
}

static int
parse_witness(struct rbuf *r, struct txin *in)
{
	uint64_t n, i;

	if (rbuf_get_compact(r, &n) == -1)
		return -1;
	/* Each item takes at least its one-byte length. */
	if (n > rbuf_left(r))
		return -1;
	in->wit = n ? xcalloc(n, sizeof(struct witem)) : NULL;
	in->wit_count = n;
	for (i = 0; i < n; i++)
		if (parse_script(r, &in->wit[i].p, &in->wit[i].len) == -1)
			return -1;
	return 0;
}

int
tx_has_witness(const struct tx *tx)
{
	size_t i;

	for (i = 0; i < tx->vin_count; i++)
		if (tx->vin[i].wit_count)
			return 1;
	return 0;
}

int
tx_parse(struct rbuf *r, struct tx *tx, int flags)
{
	size_t start = r->off, body_start, body_end, i;
	uint32_t v;
	uint8_t flag = 0;
	struct sha256_ctx c;

	memset(tx, 0, sizeof(*tx));
	if (rbuf_get_le32(r, &v) == -1)
		goto bad;
	tx->version = (int32_t)v;
	body_start = r->off;
	if (parse_vin(r, tx) == -1)
		goto bad;
	if (tx->vin_count == 0 && (flags & TX_ALLOW_WITNESS)) {
		/* An empty vin is the BIP144 marker; the next byte is the flag. */
		if (rbuf_get_u8(r, &flag) == -1)
			goto bad;
		if (flag != 0) {
			body_start = r->off;
			if (parse_vin(r, tx) == -1 || parse_vout(r, tx) == -1)
				goto bad;
		}
	} else if (parse_vout(r, tx) == -1) {
		goto bad;
	}
	body_end = r->off;
	if ((flag & 1) && (flags & TX_ALLOW_WITNESS)) {
		flag ^= 1;
		for (i = 0; i < tx->vin_count; i++)
			if (parse_witness(r, &tx->vin[i]) == -1)
				goto bad;
		/* Core: "Superfluous witness record". */
		if (!tx_has_witness(tx))
			goto bad;
	}
	/* Core: "Unknown transaction optional data". */
	if (flag)
		goto bad;
	if (rbuf_get_le32(r, &tx->locktime) == -1)
		goto bad;

	tx->total_size = r->off - start;
	if (body_start == start + 4) {
		tx->base_size = tx->total_size;
		hash256(r->p + start, tx->total_size, tx->txid);
		memcpy(tx->wtxid, tx->txid, 32);
	} else {
		tx->base_size = 4 + (body_end - body_start) + 4;
		sha256_init(&c);
		sha256_update(&c, r->p + start, 4);
		sha256_update(&c, r->p + body_start, body_end - body_start);
		sha256_update(&c, r->p + r->off - 4, 4);
		hash256_final(&c, tx->txid);
		hash256(r->p + start, tx->total_size, tx->wtxid);
	}
	return 0;
bad:
	tx_free(tx);
	return -1;
}

void
tx_free(struct tx *tx)
{
	size_t i;

	for (i = 0; i < tx->vin_count; i++)
		free(tx->vin[i].wit);
	free(tx->vin);
	free(tx->vout);
	free(tx->arena);
	memset(tx, 0, sizeof(*tx));
}

void
tx_serialize(const struct tx *tx, struct wbuf *w, int with_witness)
{
	size_t i, j;
	int wit = with_witness && tx_has_witness(tx);

	wbuf_put_le32(w, (uint32_t)tx->version);
	if (wit) {
		wbuf_put_u8(w, 0);
		wbuf_put_u8(w, 1);
	}
	wbuf_put_compact(w, tx->vin_count);
	for (i = 0; i < tx->vin_count; i++) {
		const struct txin *in = &tx->vin[i];

		wbuf_put(w, in->prevout.hash, 32);
		wbuf_put_le32(w, in->prevout.n);
		wbuf_put_compact(w, in->script_len);
		wbuf_put(w, in->script, in->script_len);
		wbuf_put_le32(w, in->sequence);
	}
	wbuf_put_compact(w, tx->vout_count);
	for (i = 0; i < tx->vout_count; i++) {
		wbuf_put_le64(w, (uint64_t)tx->vout[i].value);
		wbuf_put_compact(w, tx->vout[i].script_len);
		wbuf_put(w, tx->vout[i].script, tx->vout[i].script_len);
	}
	if (wit) {
		for (i = 0; i < tx->vin_count; i++) {
			wbuf_put_compact(w, tx->vin[i].wit_count);
			for (j = 0; j < tx->vin[i].wit_count; j++) {
				wbuf_put_compact(w, tx->vin[i].wit[j].len);
				wbuf_put(w, tx->vin[i].wit[j].p,
				    tx->vin[i].wit[j].len);
			}
		}
	}
	wbuf_put_le32(w, tx->locktime);
}

void
tx_compute_ids(struct tx *tx)
{
	struct wbuf w;

	wbuf_init(&w);
	tx_serialize(tx, &w, 0);
	hash256(w.p, w.len, tx->txid);
	tx->base_size = w.len;
	wbuf_reset(&w);
	tx_serialize(tx, &w, 1);
	hash256(w.p, w.len, tx->wtxid);
	tx->total_size = w.len;
	wbuf_free(&w);
}

int
tx_is_coinbase(const struct tx *tx)
{
	static const uint8_t zero[32];

	return tx->vin_count == 1 && tx->vin[0].prevout.n == 0xffffffffu &&
	    memcmp(tx->vin[0].prevout.hash, zero, 32) == 0;
}

size_t
tx_weight(const struct tx *tx)
{
	return tx->base_size * (WITNESS_SCALE_FACTOR - 1) + tx->total_size;
}

void
tx_copy(struct tx *dst, const struct tx *src)
{
	struct wbuf w;
	struct rbuf r;
	uint8_t *arena;
	size_t len;

	wbuf_init(&w);
	tx_serialize(src, &w, 1);
	arena = wbuf_steal(&w, &len);
	rbuf_init(&r, arena, len);
	/*
	 * Our own serialization always parses back, except that a tx without
	 * inputs is read as a witness marker unless witness parsing is off.
	 */
	if (tx_parse(&r, dst, src->vin_count ? TX_ALLOW_WITNESS : 0) == -1)
		abort();
	dst->arena = arena;
}
