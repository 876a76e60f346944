/*
 * The address manager: addresses of possible peers in a "new" table
 * (heard of) and a "tried" table (connected to at least once), bucketed as
 * Bitcoin Core's addrman so that one source cannot fill the tables:
 * 1024 new buckets and 256 tried buckets of 64 positions, bucket and
 * position chosen by a keyed hash of the address's group and its source's
 * group. Persisted in <chaindir>/peers.dat (our own format, checksummed).
 *
 * Threads: owned by the net thread; no lock. All times are node time in
 * seconds (mock time in tests).
 */
#ifndef BR_ADDRMAN_H
#define BR_ADDRMAN_H

#include <stddef.h>
#include <stdint.h>

#include "net/netaddr.h"
#include "net/protocol.h"

#define ADDRMAN_NEW_BUCKET_COUNT 1024
#define ADDRMAN_TRIED_BUCKET_COUNT 256
#define ADDRMAN_BUCKET_SIZE 64

struct addrman;

/*
 * An empty manager with a fresh random key, or, when deterministic
 * (-test=addrman, as Core's), a fixed key and generator so that tests
 * see the same buckets and choices on every run.
 */
struct addrman *addrman_new(int deterministic);
void addrman_free(struct addrman *am);
/*
 * Replaces the contents with the file's. Returns 0, 1 if the file does not
 * exist (nothing changed), or -1 if it is corrupt (logged, nothing
 * changed: the caller starts empty and overwrites it on the next save).
 */
int addrman_load(struct addrman *am, const char *path);
/* addrman_load on the file's bytes data[0..len); path names it in the log. */
int addrman_load_buf(struct addrman *am, const uint8_t *data, size_t len,
    const char *path);
/* Writes path atomically (temporary file, fsync, rename). 0 or -1 (logged). */
int addrman_save(const struct addrman *am, const char *path);
/* Appends the bytes addrman_save writes to w. */
void addrman_serialize(const struct addrman *am, struct wbuf *w);

/*
 * Adds addresses heard from source, their times aged by time_penalty
 * seconds. Only routable addresses are kept. Returns how many were new.
 */
size_t addrman_add(struct addrman *am, const struct addr_entry *a, size_t n,
    const struct netaddr *source, int64_t time_penalty, int64_t now);
/*
 * We completed a handshake with s: moves it to the tried table. Returns 0,
 * or -1 if it is unknown or a tried slot holds a recently good address.
 */
int addrman_good(struct addrman *am, const struct service *s, int64_t now);
/* A connection attempt to s; count_failure for automatic attempts. */
void addrman_attempt(struct addrman *am, const struct service *s,
    int count_failure, int64_t now);
/* s was connected until now: refreshes its time (at most every 20 min). */
void addrman_connected(struct addrman *am, const struct service *s,
    int64_t now);
void addrman_set_services(struct addrman *am, const struct service *s,
    uint64_t services);
/* When s was last tried (node time), 0 if never or unknown. */
int64_t addrman_last_try(const struct addrman *am, const struct service *s);
/*
 * Picks an address to connect to, tried or new at random (new_only: new
 * only), favouring ones not tried recently. 0, or -1 when empty.
 */
int addrman_select(struct addrman *am, int new_only, int64_t now,
    struct addr_entry *out);
/*
 * Up to max addresses (max_pct percent of all when non-zero), in random
 * order, not terrible, of class cls (-1: any). Returns the count written.
 */
size_t addrman_get_addr(struct addrman *am, size_t max, size_t max_pct,
    int cls, int64_t now, struct addr_entry *out);
/*
 * Which of the classes in mask (bits 1 << enum net_class) have an entry;
 * the walk stops once all are found.
 */
unsigned addrman_classes(const struct addrman *am, unsigned mask);
/* Entries of class cls (-1 any) in the new (which 1), tried (0) or both (-1). */
size_t addrman_size(const struct addrman *am, int cls, int which);
/* One position of a table, as getrawaddrman lists it. */
struct addrman_slot {
	int bucket, position;
	struct addr_entry a;   /* the address, its services and time */
	struct netaddr source; /* who told us of it */
};
/*
 * Calls fn for every occupied position of the new (tried 0) or tried
 * (tried 1) table, bucket by bucket and position by position.
 */
void addrman_walk(const struct addrman *am, int tried,
    void (*fn)(const struct addrman_slot *, void *), void *arg);
/* Verifies the internal invariants (tests). 0 or -1. */
int addrman_check(const struct addrman *am);

#endif
