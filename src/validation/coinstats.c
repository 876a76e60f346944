/*
 * UTXO set statistics (gettxoutsetinfo) and MuHash3072, written from the
 * descriptions in coinstats.h. The 3072-bit arithmetic is plain
 * schoolbook multiplication with the special form of the modulus
 * (2^3072 = 1103717 mod p) doing the reduction; division is by Fermat
 * (x^(p-2)), which is slow (tens of milliseconds) but only needed when
 * elements were removed, once per finalisation.
 */
#include <string.h>

#include "crypto/hash.h"
#include "util/buf.h"
#include "util/log.h"
#include "validation/coinstats.h"

#define N MUHASH_LIMBS
/* p = 2^3072 - MUHASH_C, the largest 3072-bit safe prime. */
#define MUHASH_C 1103717u

/* ---- ChaCha20 block function (RFC 8439, section 2.3) ---- */

#define ROTL32(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QROUND(x, a, b, c, d) \
	do { \
		x[a] += x[b]; \
		x[d] ^= x[a]; \
		x[d] = ROTL32(x[d], 16); \
		x[c] += x[d]; \
		x[b] ^= x[c]; \
		x[b] = ROTL32(x[b], 12); \
		x[a] += x[b]; \
		x[d] ^= x[a]; \
		x[d] = ROTL32(x[d], 8); \
		x[c] += x[d]; \
		x[b] ^= x[c]; \
		x[b] = ROTL32(x[b], 7); \
	} while (0)

/* One 64-byte keystream block, nonce zero. */
static void
chacha20_block(const uint8_t key[32], uint32_t counter, uint8_t out[64])
{
	uint32_t st[16], x[16];
	int i;

	st[0] = 0x61707865; /* "expand 32-byte k" */
	st[1] = 0x3320646e;
	st[2] = 0x79622d32;
	st[3] = 0x6b206574;
	for (i = 0; i < 8; i++)
		st[4 + i] = le32_read(key + 4 * i);
	st[12] = counter;
	st[13] = st[14] = st[15] = 0;
	memcpy(x, st, sizeof(x));
	for (i = 0; i < 10; i++) {
		QROUND(x, 0, 4, 8, 12);
		QROUND(x, 1, 5, 9, 13);
		QROUND(x, 2, 6, 10, 14);
		QROUND(x, 3, 7, 11, 15);
		QROUND(x, 0, 5, 10, 15);
		QROUND(x, 1, 6, 11, 12);
		QROUND(x, 2, 7, 8, 13);
		QROUND(x, 3, 4, 9, 14);
	}
	for (i = 0; i < 16; i++)
		le32_write(out + 4 * i, x[i] + st[i]);
}

/* ---- 3072-bit arithmetic modulo p ---- */

/* *hi:*lo = a * b + c + d, which always fits in 128 bits. */
static inline void
mac(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t *hi, uint64_t *lo)
{
#ifdef __SIZEOF_INT128__
	__extension__ typedef unsigned __int128 u128;
	u128 t = (u128)a * b + c + d;

	*lo = (uint64_t)t;
	*hi = (uint64_t)(t >> 64);
#else
	uint64_t al = a & 0xffffffffu, ah = a >> 32;
	uint64_t bl = b & 0xffffffffu, bh = b >> 32;
	uint64_t p0 = al * bl, p1 = al * bh, p2 = ah * bl, p3 = ah * bh;
	uint64_t mid = (p0 >> 32) + (p1 & 0xffffffffu) + (p2 & 0xffffffffu);
	uint64_t l = (p0 & 0xffffffffu) | (mid << 32);
	uint64_t h = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);

	l += c;
	h += l < c;
	l += d;
	h += l < d;
	*lo = l;
	*hi = h;
#endif
}

static void
num_set_one(uint64_t r[N])
{
	memset(r, 0, N * sizeof(r[0]));
	r[0] = 1;
}

static int
num_is_one(const uint64_t r[N])
{
	int i;

	if (r[0] != 1)
		return 0;
	for (i = 1; i < N; i++)
		if (r[i] != 0)
			return 0;
	return 1;
}

/* r >= p, i.e. r + C carries out of 3072 bits. */
static int
num_overflows(const uint64_t r[N])
{
	int i;

	if (r[0] <= UINT64_MAX - MUHASH_C)
		return 0;
	for (i = 1; i < N; i++)
		if (r[i] != UINT64_MAX)
			return 0;
	return 1;
}

/* r = a * b mod p, fully reduced; r may alias a or b. Inputs < 2^3072. */
static void
num_mul(uint64_t r[N], const uint64_t a[N], const uint64_t b[N])
{
	uint64_t t[2 * N], carry, hi, lo, c;
	int i, j;

	memset(t, 0, sizeof(t));
	for (i = 0; i < N; i++) {
		carry = 0;
		for (j = 0; j < N; j++) {
			mac(a[i], b[j], t[i + j], carry, &hi, &lo);
			t[i + j] = lo;
			carry = hi;
		}
		t[i + N] = carry;
	}
	/* t = H * 2^3072 + L = H * C + L (mod p). carry stays <= C. */
	carry = 0;
	for (i = 0; i < N; i++) {
		mac(t[N + i], MUHASH_C, t[i], carry, &hi, &lo);
		r[i] = lo;
		carry = hi;
	}
	/* Fold the top word once more: r + carry * C. */
	mac(carry, MUHASH_C, r[0], 0, &hi, &lo);
	r[0] = lo;
	c = hi;
	for (i = 1; i < N && c; i++) {
		r[i] += c;
		c = r[i] < c;
	}
	if (c) {
		/* Wrapped past 2^3072 once: add C again; r is tiny now. */
		r[0] += MUHASH_C;
		for (i = 1, c = r[0] < MUHASH_C; i < N && c; i++) {
			r[i] += c;
			c = r[i] == 0;
		}
	}
	if (num_overflows(r)) {
		/* r - p = r + C - 2^3072: only r[0] stays non-zero. */
		r[0] += MUHASH_C;
		for (i = 1; i < N; i++)
			r[i] = 0;
	}
}

/* r = a^(p-2) = a^-1 mod p (a != 0); r may alias a. */
static void
num_inverse(uint64_t r[N], const uint64_t a[N])
{
	uint64_t base[N], acc[N], e;
	int i, bit;

	memcpy(base, a, sizeof(base));
	num_set_one(acc);
	for (i = N - 1; i >= 0; i--) {
		/* p - 2: all ones but the low limb, 2^64 - C - 2. */
		e = i == 0 ? (uint64_t)0 - MUHASH_C - 2 : UINT64_MAX;
		for (bit = 63; bit >= 0; bit--) {
			num_mul(acc, acc, acc);
			if ((e >> bit) & 1)
				num_mul(acc, acc, base);
		}
	}
	memcpy(r, acc, sizeof(acc));
}

/* Core's ToNum3072: SHA-256, then 384 bytes of ChaCha20 keystream. */
static void
num_from_data(uint64_t r[N], const void *data, size_t len)
{
	uint8_t key[32], bytes[N * 8];
	int i;

	sha256(data, len, key);
	for (i = 0; i < N * 8 / 64; i++)
		chacha20_block(key, (uint32_t)i, bytes + 64 * i);
	for (i = 0; i < N; i++)
		r[i] = le64_read(bytes + 8 * i);
}

void
muhash_init(struct muhash *m)
{
	num_set_one(m->num);
	num_set_one(m->den);
}

void
muhash_insert(struct muhash *m, const void *data, size_t len)
{
	uint64_t x[N];

	num_from_data(x, data, len);
	num_mul(m->num, m->num, x);
}

void
muhash_remove(struct muhash *m, const void *data, size_t len)
{
	uint64_t x[N];

	num_from_data(x, data, len);
	num_mul(m->den, m->den, x);
}

void
muhash_finalize(struct muhash *m, uint8_t out[32])
{
	uint8_t bytes[N * 8];
	uint64_t inv[N];
	int i;

	if (!num_is_one(m->den)) {
		num_inverse(inv, m->den);
		num_mul(m->num, m->num, inv);
		num_set_one(m->den);
	}
	for (i = 0; i < N; i++)
		le64_write(bytes + 8 * i, m->num[i]);
	sha256(bytes, sizeof(bytes), out);
}

/* ---- gettxoutsetinfo ---- */

void
coinstats_serialize_coin(struct wbuf *w, const struct outpoint *op,
    const struct coin *c)
{
	wbuf_put(w, op->hash, 32);
	wbuf_put_le32(w, op->n);
	wbuf_put_le32(w, (uint32_t)c->height * 2 + (c->coinbase ? 1 : 0));
	wbuf_put_le64(w, (uint64_t)c->value);
	wbuf_put_compact(w, c->script_len);
	if (c->script_len > 0)
		wbuf_put(w, c->script, c->script_len);
}

struct scan {
	struct coinstats *out;
	struct sha256_ctx hw;
	struct muhash mh;
	int want_muhash;
	struct wbuf w;
	uint8_t prev_txid[32];
	int overflow;
};

static int
scan_coin(void *arg, const struct outpoint *op, const struct coin *c)
{
	struct scan *sc = arg;
	struct coinstats *st = sc->out;

	wbuf_reset(&sc->w);
	coinstats_serialize_coin(&sc->w, op, c);
	sha256_update(&sc->hw, sc->w.p, sc->w.len);
	if (sc->want_muhash)
		muhash_insert(&sc->mh, sc->w.p, sc->w.len);
	/* Coins come in txid order, so a new txid is a new transaction. */
	if (st->txouts == 0 || memcmp(sc->prev_txid, op->hash, 32) != 0) {
		st->transactions++;
		memcpy(sc->prev_txid, op->hash, 32);
	}
	st->txouts++;
	/* Core's GetBogoSize: txid, n, height/coinbase, amount, script length. */
	st->bogosize += 32 + 4 + 4 + 8 + 2 + c->script_len;
	if (__builtin_add_overflow(st->total_amount, c->value,
		&st->total_amount)) {
		sc->overflow = 1;
		return 1;
	}
	return 0;
}

int
coinstats_compute(struct store_rtxn *t, int want_muhash, struct coinstats *out)
{
	struct scan sc;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&sc, 0, sizeof(sc));
	sc.out = out;
	sc.want_muhash = want_muhash;
	sha256_init(&sc.hw);
	muhash_init(&sc.mh);
	wbuf_init(&sc.w);
	if ((rc = store_get_tip(t, out->bestblock, &out->height)) != 0)
		goto done;
	rc = store_iter_coins(t, scan_coin, &sc);
	if (sc.overflow) {
		log_warnx("coinstats: total amount overflows");
		rc = STORE_ERROR;
	}
	if (rc != 0)
		goto done;
	hash256_final(&sc.hw, out->hash_serialized);
	if (want_muhash) {
		muhash_finalize(&sc.mh, out->muhash);
		out->have_muhash = 1;
	}
done:
	wbuf_free(&sc.w);
	return rc;
}
