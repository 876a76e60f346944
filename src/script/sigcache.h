/*
 * Signature cache: a bounded, salted set of signature checks that have
 * passed, so a signature verified once (at mempool acceptance) is not
 * verified again when its block arrives.
 *
 * An entry is a 32-byte key: SHA256 over a secret 32-byte salt drawn from
 * the kernel at sigcache_new, a type byte ('E' ECDSA, 'S' Schnorr), the
 * signature hash, the public key and the signature. Without the salt a
 * peer could not predict where its entries land, so it cannot aim
 * collisions at one bucket to flush the cache.
 *
 * The table is set-associative: buckets of SIGCACHE_WAYS keys; a full
 * bucket evicts a slot chosen by the (unpredictable) key. Memory is fixed
 * at creation: max_bytes rounded down to a power of two of buckets.
 *
 * Locking: the buckets are split over SIGCACHE_STRIPES mutexes by bucket
 * index; each guards its buckets' slots and nothing else, and is held only
 * for one lookup or insert (never across a signature check or any other
 * lock), so it is a leaf in every lock order. All functions may be called
 * from any thread once sigcache_new has returned; sigcache_free must not
 * race with any other call.
 */
#ifndef BR_SIGCACHE_H
#define BR_SIGCACHE_H

#include <stddef.h>
#include <stdint.h>

#define SIGCACHE_WAYS 8
#define SIGCACHE_STRIPES 64
/* Core's -maxsigcachesize default is 32 MiB (shared with another cache). */
#define SIGCACHE_DEFAULT_BYTES (16u << 20)

struct sigcache;

/* max_bytes is clamped to at least one bucket per stripe. */
struct sigcache *sigcache_new(size_t max_bytes);
void sigcache_free(struct sigcache *sc);

/* Entry keys; pk and sig as they were verified (sig without hash type). */
void sigcache_key_ecdsa(const struct sigcache *sc, const uint8_t hash[32],
    const uint8_t *pk, size_t pklen, const uint8_t *sig, size_t siglen,
    uint8_t key[32]);
void sigcache_key_schnorr(const struct sigcache *sc, const uint8_t hash[32],
    const uint8_t pk[32], const uint8_t sig[64], uint8_t key[32]);

/* Returns 1 if key is cached; with erase a hit also removes it. */
int sigcache_lookup(struct sigcache *sc, const uint8_t key[32], int erase);
/* Adds key, evicting an older entry of its bucket when full. */
void sigcache_insert(struct sigcache *sc, const uint8_t key[32]);
/* Number of entries the table can hold. */
size_t sigcache_capacity(const struct sigcache *sc);

#endif
