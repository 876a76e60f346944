/*
 * ElligatorSwift for secp256k1, following BIP324's specification of
 * XSwiftEC and XSwiftECInv: field arithmetic mod p on OpenSSL BIGNUMs
 * (variable time, public data only), point multiplication by secret keys in
 * libsecp256k1.
 *
 * Division follows the specification's convention that 1/0 = 0, which the
 * formulas rely on for their degenerate inputs.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_ecdh.h>

#include "crypto/ellswift.h"
#include "crypto/hash.h"
#include "util/log.h"

/*
 * Constants and the libsecp256k1 context, built once (pthread_once) and
 * read-only afterwards, so any thread may use them without a lock.
 */
static struct {
	BIGNUM *p;	      /* the field size */
	BIGNUM *c;	      /* sqrt(-3) mod p, the specification's c */
	BIGNUM *sqrt_exp;     /* (p + 1) / 4 */
	BIGNUM *half;	      /* 1/2 mod p */
	BIGNUM *one_m_c_half; /* (1 - c)/2 */
	BIGNUM *one_p_c_half; /* (1 + c)/2 */
	BN_MONT_CTX *mont;    /* Montgomery form of p, for the square roots */
	secp256k1_context *secp;
} K;
static pthread_once_t k_once = PTHREAD_ONCE_INIT;

#define CK(e) \
	do { \
		if (!(e)) \
			fatalx("ellswift: %s failed", #e); \
	} while (0)

static BIGNUM *
hexbn(const char *h)
{
	BIGNUM *b = NULL;

	CK(BN_hex2bn(&b, h));
	return b;
}

static void
k_init(void)
{
	BN_CTX *bn = BN_CTX_new();
	uint8_t seed[32];

	CK(bn != NULL);
	K.p = hexbn(
	    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F");
	K.c = hexbn(
	    "0A2D2BA93507F1DF233770C2A797962CC61F6D15DA14ECD47D8D27AE1CD5F852");
	K.sqrt_exp = BN_new();
	K.half = BN_new();
	K.one_m_c_half = BN_new();
	K.one_p_c_half = BN_new();
	CK(K.sqrt_exp && K.half && K.one_m_c_half && K.one_p_c_half);
	CK(BN_copy(K.sqrt_exp, K.p));
	CK(BN_add_word(K.sqrt_exp, 1));
	CK(BN_rshift(K.sqrt_exp, K.sqrt_exp, 2));
	/* 1/2 = (p + 1) / 2 */
	CK(BN_copy(K.half, K.p));
	CK(BN_add_word(K.half, 1));
	CK(BN_rshift1(K.half, K.half));
	CK(BN_mod_sub(K.one_m_c_half, BN_value_one(), K.c, K.p, bn));
	CK(BN_mod_mul(K.one_m_c_half, K.one_m_c_half, K.half, K.p, bn));
	CK(BN_mod_add(K.one_p_c_half, BN_value_one(), K.c, K.p, bn));
	CK(BN_mod_mul(K.one_p_c_half, K.one_p_c_half, K.half, K.p, bn));
	CK((K.mont = BN_MONT_CTX_new()) != NULL);
	CK(BN_MONT_CTX_set(K.mont, K.p, bn));
	BN_CTX_free(bn);

	K.secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	CK(K.secp != NULL);
	/* Blinding of the generator multiplication against side channels. */
	CK(RAND_bytes(seed, sizeof(seed)) == 1);
	CK(secp256k1_context_randomize(K.secp, seed));
	OPENSSL_cleanse(seed, sizeof(seed));
}

static void
k_get(void)
{
	pthread_once(&k_once, k_init);
}

/* ---- field elements mod p (BIGNUMs kept reduced) ---- */

static BIGNUM *
fe_new(BN_CTX *bn)
{
	BIGNUM *r = BN_CTX_get(bn);

	CK(r != NULL);
	return r;
}

static void
fe_load(BN_CTX *bn, BIGNUM *r, const uint8_t b[32])
{
	CK(BN_bin2bn(b, 32, r));
	CK(BN_nnmod(r, r, K.p, bn));
}

static void
fe_store(const BIGNUM *a, uint8_t b[32])
{
	CK(BN_bn2binpad(a, b, 32) == 32);
}

static void
fe_mul(BN_CTX *bn, BIGNUM *r, const BIGNUM *a, const BIGNUM *b)
{
	CK(BN_mod_mul(r, a, b, K.p, bn));
}

static void
fe_add(BN_CTX *bn, BIGNUM *r, const BIGNUM *a, const BIGNUM *b)
{
	CK(BN_mod_add(r, a, b, K.p, bn));
}

static void
fe_sub(BN_CTX *bn, BIGNUM *r, const BIGNUM *a, const BIGNUM *b)
{
	CK(BN_mod_sub(r, a, b, K.p, bn));
}

static void
fe_neg(BN_CTX *bn, BIGNUM *r, const BIGNUM *a)
{
	BN_CTX_start(bn);
	{
		BIGNUM *z = fe_new(bn);

		BN_zero(z);
		fe_sub(bn, r, z, a);
	}
	BN_CTX_end(bn);
}

static void
fe_add_word(BN_CTX *bn, BIGNUM *r, const BIGNUM *a, BN_ULONG w)
{
	CK(BN_copy(r, a));
	CK(BN_add_word(r, w));
	CK(BN_nnmod(r, r, K.p, bn));
}

static void
fe_mul_word(BN_CTX *bn, BIGNUM *r, const BIGNUM *a, BN_ULONG w)
{
	CK(BN_copy(r, a));
	CK(BN_mul_word(r, w));
	CK(BN_nnmod(r, r, K.p, bn));
}

/* 1/a, with 1/0 = 0 as the specification's formulas assume. */
static void
fe_inv(BN_CTX *bn, BIGNUM *r, const BIGNUM *a)
{
	if (BN_is_zero(a)) {
		BN_zero(r);
		return;
	}
	CK(BN_mod_inverse(r, a, K.p, bn));
}

/*
 * r = a^((p+1)/4), the square root of a that is itself a square (the one
 * the specification's reference code returns); 1 if a is a square, else 0.
 */
static int
fe_sqrt(BN_CTX *bn, BIGNUM *r, const BIGNUM *a)
{
	int ok;

	BN_CTX_start(bn);
	{
		BIGNUM *s = fe_new(bn), *chk = fe_new(bn);

		CK(BN_mod_exp_mont(s, a, K.sqrt_exp, K.p, bn, K.mont));
		fe_mul(bn, chk, s, s);
		ok = BN_cmp(chk, a) == 0;
		if (r != NULL)
			CK(BN_copy(r, s));
	}
	BN_CTX_end(bn);
	return ok;
}

/*
 * x^3 + 7 is a square: x is the x coordinate of a curve point. The
 * Kronecker symbol answers without the exponentiation of a square root.
 */
static int
valid_x(BN_CTX *bn, const BIGNUM *x)
{
	int k;

	BN_CTX_start(bn);
	{
		BIGNUM *y2 = fe_new(bn);

		fe_mul(bn, y2, x, x);
		fe_mul(bn, y2, y2, x);
		fe_add_word(bn, y2, y2, 7);
		k = BN_kronecker(y2, K.p, bn);
		CK(k != -2);
	}
	BN_CTX_end(bn);
	return k >= 0;
}

/* XSwiftEC(u, t) into x. */
static void
xswiftec(BN_CTX *bn, BIGNUM *x, const BIGNUM *u_in, const BIGNUM *t_in)
{
	BN_CTX_start(bn);
	{
		BIGNUM *u = fe_new(bn), *t = fe_new(bn), *u3b = fe_new(bn);
		BIGNUM *tt = fe_new(bn), *s = fe_new(bn), *X = fe_new(bn);
		BIGNUM *Y = fe_new(bn), *d = fe_new(bn), *xy = fe_new(bn);

		CK(BN_copy(u, u_in));
		CK(BN_copy(t, t_in));
		if (BN_is_zero(u))
			CK(BN_one(u));
		if (BN_is_zero(t))
			CK(BN_one(t));
		fe_mul(bn, u3b, u, u);
		fe_mul(bn, u3b, u3b, u);
		fe_add_word(bn, u3b, u3b, 7); /* u^3 + 7 */
		fe_mul(bn, tt, t, t);
		fe_add(bn, s, u3b, tt);
		if (BN_is_zero(s)) {
			fe_mul_word(bn, t, t, 2);
			fe_mul(bn, tt, t, t);
		}
		/* X = (u^3 + 7 - t^2) / (2t) */
		fe_sub(bn, X, u3b, tt);
		fe_mul_word(bn, d, t, 2);
		fe_inv(bn, d, d);
		fe_mul(bn, X, X, d);
		/* Y = (X + t) / (c u) */
		fe_add(bn, Y, X, t);
		fe_mul(bn, d, K.c, u);
		fe_inv(bn, d, d);
		fe_mul(bn, Y, Y, d);
		/* x1 = u + 4 Y^2 */
		fe_mul(bn, x, Y, Y);
		fe_mul_word(bn, x, x, 4);
		fe_add(bn, x, x, u);
		if (!valid_x(bn, x)) {
			/* x2 = (-X/Y - u)/2, x3 = (X/Y - u)/2 */
			fe_inv(bn, d, Y);
			fe_mul(bn, xy, X, d);
			fe_neg(bn, x, xy);
			fe_sub(bn, x, x, u);
			fe_mul(bn, x, x, K.half);
			if (!valid_x(bn, x)) {
				fe_sub(bn, x, xy, u);
				fe_mul(bn, x, x, K.half);
				if (!valid_x(bn, x))
					fatalx(
					    "ellswift: XSwiftEC found no x");
			}
		}
	}
	BN_CTX_end(bn);
}

/* XSwiftECInv(x, u, c) into t; 0, or -1 for no solution. */
static int
xswiftec_inv(BN_CTX *bn, BIGNUM *t, const BIGNUM *x, const BIGNUM *u, int c)
{
	int rc = -1;

	BN_CTX_start(bn);
	{
		BIGNUM *v = fe_new(bn), *s = fe_new(bn), *m = fe_new(bn);
		BIGNUM *q = fe_new(bn), *r = fe_new(bn), *w = fe_new(bn);
		BIGNUM *u3b = fe_new(bn);

		fe_mul(bn, u3b, u, u);
		fe_mul(bn, u3b, u3b, u);
		fe_add_word(bn, u3b, u3b, 7); /* u^3 + 7 */
		if ((c & 2) == 0) {
			/* -x - u on the curve: x1 would decode first. */
			fe_neg(bn, m, x);
			fe_sub(bn, m, m, u);
			if (valid_x(bn, m))
				goto out;
			CK(BN_copy(v, x));
			/* s = -(u^3 + 7) / (u^2 + u v + v^2) */
			fe_mul(bn, m, u, u);
			fe_mul(bn, q, u, v);
			fe_add(bn, m, m, q);
			fe_mul(bn, q, v, v);
			fe_add(bn, m, m, q);
			fe_inv(bn, m, m);
			fe_mul(bn, s, u3b, m);
			fe_neg(bn, s, s);
		} else {
			fe_sub(bn, s, x, u);
			if (BN_is_zero(s))
				goto out;
			/* r = sqrt(-s (4 (u^3 + 7) + 3 u^2 s)) */
			fe_mul(bn, q, u, u);
			fe_mul(bn, q, q, s);
			fe_mul_word(bn, q, q, 3);
			fe_mul_word(bn, m, u3b, 4);
			fe_add(bn, q, q, m);
			fe_mul(bn, q, q, s);
			fe_neg(bn, q, q);
			if (!fe_sqrt(bn, r, q))
				goto out;
			if ((c & 1) && BN_is_zero(r))
				goto out;
			/* v = (r/s - u)/2 */
			fe_inv(bn, m, s);
			fe_mul(bn, v, r, m);
			fe_sub(bn, v, v, u);
			fe_mul(bn, v, v, K.half);
		}
		if (!fe_sqrt(bn, w, s))
			goto out;
		switch (c & 5) {
		case 0:
		case 4: fe_mul(bn, m, u, K.one_m_c_half); break;
		default: fe_mul(bn, m, u, K.one_p_c_half); break;
		}
		fe_add(bn, m, m, v);
		fe_mul(bn, t, w, m);
		if ((c & 5) == 0 || (c & 5) == 5)
			fe_neg(bn, t, t);
		rc = 0;
	}
out:
	BN_CTX_end(bn);
	return rc;
}

void
ellswift_decode(const uint8_t ell[ELLSWIFT_LEN], uint8_t x[32])
{
	BN_CTX *bn;

	k_get();
	CK((bn = BN_CTX_new()) != NULL);
	BN_CTX_start(bn);
	{
		BIGNUM *u = fe_new(bn), *t = fe_new(bn), *r = fe_new(bn);

		fe_load(bn, u, ell);
		fe_load(bn, t, ell + 32);
		xswiftec(bn, r, u, t);
		fe_store(r, x);
	}
	BN_CTX_end(bn);
	BN_CTX_free(bn);
}

int
ellswift_xswiftec_inv(const uint8_t x[32], const uint8_t u[32], int c,
    uint8_t t[32])
{
	BN_CTX *bn;
	int rc;

	k_get();
	CK((bn = BN_CTX_new()) != NULL);
	BN_CTX_start(bn);
	{
		BIGNUM *bx = fe_new(bn), *bu = fe_new(bn), *bt = fe_new(bn);

		fe_load(bn, bx, x);
		fe_load(bn, bu, u);
		rc = xswiftec_inv(bn, bt, bx, bu, c & 7);
		if (rc == 0)
			fe_store(bt, t);
	}
	BN_CTX_end(bn);
	BN_CTX_free(bn);
	return rc;
}

void
ellswift_encode_x(const uint8_t x[32], uint8_t ell[ELLSWIFT_LEN])
{
	uint8_t rnd[33];
	BN_CTX *bn;

	k_get();
	CK((bn = BN_CTX_new()) != NULL);
	BN_CTX_start(bn);
	{
		BIGNUM *bx = fe_new(bn), *u = fe_new(bn), *t = fe_new(bn);

		fe_load(bn, bx, x);
		/* XElligatorSwift: random nonzero u and branch until one inverts. */
		for (;;) {
			CK(RAND_bytes(rnd, sizeof(rnd)) == 1);
			fe_load(bn, u, rnd);
			if (BN_is_zero(u))
				continue;
			if (xswiftec_inv(bn, t, bx, u, rnd[32] & 7) == 0)
				break;
		}
		fe_store(u, ell);
		fe_store(t, ell + 32);
	}
	BN_CTX_end(bn);
	BN_CTX_free(bn);
}

int
ellswift_pubkey_x(const uint8_t priv[32], uint8_t x[32])
{
	secp256k1_pubkey pk;
	uint8_t ser[33];
	size_t len = sizeof(ser);

	k_get();
	if (!secp256k1_ec_pubkey_create(K.secp, &pk, priv))
		return -1;
	CK(secp256k1_ec_pubkey_serialize(K.secp, ser, &len, &pk,
	    SECP256K1_EC_COMPRESSED));
	memcpy(x, ser + 1, 32);
	return 0;
}

void
ellswift_keygen(uint8_t priv[32], uint8_t ell[ELLSWIFT_LEN])
{
	uint8_t x[32];

	k_get();
	do
		CK(RAND_priv_bytes(priv, 32) == 1);
	while (ellswift_pubkey_x(priv, x) != 0);
	ellswift_encode_x(x, ell);
}

/* secp256k1_ecdh's hash: keep the x coordinate as it is. */
static int
ecdh_copy_x(unsigned char *out, const unsigned char *x32,
    const unsigned char *y32, void *data)
{
	(void)y32;
	(void)data;
	memcpy(out, x32, 32);
	return 1;
}

int
ellswift_ecdh_xonly(const uint8_t ell_theirs[ELLSWIFT_LEN],
    const uint8_t priv[32], uint8_t x[32])
{
	secp256k1_pubkey pk;
	uint8_t ser[33];

	ser[0] = 0x02; /* either lift gives the same x of the product */
	ellswift_decode(ell_theirs, ser + 1);
	/* decode's x is always on the curve. */
	CK(secp256k1_ec_pubkey_parse(K.secp, &pk, ser, sizeof(ser)));
	if (!secp256k1_ecdh(K.secp, x, &pk, priv, ecdh_copy_x, NULL))
		return -1;
	return 0;
}

int
ellswift_xdh_bip324(const uint8_t ell_ours[ELLSWIFT_LEN],
    const uint8_t ell_theirs[ELLSWIFT_LEN], const uint8_t priv[32],
    int initiating, uint8_t secret[32])
{
	struct sha256_ctx h;
	uint8_t x[32];

	if (ellswift_ecdh_xonly(ell_theirs, priv, x) != 0)
		return -1;
	tagged_hash_init(&h, "bip324_ellswift_xonly_ecdh");
	/* The initiator's encoding first. */
	sha256_update(&h, initiating ? ell_ours : ell_theirs, ELLSWIFT_LEN);
	sha256_update(&h, initiating ? ell_theirs : ell_ours, ELLSWIFT_LEN);
	sha256_update(&h, x, sizeof(x));
	sha256_final(&h, secret);
	OPENSSL_cleanse(x, sizeof(x));
	OPENSSL_cleanse(&h, sizeof(h));
	return 0;
}
