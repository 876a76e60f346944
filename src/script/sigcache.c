/*
 * The signature cache (see sigcache.h for the design and the locking).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "crypto/hash.h"
#include "script/sigcache.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct bucket {
	uint8_t key[SIGCACHE_WAYS][32];
};

struct sigcache {
	struct sha256_ctx salted; /* SHA256 state after salt+padding */
	struct bucket *buckets;
	size_t nbuckets; /* power of two */
	/* stripe[i] guards every bucket b with b % SIGCACHE_STRIPES == i. */
	pthread_mutex_t stripe[SIGCACHE_STRIPES];
};

static const uint8_t empty_key[32];

static void
get_salt(uint8_t salt[32])
{
	size_t got = 0;
	ssize_t n;

	while (got < 32) {
		n = getrandom(salt + got, 32 - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fatal("%s: getrandom", __func__);
		}
		got += (size_t)n;
	}
}

struct sigcache *
sigcache_new(size_t max_bytes)
{
	struct sigcache *sc;
	uint8_t block[64];
	size_t n = SIGCACHE_STRIPES;
	int i;

	sc = xcalloc(1, sizeof(*sc));
	while (n * 2 * sizeof(struct bucket) <= max_bytes)
		n *= 2;
	sc->nbuckets = n;
	sc->buckets = xcalloc(n, sizeof(struct bucket));
	for (i = 0; i < SIGCACHE_STRIPES; i++)
		if (pthread_mutex_init(&sc->stripe[i], NULL) != 0)
			fatalx("%s: pthread_mutex_init", __func__);
	/* One full block so each key costs only its own data. */
	memset(block, 0, sizeof(block));
	get_salt(block);
	sha256_init(&sc->salted);
	sha256_update(&sc->salted, block, sizeof(block));
	return sc;
}

void
sigcache_free(struct sigcache *sc)
{
	int i;

	if (sc == NULL)
		return;
	for (i = 0; i < SIGCACHE_STRIPES; i++)
		pthread_mutex_destroy(&sc->stripe[i]);
	free(sc->buckets);
	free(sc);
}

size_t
sigcache_capacity(const struct sigcache *sc)
{
	return sc->nbuckets * SIGCACHE_WAYS;
}

void
sigcache_key_ecdsa(const struct sigcache *sc, const uint8_t hash[32],
    const uint8_t *pk, size_t pklen, const uint8_t *sig, size_t siglen,
    uint8_t key[32])
{
	struct sha256_ctx c = sc->salted;
	uint8_t t = 'E', l[2];

	sha256_update(&c, &t, 1);
	sha256_update(&c, hash, 32);
	/* Lengths keep (pk, sig) splits of the same bytes apart. */
	l[0] = (uint8_t)pklen;
	l[1] = (uint8_t)siglen;
	sha256_update(&c, l, 2);
	sha256_update(&c, pk, pklen);
	sha256_update(&c, sig, siglen);
	sha256_final(&c, key);
}

void
sigcache_key_schnorr(const struct sigcache *sc, const uint8_t hash[32],
    const uint8_t pk[32], const uint8_t sig[64], uint8_t key[32])
{
	struct sha256_ctx c = sc->salted;
	uint8_t t = 'S';

	sha256_update(&c, &t, 1);
	sha256_update(&c, hash, 32);
	sha256_update(&c, pk, 32);
	sha256_update(&c, sig, 64);
	sha256_final(&c, key);
}

static size_t
bucket_of(const struct sigcache *sc, const uint8_t key[32])
{
	return (size_t)le64_read(key) & (sc->nbuckets - 1);
}

int
sigcache_lookup(struct sigcache *sc, const uint8_t key[32], int erase)
{
	size_t b = bucket_of(sc, key);
	pthread_mutex_t *m = &sc->stripe[b % SIGCACHE_STRIPES];
	struct bucket *bk = &sc->buckets[b];
	int i, hit = 0;

	pthread_mutex_lock(m);
	for (i = 0; i < SIGCACHE_WAYS; i++) {
		if (memcmp(bk->key[i], key, 32) == 0) {
			hit = 1;
			if (erase)
				memset(bk->key[i], 0, 32);
			break;
		}
	}
	pthread_mutex_unlock(m);
	return hit;
}

void
sigcache_insert(struct sigcache *sc, const uint8_t key[32])
{
	size_t b = bucket_of(sc, key);
	pthread_mutex_t *m = &sc->stripe[b % SIGCACHE_STRIPES];
	struct bucket *bk = &sc->buckets[b];
	int i, slot = -1;

	/* An all-zero key marks a free slot; it cannot be stored. */
	if (memcmp(key, empty_key, 32) == 0)
		return;
	pthread_mutex_lock(m);
	for (i = 0; i < SIGCACHE_WAYS; i++) {
		if (memcmp(bk->key[i], key, 32) == 0) {
			pthread_mutex_unlock(m);
			return;
		}
		if (slot < 0 && memcmp(bk->key[i], empty_key, 32) == 0)
			slot = i;
	}
	if (slot < 0)
		slot = key[8] % SIGCACHE_WAYS;
	memcpy(bk->key[slot], key, 32);
	pthread_mutex_unlock(m);
}
