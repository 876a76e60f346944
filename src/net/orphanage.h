/*
 * The orphanage: transactions whose parents we have not seen, kept until
 * the parents arrive, as Core's TxOrphanage. Entries are keyed by wtxid and
 * indexed by the parent txids they miss, so that a parent entering the
 * mempool finds its waiting children at once.
 *
 * Bounds (Core's defaults): at most ORPHAN_MAX entries, each at most
 * ORPHAN_MAX_WEIGHT; an entry expires ORPHAN_EXPIRE_S after it arrived;
 * when full, a random entry is evicted (a peer cannot choose which of the
 * others' orphans it pushes out). An entry remembers every peer that sent
 * it (at most ORPHAN_MAX_ANNOUNCERS); erasing a peer drops it from them and
 * drops the entries nobody else announced.
 *
 * A plain value owned by one thread (the net thread); no locking. The
 * struct orphan pointers it hands out are valid until the next call that
 * changes the orphanage.
 */
#ifndef BR_ORPHANAGE_H
#define BR_ORPHANAGE_H

#include <stddef.h>
#include <stdint.h>

#define ORPHAN_MAX 100
#define ORPHAN_MAX_WEIGHT 400000
#define ORPHAN_EXPIRE_S (20 * 60)
#define ORPHAN_MAX_ANNOUNCERS 8
/* Parents an orphan may miss: Core bounds them by its inputs; so do we. */
#define ORPHAN_MAX_PARENTS 2500

struct orphanage;

/* Read-only to callers. */
struct orphan {
	uint8_t wtxid[32]; /* the key */
	uint8_t txid[32];
	uint8_t *raw; /* serialization with witness */
	size_t len;
	size_t weight;
	int64_t expire;			      /* node time, s */
	uint64_t from[ORPHAN_MAX_ANNOUNCERS]; /* first: the original sender */
	size_t nfrom;
	uint8_t (*parents)[32]; /* missing parent txids */
	size_t nparents;
	size_t pos; /* index in the orphanage's array */
};

/* What orphanage_add did. */
#define ORPHAN_ADDED 0
#define ORPHAN_ANNOUNCER 1  /* known: the peer was added to from[] */
#define ORPHAN_EEXISTS (-1) /* known, from that peer already */
#define ORPHAN_ETOOBIG (-2) /* over ORPHAN_MAX_WEIGHT */
#define ORPHAN_EINVAL (-3)  /* no parents, or too many */

/* A new orphanage holding at most ORPHAN_MAX entries. */
struct orphanage *orphanage_new(void);
/* Changes the entry limit (-maxorphantx); 0 keeps no orphan at all. */
void orphanage_set_max(struct orphanage *o, size_t max);
void orphanage_free(struct orphanage *o);

/*
 * Adds a transaction (raw copied) announced by peer, missing the nparents
 * txids in parents (duplicates are folded). A known wtxid gets the peer as
 * one more announcer and its parent list replaced. When the orphanage is
 * over its limit afterwards, random entries other than this one are
 * evicted (this one too when the limit is 0); *evicted (may be NULL)
 * counts them.
 */
int orphanage_add(struct orphanage *o, uint64_t peer, const uint8_t txid[32],
    const uint8_t wtxid[32], const uint8_t *raw, size_t len, size_t weight,
    const uint8_t (*parents)[32], size_t nparents, int64_t now,
    size_t *evicted);
const struct orphan *orphanage_get(const struct orphanage *o,
    const uint8_t wtxid[32]);
/* 0, or -1 if not there. */
int orphanage_erase(struct orphanage *o, const uint8_t wtxid[32]);
/* Drops peer from every entry; returns how many entries went with it. */
size_t orphanage_erase_peer(struct orphanage *o, uint64_t peer);
/* Drops entries whose time has come; returns how many. */
size_t orphanage_expire(struct orphanage *o, int64_t now);
/*
 * Orphans waiting on parent txid: up to max wtxids copied to out (copies,
 * because resubmitting them may change the orphanage). Returns the count
 * written.
 */
size_t orphanage_children(const struct orphanage *o, const uint8_t txid[32],
    uint8_t (*out)[32], size_t max);
size_t orphanage_count(const struct orphanage *o);
/* The i-th entry, i < orphanage_count (order unspecified). */
const struct orphan *orphanage_at(const struct orphanage *o, size_t i);

#endif
