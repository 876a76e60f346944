/*
 * Test helper: transactions and blocks built in C (see blockgen.h).
 */
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "chain/pow.h"
#include "crypto/hash.h"
#include "util/xmalloc.h"
#include "blockgen.h"

const uint8_t bg_op_true[1] = { 0x51 };
uint8_t bg_p2wsh_true[34];

void
bg_init(void)
{
	bg_p2wsh_true[0] = 0x00;
	bg_p2wsh_true[1] = 0x20;
	sha256(bg_op_true, 1, bg_p2wsh_true + 2);
}

void
bg_tx_init(struct bg_tx *t)
{
	memset(t, 0, sizeof(*t));
	t->version = 2;
}

void
bg_tx_free(struct bg_tx *t)
{
	free(t->in);
	free(t->out);
	memset(t, 0, sizeof(*t));
}

void
bg_tx_copy(struct bg_tx *dst, const struct bg_tx *src)
{
	*dst = *src;
	dst->in = xreallocarray(NULL, src->nin + 1, sizeof(*dst->in));
	dst->out = xreallocarray(NULL, src->nout + 1, sizeof(*dst->out));
	if (src->nin)
		memcpy(dst->in, src->in, src->nin * sizeof(*dst->in));
	if (src->nout)
		memcpy(dst->out, src->out, src->nout * sizeof(*dst->out));
}

struct bg_in *
bg_tx_add_in(struct bg_tx *t, const uint8_t txid[32], uint32_t n)
{
	struct bg_in *in;

	t->in = xreallocarray(t->in, t->nin + 1, sizeof(*t->in));
	in = &t->in[t->nin++];
	memset(in, 0, sizeof(*in));
	memcpy(in->txid, txid, 32);
	in->n = n;
	in->sequence = 0xffffffffu;
	return in;
}

struct bg_out *
bg_tx_add_out(struct bg_tx *t, int64_t value, const uint8_t *script,
    size_t len)
{
	struct bg_out *o;

	t->out = xreallocarray(t->out, t->nout + 1, sizeof(*t->out));
	o = &t->out[t->nout++];
	memset(o, 0, sizeof(*o));
	o->value = value;
	if (len > BG_MAX_SCRIPT)
		len = BG_MAX_SCRIPT;
	memcpy(o->script, script, len);
	o->script_len = len;
	return o;
}

void
bg_in_add_wit(struct bg_in *in, const uint8_t *item, size_t len)
{
	if (in->nwit == BG_MAX_WIT || len > BG_MAX_SCRIPT)
		abort();
	memcpy(in->wit[in->nwit], item, len);
	in->wit_len[in->nwit++] = len;
}

int
bg_tx_has_witness(const struct bg_tx *t)
{
	size_t i;

	for (i = 0; i < t->nin; i++)
		if (t->in[i].nwit || t->in[i].big)
			return 1;
	return 0;
}

void
bg_tx_serialize(const struct bg_tx *t, struct wbuf *w, int with_witness)
{
	size_t i, k;
	int wit = with_witness && bg_tx_has_witness(t);

	wbuf_put_le32(w, (uint32_t)t->version);
	if (wit) {
		wbuf_put_u8(w, 0);
		wbuf_put_u8(w, 1);
	}
	wbuf_put_compact(w, t->nin);
	for (i = 0; i < t->nin; i++) {
		wbuf_put(w, t->in[i].txid, 32);
		wbuf_put_le32(w, t->in[i].n);
		wbuf_put_compact(w, t->in[i].script_len);
		wbuf_put(w, t->in[i].script, t->in[i].script_len);
		wbuf_put_le32(w, t->in[i].sequence);
	}
	wbuf_put_compact(w, t->nout);
	for (i = 0; i < t->nout; i++) {
		wbuf_put_le64(w, (uint64_t)t->out[i].value);
		wbuf_put_compact(w, t->out[i].script_len);
		wbuf_put(w, t->out[i].script, t->out[i].script_len);
	}
	if (wit) {
		for (i = 0; i < t->nin; i++) {
			wbuf_put_compact(w,
			    t->in[i].nwit + (t->in[i].big ? 1 : 0));
			for (k = 0; k < t->in[i].nwit; k++) {
				wbuf_put_compact(w, t->in[i].wit_len[k]);
				wbuf_put(w, t->in[i].wit[k],
				    t->in[i].wit_len[k]);
			}
			if (t->in[i].big) {
				wbuf_put_compact(w, t->in[i].big_len);
				wbuf_put(w, t->in[i].big, t->in[i].big_len);
			}
		}
	}
	wbuf_put_le32(w, t->locktime);
}

void
bg_tx_txid(const struct bg_tx *t, uint8_t txid[32])
{
	struct wbuf w;

	wbuf_init(&w);
	bg_tx_serialize(t, &w, 0);
	hash256(w.p, w.len, txid);
	wbuf_free(&w);
}

void
bg_tx_wtxid(const struct bg_tx *t, uint8_t wtxid[32])
{
	struct wbuf w;

	wbuf_init(&w);
	bg_tx_serialize(t, &w, 1);
	hash256(w.p, w.len, wtxid);
	wbuf_free(&w);
}

int64_t
bg_subsidy(int32_t height)
{
	int32_t halvings = height / 150;

	return halvings >= 64 ? 0 : (50 * 100000000LL) >> halvings;
}

/* CScript() << n for a non-negative n. */
static size_t
push_num(int32_t n, uint8_t *out)
{
	uint8_t b[5];
	size_t k = 0;

	if (n == 0) {
		out[0] = 0;
		return 1;
	}
	if (n <= 16) {
		out[0] = 0x50 + (uint8_t)n;
		return 1;
	}
	while (n > 0) {
		b[k++] = n & 0xff;
		n >>= 8;
	}
	if (b[k - 1] & 0x80)
		b[k++] = 0;
	out[0] = (uint8_t)k;
	memcpy(out + 1, b, k);
	return k + 1;
}

void
bg_block_init(struct bg_block *b, const uint8_t prev[32], int32_t height,
    uint32_t time, uint32_t bits, int64_t value)
{
	static const uint8_t null_hash[32];
	struct bg_tx cb;
	struct bg_in *in;

	memset(b, 0, sizeof(*b));
	b->hdr.version = 0x20000000;
	memcpy(b->hdr.prev, prev, 32);
	b->hdr.time = time;
	b->hdr.bits = bits;
	b->height = height;
	bg_tx_init(&cb);
	cb.version = 1;
	in = bg_tx_add_in(&cb, null_hash, 0xffffffffu);
	in->script_len = push_num(height, in->script);
	/* Keeps the script at least two bytes and coinbases distinct. */
	in->script[in->script_len++] = 0x01;
	in->script[in->script_len++] = (uint8_t)(height * 7 + 3);
	bg_tx_add_out(&cb, value, bg_op_true, 1);
	bg_block_add(b, &cb);
	bg_tx_free(&cb);
}

void
bg_block_free(struct bg_block *b)
{
	size_t i;

	for (i = 0; i < b->ntx; i++)
		bg_tx_free(&b->txs[i]);
	free(b->txs);
	memset(b, 0, sizeof(*b));
}

void
bg_block_add(struct bg_block *b, const struct bg_tx *t)
{
	if (b->ntx == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 8;
		b->txs = xreallocarray(b->txs, b->cap, sizeof(*b->txs));
	}
	bg_tx_copy(&b->txs[b->ntx++], t);
}

void
bg_block_commit_witness(struct bg_block *b)
{
	static const uint8_t zero[32];
	uint8_t(*leaves)[32], root[32], script[38];
	struct sha256_ctx c;
	size_t i;

	leaves = xreallocarray(NULL, b->ntx, 32);
	memset(leaves[0], 0, 32);
	for (i = 1; i < b->ntx; i++)
		bg_tx_wtxid(&b->txs[i], leaves[i]);
	merkle_root((const uint8_t(*)[32])leaves, b->ntx, root, NULL);
	free(leaves);
	sha256_init(&c);
	sha256_update(&c, root, 32);
	sha256_update(&c, zero, 32);
	script[0] = 0x6a;
	script[1] = 0x24;
	script[2] = 0xaa;
	script[3] = 0x21;
	script[4] = 0xa9;
	script[5] = 0xed;
	hash256_final(&c, script + 6);
	bg_tx_add_out(&b->txs[0], 0, script, sizeof(script));
	if (b->txs[0].in[0].nwit == 0)
		bg_in_add_wit(&b->txs[0].in[0], zero, 32);
}

void
bg_block_merkle(struct bg_block *b)
{
	uint8_t(*leaves)[32];
	size_t i;

	leaves = xreallocarray(NULL, b->ntx, 32);
	for (i = 0; i < b->ntx; i++)
		bg_tx_txid(&b->txs[i], leaves[i]);
	merkle_root((const uint8_t(*)[32])leaves, b->ntx, b->hdr.merkle, NULL);
	free(leaves);
}

void
bg_block_hash(const struct bg_block *b, uint8_t hash[32])
{
	header_hash(&b->hdr, hash);
}

void
bg_block_solve(struct bg_block *b, const struct chainparams *cp)
{
	uint8_t h[32];

	for (;;) {
		header_hash(&b->hdr, h);
		if (pow_check(cp, h, b->hdr.bits) == 0)
			return;
		b->hdr.nonce++;
	}
}

void
bg_block_unsolve(struct bg_block *b, const struct chainparams *cp)
{
	uint8_t h[32];

	for (;;) {
		header_hash(&b->hdr, h);
		if (pow_check(cp, h, b->hdr.bits) != 0)
			return;
		b->hdr.nonce++;
	}
}

void
bg_block_serialize(const struct bg_block *b, struct wbuf *w)
{
	uint8_t hdr[80];
	size_t i;

	header_serialize(&b->hdr, hdr);
	wbuf_put(w, hdr, 80);
	wbuf_put_compact(w, b->ntx);
	for (i = 0; i < b->ntx; i++)
		bg_tx_serialize(&b->txs[i], w, 1);
}
