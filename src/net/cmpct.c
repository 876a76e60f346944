/*
 * BIP152 compact blocks as bytes (cmpct.h): short ids, the three messages
 * and the rebuilding of a block. Pure; any thread.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "net/cmpct.h"
#include "net/protocol.h"
#include "util/siphash.h"
#include "util/xmalloc.h"

#define SHORTID_MASK 0xffffffffffffULL

void
cmpct_keys(const struct block_header *h, uint64_t nonce, uint64_t k[2])
{
	uint8_t buf[BLOCK_HEADER_SIZE + 8], d[32];

	header_serialize(h, buf);
	le64_write(buf + BLOCK_HEADER_SIZE, nonce);
	/* A single SHA256, not the double one of block hashes (BIP152). */
	sha256(buf, sizeof(buf), d);
	k[0] = le64_read(d);
	k[1] = le64_read(d + 8);
}

uint64_t
cmpct_short_id(const uint64_t k[2], const uint8_t wtxid[32])
{
	return siphash_u256(k[0], k[1], wtxid) & SHORTID_MASK;
}

static int
get_short_id(struct rbuf *r, uint64_t *v)
{
	uint8_t b[8] = { 0 };

	if (rbuf_get(r, b, SHORTTXID_SIZE) == -1)
		return -1;
	*v = le64_read(b);
	return 0;
}

static void
put_short_id(struct wbuf *w, uint64_t v)
{
	uint8_t b[8];

	le64_write(b, v);
	wbuf_put(w, b, SHORTTXID_SIZE);
}

/* One transaction with witness at r's cursor, copied; -1 if malformed. */
static int
take_tx(struct rbuf *r, uint8_t **raw, size_t *len, int *null)
{
	const uint8_t *start = r->p + r->off;
	size_t off = r->off;
	struct tx tx;

	if (tx_parse(r, &tx, TX_ALLOW_WITNESS) != 0)
		return -1;
	*len = r->off - off;
	if (null)
		*null = tx.vin_count == 0 && tx.vout_count == 0;
	tx_free(&tx);
	if (raw) {
		*raw = xmalloc(*len ? *len : 1);
		memcpy(*raw, start, *len);
	}
	return 0;
}

int
cmpct_block_parse(struct rbuf *r, struct cmpct_block *cb)
{
	uint64_t nids, npre, index, i;
	uint32_t last = UINT32_MAX; /* -1: before the first */

	memset(cb, 0, sizeof(*cb));
	if (header_parse(r, &cb->hdr) == -1 ||
	    rbuf_get_le64(r, &cb->nonce) == -1 ||
	    rbuf_get_compact(r, &nids) == -1 ||
	    rbuf_left(r) / SHORTTXID_SIZE < nids)
		return PROTO_EMALFORMED;
	cb->ids = xcalloc(nids ? (size_t)nids : 1, sizeof(*cb->ids));
	cb->nids = (size_t)nids;
	for (i = 0; i < nids; i++)
		get_short_id(r, &cb->ids[i]);
	/* Each prefilled entry takes at least 11 bytes: bounds the array. */
	if (rbuf_get_compact(r, &npre) == -1 || rbuf_left(r) / 11 < npre)
		goto bad;
	cb->pre = xcalloc(npre ? (size_t)npre : 1, sizeof(*cb->pre));
	for (i = 0; i < npre; i++) {
		struct cmpct_prefilled *pf = &cb->pre[i];

		if (rbuf_get_compact(r, &index) == -1 || index > UINT16_MAX ||
		    take_tx(r, &pf->raw, &pf->len, &pf->null) == -1)
			goto bad;
		cb->npre++;
		/* Differential: each counts from the previous one plus one. */
		last = last + (uint32_t)index + 1;
		pf->index = (uint16_t)last;
		if (pf->null || last > UINT16_MAX || last > nids + i)
			cb->bad = 1;
	}
	if (nids + npre > MAX_CMPCTBLOCK_TXS)
		goto bad;
	if (cb->hdr.bits == 0 || nids + npre == 0)
		cb->bad = 1;
	return 0;
bad:
	cmpct_block_free(cb);
	return PROTO_EMALFORMED;
}

void
cmpct_block_free(struct cmpct_block *cb)
{
	size_t i;

	for (i = 0; i < cb->npre; i++)
		free(cb->pre[i].raw);
	free(cb->pre);
	free(cb->ids);
	memset(cb, 0, sizeof(*cb));
}

void
cmpct_block_encode(struct wbuf *w, const struct block *b, uint64_t nonce)
{
	uint8_t raw[BLOCK_HEADER_SIZE];
	uint64_t k[2];
	size_t i;

	header_serialize(&b->hdr, raw);
	wbuf_put(w, raw, sizeof(raw));
	wbuf_put_le64(w, nonce);
	cmpct_keys(&b->hdr, nonce, k);
	wbuf_put_compact(w, b->tx_count ? b->tx_count - 1 : 0);
	for (i = 1; i < b->tx_count; i++)
		put_short_id(w, cmpct_short_id(k, b->txs[i].wtxid));
	/* The coinbase, which no mempool holds, goes in full. */
	wbuf_put_compact(w, b->tx_count ? 1 : 0);
	if (b->tx_count) {
		wbuf_put_compact(w, 0);
		tx_serialize(&b->txs[0], w, 1);
	}
}

/* ---- getblocktxn and blocktxn ---- */

int
getblocktxn_parse(struct rbuf *r, struct blocktxn_req *q)
{
	uint64_t n, d, i, shift = 0;

	memset(q, 0, sizeof(*q));
	if (rbuf_get(r, q->hash, 32) == -1 || rbuf_get_compact(r, &n) == -1 ||
	    rbuf_left(r) < n)
		return PROTO_EMALFORMED;
	q->idx = xcalloc(n ? (size_t)n : 1, sizeof(*q->idx));
	for (i = 0; i < n; i++) {
		/* Core's DifferenceFormatter: no index past 16 bits. */
		if (rbuf_get_compact_nocap(r, &d) == -1 || d > UINT16_MAX ||
		    shift + d > UINT16_MAX) {
			blocktxn_req_free(q);
			return PROTO_EMALFORMED;
		}
		shift += d;
		q->idx[i] = (uint16_t)shift;
		shift++;
	}
	q->n = (size_t)n;
	return 0;
}

void
getblocktxn_encode(struct wbuf *w, const uint8_t hash[32], const uint16_t *idx,
    size_t n)
{
	size_t i;
	uint32_t next = 0;

	wbuf_put(w, hash, 32);
	wbuf_put_compact(w, n);
	for (i = 0; i < n; i++) {
		wbuf_put_compact(w, idx[i] - next);
		next = (uint32_t)idx[i] + 1;
	}
}

void
blocktxn_req_free(struct blocktxn_req *q)
{
	free(q->idx);
	memset(q, 0, sizeof(*q));
}

int
blocktxn_parse(struct rbuf *r, struct blocktxn_msg *m)
{
	uint64_t n, i;

	memset(m, 0, sizeof(*m));
	/* A transaction takes at least 10 bytes: bounds the arrays. */
	if (rbuf_get(r, m->hash, 32) == -1 || rbuf_get_compact(r, &n) == -1 ||
	    rbuf_left(r) / 10 < n)
		return PROTO_EMALFORMED;
	m->raw = xcalloc(n ? (size_t)n : 1, sizeof(*m->raw));
	m->len = xcalloc(n ? (size_t)n : 1, sizeof(*m->len));
	for (i = 0; i < n; i++) {
		m->raw[i] = r->p + r->off;
		if (take_tx(r, NULL, &m->len[i], NULL) == -1) {
			blocktxn_msg_free(m);
			return PROTO_EMALFORMED;
		}
	}
	m->n = (size_t)n;
	return 0;
}

void
blocktxn_msg_free(struct blocktxn_msg *m)
{
	free(m->raw);
	free(m->len);
	memset(m, 0, sizeof(*m));
}

/* ---- rebuilding ---- */

static int
cmp_slot_id(const void *a, const void *b)
{
	const struct cmpct_slot_id *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

int
cmpct_partial_init(struct cmpct_partial *pb, const struct cmpct_block *cb)
{
	size_t n = cb->nids + cb->npre, i, k = 0;
	uint8_t *prefilled;

	memset(pb, 0, sizeof(*pb));
	if (cb->bad)
		return CMPCT_INVALID;
	pb->hdr = cb->hdr;
	header_hash(&cb->hdr, pb->hash);
	cmpct_keys(&cb->hdr, cb->nonce, pb->k);
	pb->n = n;
	pb->raw = xcalloc(n, sizeof(*pb->raw));
	pb->len = xcalloc(n, sizeof(*pb->len));
	pb->wtxid = xcalloc(n, sizeof(*pb->wtxid));
	pb->have = xcalloc(n, 1);
	prefilled = xcalloc(n, 1);
	for (i = 0; i < cb->npre; i++) {
		const struct cmpct_prefilled *pf = &cb->pre[i];

		pb->raw[pf->index] = xmalloc(pf->len ? pf->len : 1);
		memcpy(pb->raw[pf->index], pf->raw, pf->len);
		pb->len[pf->index] = pf->len;
		pb->have[pf->index] = 1;
		prefilled[pf->index] = 1;
	}
	pb->prefilled = cb->npre;
	/* The short ids fill the slots the prefilled ones leave, in order. */
	pb->ids = xcalloc(cb->nids ? cb->nids : 1, sizeof(*pb->ids));
	for (i = 0; i < n && k < cb->nids; i++) {
		if (prefilled[i])
			continue;
		pb->ids[k].id = cb->ids[k];
		pb->ids[k].slot = (uint32_t)i;
		k++;
	}
	free(prefilled);
	pb->nids = k;
	qsort(pb->ids, pb->nids, sizeof(*pb->ids), cmp_slot_id);
	for (i = 1; i < pb->nids; i++)
		if (pb->ids[i].id == pb->ids[i - 1].id)
			return CMPCT_FAILED; /* two of the block's collide */
	return CMPCT_OK;
}

int
cmpct_partial_offer(struct cmpct_partial *pb, const uint8_t wtxid[32],
    const uint8_t *raw, size_t len, int extra)
{
	struct cmpct_slot_id key, *hit;
	uint32_t s;

	if (pb->nids == 0)
		return 0;
	key.id = cmpct_short_id(pb->k, wtxid);
	hit = bsearch(&key, pb->ids, pb->nids, sizeof(*pb->ids), cmp_slot_id);
	if (hit == NULL)
		return 0;
	s = hit->slot;
	if (!pb->have[s]) {
		pb->raw[s] = xmalloc(len ? len : 1);
		memcpy(pb->raw[s], raw, len);
		pb->len[s] = len;
		memcpy(pb->wtxid[s], wtxid, 32);
		pb->have[s] = 1;
		if (extra)
			pb->from_extra++;
		else
			pb->from_pool++;
		return 1;
	}
	/* Two candidates for one id: ask for it rather than guess (Core). */
	if (pb->raw[s] && memcmp(pb->wtxid[s], wtxid, 32) != 0) {
		free(pb->raw[s]);
		pb->raw[s] = NULL;
		pb->len[s] = 0;
	}
	return 0;
}

size_t
cmpct_partial_missing(const struct cmpct_partial *pb, uint16_t *out)
{
	size_t i, k = 0;

	for (i = 0; i < pb->n; i++)
		if (pb->raw[i] == NULL)
			out[k++] = (uint16_t)i;
	return k;
}

int
cmpct_partial_complete(const struct cmpct_partial *pb)
{
	size_t i;

	for (i = 0; i < pb->n; i++)
		if (pb->raw[i] == NULL)
			return 0;
	return 1;
}

int
cmpct_partial_fill(struct cmpct_partial *pb, const struct blocktxn_msg *m)
{
	size_t i, k = 0;

	for (i = 0; i < pb->n; i++)
		if (pb->raw[i] == NULL)
			k++;
	if (k != m->n)
		return CMPCT_INVALID;
	for (i = 0, k = 0; i < pb->n; i++) {
		if (pb->raw[i] != NULL)
			continue;
		pb->raw[i] = xmalloc(m->len[k] ? m->len[k] : 1);
		memcpy(pb->raw[i], m->raw[k], m->len[k]);
		pb->len[i] = m->len[k];
		k++;
	}
	return CMPCT_OK;
}

int
cmpct_partial_finish(const struct cmpct_partial *pb, struct wbuf *w)
{
	uint8_t hdr[BLOCK_HEADER_SIZE], root[32];
	struct block b;
	size_t i, start = w->len;
	int mutated = 0, rc = CMPCT_OK;

	header_serialize(&pb->hdr, hdr);
	wbuf_put(w, hdr, sizeof(hdr));
	wbuf_put_compact(w, pb->n);
	for (i = 0; i < pb->n; i++) {
		if (pb->raw[i] == NULL)
			return CMPCT_FAILED;
		wbuf_put(w, pb->raw[i], pb->len[i]);
	}
	if (block_parse(w->p + start, w->len - start, &b) != 0)
		return CMPCT_FAILED;
	block_merkle_root(&b, root, &mutated);
	if (memcmp(root, pb->hdr.merkle, 32) != 0 || mutated)
		rc = CMPCT_FAILED;
	block_free(&b);
	return rc;
}

void
cmpct_partial_free(struct cmpct_partial *pb)
{
	size_t i;

	for (i = 0; pb->raw && i < pb->n; i++)
		free(pb->raw[i]);
	free(pb->raw);
	free(pb->len);
	free(pb->wtxid);
	free(pb->have);
	free(pb->ids);
	memset(pb, 0, sizeof(*pb));
}

int
cmpctblock_parse(struct rbuf *r, struct block_header *h, int *bad)
{
	struct cmpct_block cb;
	int rc;

	if ((rc = cmpct_block_parse(r, &cb)) != 0)
		return rc;
	*h = cb.hdr;
	*bad = cb.bad;
	cmpct_block_free(&cb);
	return 0;
}
