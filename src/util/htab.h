/*
 * An open-addressing hash table of pointers to items that carry their own
 * fixed-length key (at a fixed offset inside the item). Keys come from
 * peers (block hashes, addresses), so buckets are chosen with SipHash under
 * a random key: a peer cannot aim for one chain of collisions.
 *
 * The table never owns the items. It is a plain value for one thread (the
 * net thread's tables, the mempool's); no locking.
 */
#ifndef BR_HTAB_H
#define BR_HTAB_H

#include "util/siphash.h"

#include <stddef.h>
#include <stdint.h>

struct htab;

/* Items hold keylen bytes of key at byte offset keyoff. */
struct htab *htab_new(size_t keylen, size_t keyoff);
void htab_free(struct htab *t);
void *htab_get(const struct htab *t, const void *key);
/* Adds item; returns -1 (and adds nothing) if its key is present. */
int htab_put(struct htab *t, void *item);
/* Removes and returns the item with key, or NULL. */
void *htab_del(struct htab *t, const void *key);
size_t htab_count(const struct htab *t);
/*
 * Iteration: start with *pos = 0; returns the next item or NULL at the
 * end. The table must not change during an iteration (collect first,
 * then delete).
 */
void *htab_next(const struct htab *t, size_t *pos);

/* A random 64-bit value from the kernel. */
uint64_t rand_u64(void);
/* Uniform in [0, n), n > 0 (a fast generator seeded from the kernel). */
uint64_t rand_range(uint64_t n);
/* Uniform in [0, 1). */
double rand_double(void);

#endif
