/*
 * Hash table with linear probing and backward-shift deletion (no
 * tombstones), and the net module's random numbers.
 */
#include <endian.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/htab.h"
#include "util/siphash.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct slot {
	uint64_t hash;
	void *item; /* NULL: empty */
};

struct htab {
	struct slot *s;
	size_t cap; /* a power of two */
	size_t n;
	size_t keylen, keyoff;
	uint64_t k0, k1;
};

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

uint64_t
rand_u64(void)
{
	uint64_t v;
	size_t got = 0;
	ssize_t r;

	while (got < sizeof(v)) {
		r = getrandom((uint8_t *)&v + got, sizeof(v) - got, 0);
		if (r < 0)
			fatal("getrandom");
		got += (size_t)r;
	}
	return v;
}

/* xoshiro256** state per thread, seeded from the kernel on first use. */
static __thread uint64_t rs[4];
static __thread int rs_seeded;

static uint64_t
rnext(void)
{
	uint64_t r, t;

	if (!rs_seeded) {
		rs[0] = rand_u64();
		rs[1] = rand_u64();
		rs[2] = rand_u64();
		rs[3] = rand_u64() | 1;
		rs_seeded = 1;
	}
	r = ROTL(rs[1] * 5, 7) * 9;
	t = rs[1] << 17;
	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = ROTL(rs[3], 45);
	return r;
}

uint64_t
rand_range(uint64_t n)
{
	uint64_t x, lim;

	/* Rejection keeps the result uniform. */
	lim = UINT64_MAX - UINT64_MAX % n;
	do
		x = rnext();
	while (x >= lim);
	return x % n;
}

double
rand_double(void)
{
	return (double)(rnext() >> 11) * (1.0 / 9007199254740992.0);
}

struct htab *
htab_new(size_t keylen, size_t keyoff)
{
	struct htab *t = xcalloc(1, sizeof(*t));

	t->cap = 16;
	t->s = xcalloc(t->cap, sizeof(*t->s));
	t->keylen = keylen;
	t->keyoff = keyoff;
	t->k0 = rand_u64();
	t->k1 = rand_u64();
	return t;
}

void
htab_free(struct htab *t)
{
	if (t == NULL)
		return;
	free(t->s);
	free(t);
}

static const void *
keyof(const struct htab *t, const void *item)
{
	return (const uint8_t *)item + t->keyoff;
}

static uint64_t
hashof(const struct htab *t, const void *key)
{
	return siphash(t->k0, t->k1, key, t->keylen);
}

static size_t
find(const struct htab *t, const void *key, uint64_t h)
{
	size_t mask = t->cap - 1, i = h & mask;

	while (t->s[i].item) {
		if (t->s[i].hash == h &&
		    memcmp(keyof(t, t->s[i].item), key, t->keylen) == 0)
			return i;
		i = (i + 1) & mask;
	}
	return SIZE_MAX;
}

void *
htab_get(const struct htab *t, const void *key)
{
	size_t i = find(t, key, hashof(t, key));

	return i == SIZE_MAX ? NULL : t->s[i].item;
}

static void
insert(struct slot *s, size_t cap, uint64_t h, void *item)
{
	size_t mask = cap - 1, i = h & mask;

	while (s[i].item)
		i = (i + 1) & mask;
	s[i].hash = h;
	s[i].item = item;
}

static void
grow(struct htab *t, size_t ncap)
{
	struct slot *ns = xcalloc(ncap, sizeof(*ns));
	size_t i;

	for (i = 0; i < t->cap; i++)
		if (t->s[i].item)
			insert(ns, ncap, t->s[i].hash, t->s[i].item);
	free(t->s);
	t->s = ns;
	t->cap = ncap;
}

int
htab_put(struct htab *t, void *item)
{
	const void *key = keyof(t, item);
	uint64_t h = hashof(t, key);

	if (find(t, key, h) != SIZE_MAX)
		return -1;
	/* Load at most 1/2: probes stay short. */
	if ((t->n + 1) * 2 > t->cap)
		grow(t, t->cap * 2);
	insert(t->s, t->cap, h, item);
	t->n++;
	return 0;
}

void *
htab_del(struct htab *t, const void *key)
{
	size_t mask = t->cap - 1, i, j, home;
	void *item;

	i = find(t, key, hashof(t, key));
	if (i == SIZE_MAX)
		return NULL;
	item = t->s[i].item;
	t->s[i].item = NULL;
	t->n--;
	/* Shift later members of the cluster back into the hole. */
	j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (t->s[j].item == NULL)
			break;
		home = t->s[j].hash & mask;
		/* Move j to i unless its home lies cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			t->s[i] = t->s[j];
			t->s[j].item = NULL;
			i = j;
		}
	}
	if (t->cap > 16 && t->n * 8 < t->cap)
		grow(t, t->cap / 2);
	return item;
}

size_t
htab_count(const struct htab *t)
{
	return t->n;
}

void *
htab_next(const struct htab *t, size_t *pos)
{
	while (*pos < t->cap) {
		void *item = t->s[*pos].item;

		(*pos)++;
		if (item)
			return item;
	}
	return NULL;
}
