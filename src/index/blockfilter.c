/*
 * BIP158: Golomb-coded sets and the basic block filter, written from the
 * BIP's description. The set's elements are hashed with SipHash-2-4 onto
 * [0, N * M), sorted, and the gaps between neighbours written as a unary
 * quotient (gap >> P ones then a zero) followed by the low P bits.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "index/blockfilter.h"
#include "script/opcodes.h"
#include "util/xmalloc.h"
#include "util/siphash.h"

/* The high 64 bits of a * b: maps a 64-bit hash onto [0, f) uniformly. */
static uint64_t
mul_high(uint64_t a, uint64_t b)
{
#ifdef __SIZEOF_INT128__
	return (uint64_t)(((unsigned __int128)a * b) >> 64);
#else
	uint64_t al = a & 0xffffffffu, ah = a >> 32;
	uint64_t bl = b & 0xffffffffu, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);

	return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

/* Bits appended most significant first, as BIP158's bit stream. */
struct bitw {
	struct wbuf *w;
	uint8_t cur;
	int used; /* bits of cur already written */
};

/* Writes the low n bits of v (n <= 64). */
static void
bitw_put(struct bitw *b, uint64_t v, int n)
{
	int room, take;

	while (n > 0) {
		room = 8 - b->used;
		take = n < room ? n : room;
		b->cur |= (uint8_t)(((v >> (n - take)) & ((1u << take) - 1))
		    << (room - take));
		b->used += take;
		n -= take;
		if (b->used == 8) {
			wbuf_put_u8(b->w, b->cur);
			b->cur = 0;
			b->used = 0;
		}
	}
}

static void
bitw_flush(struct bitw *b)
{
	if (b->used > 0)
		wbuf_put_u8(b->w, b->cur);
	b->cur = 0;
	b->used = 0;
}

struct bitr {
	struct rbuf *r;
	uint8_t cur;
	int left; /* unread bits of cur */
};

/* Reads n bits (n <= 64) into *v; -1 past the end. */
static int
bitr_get(struct bitr *b, int n, uint64_t *v)
{
	int take;

	*v = 0;
	while (n > 0) {
		if (b->left == 0) {
			if (rbuf_get_u8(b->r, &b->cur) != 0)
				return -1;
			b->left = 8;
		}
		take = n < b->left ? n : b->left;
		*v = (*v << take) |
		    ((uint64_t)(b->cur >> (b->left - take)) &
			((1u << take) - 1));
		b->left -= take;
		n -= take;
	}
	return 0;
}

static void
golomb_put(struct bitw *b, int p, uint64_t x)
{
	uint64_t q = x >> p;

	for (; q >= 32; q -= 32)
		bitw_put(b, 0xffffffffu, 32);
	bitw_put(b, (1ull << q) - 1, (int)q);
	bitw_put(b, 0, 1);
	bitw_put(b, x & ((1ull << p) - 1), p);
}

static int
golomb_get(struct bitr *b, int p, uint64_t *x)
{
	uint64_t q = 0, bit, low;

	for (;;) {
		if (bitr_get(b, 1, &bit) != 0)
			return -1;
		if (bit == 0)
			break;
		/* A run this long cannot come from a set of sane size. */
		if (++q > (1ull << 40))
			return -1;
	}
	if (bitr_get(b, p, &low) != 0)
		return -1;
	*x = (q << p) + low;
	return 0;
}

static int
cmp_item(const void *a, const void *b)
{
	const struct bf_item *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = n ? memcmp(x->p, y->p, n) : 0;

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void
gcs_encode(uint64_t k0, uint64_t k1, int p, uint32_t m, struct bf_item *items,
    size_t n, struct wbuf *out)
{
	struct bitw bw = { out, 0, 0 };
	uint64_t *vals, f, last;
	size_t i, k;

	/* A set: equal byte strings are one element. */
	if (n > 1)
		qsort(items, n, sizeof(*items), cmp_item);
	for (i = k = 0; i < n; i++)
		if (k == 0 || cmp_item(&items[k - 1], &items[i]) != 0)
			items[k++] = items[i];
	n = k;
	wbuf_put_compact(out, n);
	if (n == 0)
		return;
	f = (uint64_t)n * m;
	vals = xcalloc(n, sizeof(*vals));
	for (i = 0; i < n; i++)
		vals[i] = mul_high(siphash(k0, k1, items[i].p, items[i].len),
		    f);
	qsort(vals, n, sizeof(*vals), cmp_u64);
	for (i = 0, last = 0; i < n; i++) {
		golomb_put(&bw, p, vals[i] - last);
		last = vals[i];
	}
	bitw_flush(&bw);
	free(vals);
}

int
gcs_match(uint64_t k0, uint64_t k1, int p, uint32_t m, const uint8_t *filter,
    size_t len, const uint8_t *item, size_t ilen)
{
	struct rbuf r;
	struct bitr br;
	uint64_t n, want, val = 0, delta, i;

	rbuf_init(&r, filter, len);
	if (rbuf_get_compact_nocap(&r, &n) != 0)
		return -1;
	if (n == 0)
		return 0;
	/* N * M must fit in 64 bits, and each element takes p + 1 bits. */
	if (n > UINT32_MAX ||
	    n > (uint64_t)rbuf_left(&r) * 8 / (unsigned)(p + 1))
		return -1;
	want = mul_high(siphash(k0, k1, item, ilen), n * m);
	br.r = &r;
	br.cur = 0;
	br.left = 0;
	for (i = 0; i < n; i++) {
		if (golomb_get(&br, p, &delta) != 0)
			return -1;
		val += delta;
		if (val == want)
			return 1;
		if (val > want)
			return 0;
	}
	return 0;
}

void
blockfilter_key(const uint8_t block_hash[32], uint64_t *k0, uint64_t *k1)
{
	*k0 = le64_read(block_hash);
	*k1 = le64_read(block_hash + 8);
}

void
blockfilter_basic(const struct block *b, const struct bf_item *prev,
    size_t nprev, struct wbuf *out)
{
	struct bf_item *items;
	const struct txout *o;
	size_t i, k, n = nprev;
	uint64_t k0, k1;

	for (i = 0; i < b->tx_count; i++)
		n += b->txs[i].vout_count;
	items = xcalloc(n ? n : 1, sizeof(*items));
	n = 0;
	for (i = 0; i < b->tx_count; i++)
		for (k = 0; k < b->txs[i].vout_count; k++) {
			o = &b->txs[i].vout[k];
			/* Unspendable data carriers are left out. */
			if (o->script_len == 0 || o->script[0] == OP_RETURN)
				continue;
			items[n].p = o->script;
			items[n++].len = o->script_len;
		}
	for (i = 0; i < nprev; i++)
		if (prev[i].len > 0)
			items[n++] = prev[i];
	blockfilter_key(b->hash, &k0, &k1);
	gcs_encode(k0, k1, BASIC_FILTER_P, BASIC_FILTER_M, items, n, out);
	free(items);
}

void
blockfilter_hash(const uint8_t *filter, size_t len, uint8_t out[32])
{
	hash256(filter, len, out);
}

void
blockfilter_header(const uint8_t filter_hash[32],
    const uint8_t prev_header[32], uint8_t out[32])
{
	uint8_t buf[64];

	memcpy(buf, filter_hash, 32);
	memcpy(buf + 32, prev_header, 32);
	hash256(buf, sizeof(buf), out);
}

int
blockfilter_type_by_name(const char *name, uint8_t *type)
{
	if (strcmp(name, "basic") == 0) {
		*type = BLOCKFILTER_BASIC;
		return 0;
	}
	return -1;
}

const char *
blockfilter_type_name(uint8_t type)
{
	return type == BLOCKFILTER_BASIC ? "basic" : "";
}
