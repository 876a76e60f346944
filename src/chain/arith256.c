/*
 * 256-bit unsigned arithmetic on eight 32-bit limbs. Every operation works
 * on a local copy, so results may alias operands.
 */
#include <string.h>

#include "chain/arith256.h"

#define LIMBS 8

void
arith256_set_u64(struct arith256 *a, uint64_t v)
{
	memset(a, 0, sizeof(*a));
	a->w[0] = (uint32_t)v;
	a->w[1] = (uint32_t)(v >> 32);
}

int
arith256_is_zero(const struct arith256 *a)
{
	int i;

	for (i = 0; i < LIMBS; i++)
		if (a->w[i] != 0)
			return 0;
	return 1;
}

int
arith256_cmp(const struct arith256 *a, const struct arith256 *b)
{
	int i;

	for (i = LIMBS - 1; i >= 0; i--) {
		if (a->w[i] < b->w[i])
			return -1;
		if (a->w[i] > b->w[i])
			return 1;
	}
	return 0;
}

void
arith256_add(struct arith256 *r, const struct arith256 *a,
    const struct arith256 *b)
{
	uint64_t carry = 0;
	int i;

	for (i = 0; i < LIMBS; i++) {
		carry += (uint64_t)a->w[i] + b->w[i];
		r->w[i] = (uint32_t)carry;
		carry >>= 32;
	}
}

void
arith256_sub(struct arith256 *r, const struct arith256 *a,
    const struct arith256 *b)
{
	uint64_t borrow = 0, d;
	int i;

	for (i = 0; i < LIMBS; i++) {
		d = (uint64_t)a->w[i] - b->w[i] - borrow;
		r->w[i] = (uint32_t)d;
		/* A wrapped difference has its high half all ones. */
		borrow = (d >> 32) ? 1 : 0;
	}
}

void
arith256_not(struct arith256 *r, const struct arith256 *a)
{
	int i;

	for (i = 0; i < LIMBS; i++)
		r->w[i] = ~a->w[i];
}

void
arith256_shl(struct arith256 *r, const struct arith256 *a, unsigned n)
{
	struct arith256 t;
	unsigned k = n / 32, s = n % 32;
	int i;

	memset(&t, 0, sizeof(t));
	if (n < 256) {
		for (i = LIMBS - 1; i >= (int)k; i--) {
			t.w[i] = a->w[i - k] << s;
			if (s != 0 && i - (int)k - 1 >= 0)
				t.w[i] |= a->w[i - k - 1] >> (32 - s);
		}
	}
	*r = t;
}

void
arith256_shr(struct arith256 *r, const struct arith256 *a, unsigned n)
{
	struct arith256 t;
	unsigned k = n / 32, s = n % 32;
	int i;

	memset(&t, 0, sizeof(t));
	if (n < 256) {
		for (i = 0; i + (int)k < LIMBS; i++) {
			t.w[i] = a->w[i + k] >> s;
			if (s != 0 && i + (int)k + 1 < LIMBS)
				t.w[i] |= a->w[i + k + 1] << (32 - s);
		}
	}
	*r = t;
}

void
arith256_mul_u32(struct arith256 *r, const struct arith256 *a, uint32_t m)
{
	uint64_t carry = 0;
	int i;

	for (i = 0; i < LIMBS; i++) {
		carry += (uint64_t)a->w[i] * m;
		r->w[i] = (uint32_t)carry;
		carry >>= 32;
	}
}

void
arith256_mul(struct arith256 *r, const struct arith256 *a,
    const struct arith256 *b)
{
	struct arith256 t;
	uint64_t carry;
	int i, j;

	memset(&t, 0, sizeof(t));
	for (j = 0; j < LIMBS; j++) {
		carry = 0;
		for (i = 0; i + j < LIMBS; i++) {
			carry += (uint64_t)a->w[j] * b->w[i] + t.w[i + j];
			t.w[i + j] = (uint32_t)carry;
			carry >>= 32;
		}
	}
	*r = t;
}

void
arith256_mul_u64(struct arith256 *r, const struct arith256 *a, uint64_t m)
{
	struct arith256 b;

	arith256_set_u64(&b, m);
	arith256_mul(r, a, &b);
}

unsigned
arith256_bits(const struct arith256 *a)
{
	int i, b;

	for (i = LIMBS - 1; i >= 0; i--) {
		if (a->w[i] == 0)
			continue;
		for (b = 31; b > 0; b--)
			if (a->w[i] & (1u << b))
				break;
		return (unsigned)(32 * i + b + 1);
	}
	return 0;
}

/*
 * Schoolbook binary long division: a quotient bit for every position where
 * the shifted divisor still fits. 256 steps at most, which is cheap beside
 * the hashing around every caller.
 */
int
arith256_div(struct arith256 *r, const struct arith256 *a,
    const struct arith256 *d)
{
	struct arith256 num = *a, div = *d, q;
	unsigned nbits, dbits;
	int shift;

	if (arith256_is_zero(&div))
		return -1;
	memset(&q, 0, sizeof(q));
	nbits = arith256_bits(&num);
	dbits = arith256_bits(&div);
	if (nbits >= dbits) {
		shift = (int)(nbits - dbits);
		arith256_shl(&div, &div, (unsigned)shift);
		for (; shift >= 0; shift--) {
			if (arith256_cmp(&num, &div) >= 0) {
				arith256_sub(&num, &num, &div);
				q.w[shift / 32] |= 1u << (shift % 32);
			}
			arith256_shr(&div, &div, 1);
		}
	}
	*r = q;
	return 0;
}

int
arith256_div_u64(struct arith256 *r, const struct arith256 *a, uint64_t d)
{
	struct arith256 b;

	arith256_set_u64(&b, d);
	return arith256_div(r, a, &b);
}

uint64_t
arith256_low64(const struct arith256 *a)
{
	return (uint64_t)a->w[0] | (uint64_t)a->w[1] << 32;
}

double
arith256_to_double(const struct arith256 *a)
{
	double ret = 0, fact = 1;
	int i;

	for (i = 0; i < LIMBS; i++) {
		ret += fact * a->w[i];
		fact *= 4294967296.0;
	}
	return ret;
}

void
arith256_from_le(struct arith256 *a, const uint8_t b[32])
{
	int i;

	for (i = 0; i < LIMBS; i++)
		a->w[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
		    (uint32_t)b[4 * i + 2] << 16 |
		    (uint32_t)b[4 * i + 3] << 24;
}

void
arith256_to_le(const struct arith256 *a, uint8_t b[32])
{
	int i;

	for (i = 0; i < LIMBS; i++) {
		b[4 * i] = (uint8_t)a->w[i];
		b[4 * i + 1] = (uint8_t)(a->w[i] >> 8);
		b[4 * i + 2] = (uint8_t)(a->w[i] >> 16);
		b[4 * i + 3] = (uint8_t)(a->w[i] >> 24);
	}
}

void
arith256_from_be(struct arith256 *a, const uint8_t b[32])
{
	uint8_t le[32];
	int i;

	for (i = 0; i < 32; i++)
		le[i] = b[31 - i];
	arith256_from_le(a, le);
}

void
arith256_to_be(const struct arith256 *a, uint8_t b[32])
{
	uint8_t le[32];
	int i;

	arith256_to_le(a, le);
	for (i = 0; i < 32; i++)
		b[i] = le[31 - i];
}

void
arith256_to_hex(const struct arith256 *a, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t be[32];
	int i;

	arith256_to_be(a, be);
	for (i = 0; i < 32; i++) {
		out[2 * i] = digits[be[i] >> 4];
		out[2 * i + 1] = digits[be[i] & 15];
	}
	out[64] = '\0';
}

int
arith256_from_hex(struct arith256 *a, const char *s)
{
	struct arith256 t;
	size_t n = strlen(s), i;
	int v;
	char c;

	if (n == 0 || n > 64)
		return -1;
	memset(&t, 0, sizeof(t));
	for (i = 0; i < n; i++) {
		c = s[n - 1 - i];
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return -1;
		t.w[i / 8] |= (uint32_t)v << (4 * (i % 8));
	}
	*a = t;
	return 0;
}

void
arith256_set_compact(struct arith256 *a, uint32_t bits, int *negative,
    int *overflow)
{
	unsigned size = bits >> 24;
	uint32_t word = bits & 0x007fffff;

	if (size <= 3) {
		word >>= 8 * (3 - size);
		arith256_set_u64(a, word);
	} else {
		arith256_set_u64(a, word);
		arith256_shl(a, a, 8 * (size - 3));
	}
	if (negative != NULL)
		*negative = word != 0 && (bits & 0x00800000) != 0;
	/* Overflow means the mantissa's top byte lands past bit 255. */
	if (overflow != NULL)
		*overflow = word != 0 &&
		    (size > 34 || (word > 0xff && size > 33) ||
			(word > 0xffff && size > 32));
}

uint32_t
arith256_get_compact(const struct arith256 *a, int negative)
{
	struct arith256 t;
	unsigned size = (arith256_bits(a) + 7) / 8;
	uint32_t compact;

	if (size <= 3) {
		compact = (uint32_t)(arith256_low64(a) << 8 * (3 - size));
	} else {
		arith256_shr(&t, a, 8 * (size - 3));
		compact = (uint32_t)arith256_low64(&t);
	}
	/* The mantissa is signed: keep its top bit clear. */
	if (compact & 0x00800000) {
		compact >>= 8;
		size++;
	}
	compact |= size << 24;
	if (negative && (compact & 0x007fffff) != 0)
		compact |= 0x00800000;
	return compact;
}

void
arith256_block_proof(struct arith256 *work, uint32_t bits)
{
	struct arith256 target, inv, one, denom;
	int negative, overflow;

	arith256_set_compact(&target, bits, &negative, &overflow);
	if (negative || overflow || arith256_is_zero(&target)) {
		arith256_set_u64(work, 0);
		return;
	}
	/*
	 * 2^256 does not fit, but 2^256 / (t + 1) equals
	 * (2^256 - t - 1) / (t + 1) + 1, and 2^256 - t - 1 is ~t.
	 */
	arith256_set_u64(&one, 1);
	arith256_not(&inv, &target);
	arith256_add(&denom, &target, &one);
	if (arith256_div(work, &inv, &denom) == -1) {
		/* t + 1 wrapped to zero: t is 2^256 - 1, work is 1. */
		arith256_set_u64(work, 1);
		return;
	}
	arith256_add(work, work, &one);
}

double
arith256_difficulty(uint32_t bits)
{
	int shift = (bits >> 24) & 0xff;
	double diff;

	/* Core divides by the raw mantissa; a zero one gives infinity too. */
	diff = (double)0x0000ffff / (double)(bits & 0x00ffffff);
	while (shift < 29) {
		diff *= 256.0;
		shift++;
	}
	while (shift > 29) {
		diff /= 256.0;
		shift--;
	}
	return diff;
}
