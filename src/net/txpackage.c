/*
 * One-parent-one-child package relay (Core 28's opportunistic 1p1c): a
 * transaction the mempool refused for its fee rate alone (reconsiderable)
 * is tried again together with a child of it waiting in the orphanage.
 * The pair goes to the mempool thread as one typed message
 * (mempool_submit_package); its verdicts come back as for single
 * transactions, plus NETQ_PACKAGE_REJECTED when the pair failed, whose
 * hash then keeps it from being tried again until the tip changes.
 *
 * Children announced by the parent's own sender are preferred, newest
 * first (an attacker's many fake children cannot crowd out the honest
 * one); then those from other peers, in random order.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "mempool/mempool.h"
#include "net/net_int.h"
#include "net/orphanage.h"
#include "net/txrelay_int.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Core's GetPackageHash for two: SHA256 of the wtxids in ascending order. */
static void
package_hash(const uint8_t a[32], const uint8_t b[32], uint8_t out[32])
{
	struct sha256_ctx c;

	if (hash_cmp_hex(b, a) < 0) {
		const uint8_t *x = a;

		a = b;
		b = x;
	}
	sha256_init(&c);
	sha256_update(&c, a, 32);
	sha256_update(&c, b, 32);
	sha256_final(&c, out);
}

static int
announced_by(const struct orphan *o, uint64_t peer)
{
	size_t i;

	for (i = 0; i < o->nfrom; i++)
		if (o->from[i] == peer)
			return 1;
	return 0;
}

/* Not tried before (or tried, but the tip moved since). */
static int
untried(struct txrelay *t, const uint8_t parent_wtxid[32],
    const struct orphan *o)
{
	uint8_t h[32];

	package_hash(parent_wtxid, o->wtxid, h);
	return !txrelay_reconsiderable(t, h);
}

/* Core's Find1P1CPackage: the child to try with this parent, or NULL. */
static const struct orphan *
find_child(struct txrelay *t, const uint8_t txid[32], const uint8_t wtxid[32],
    uint64_t peer)
{
	const struct orphan *o, *best = NULL, **others;
	uint8_t(*kids)[32];
	size_t i, k, nothers = 0, max = orphanage_count(t->orphans);

	if (max == 0)
		return NULL;
	kids = xreallocarray(NULL, max, sizeof(*kids));
	others = xreallocarray(NULL, max, sizeof(*others));
	k = orphanage_children(t->orphans, txid, kids, max);
	for (i = 0; i < k; i++) {
		if ((o = orphanage_get(t->orphans, kids[i])) == NULL ||
		    !untried(t, wtxid, o))
			continue;
		if (!announced_by(o, peer))
			others[nothers++] = o;
		/* The newest arrived last and expires last. */
		else if (best == NULL || o->expire > best->expire)
			best = o;
	}
	if (best == NULL && nothers > 0)
		best = others[rand_range(nothers)];
	free(kids);
	free(others);
	return best;
}

void
txpkg_try(struct net *n, uint64_t peer, const uint8_t txid[32],
    const uint8_t wtxid[32], const uint8_t *raw, size_t len)
{
	struct txrelay *t = n->tx;
	const struct orphan *o;
	uint64_t peers[2];
	const uint8_t *raws[2];
	size_t lens[2];
	char a[65], b[65];

	if ((o = find_child(t, txid, wtxid, peer)) == NULL) {
		hash_to_hex(txid, a);
		log_debug(LOG_MEMPOOL,
		    "no child of reconsiderable tx %s in "
		    "the orphanage",
		    a);
		return;
	}
	peers[0] = peer;
	peers[1] = announced_by(o, peer) ? peer : o->from[0];
	raws[0] = raw;
	raws[1] = o->raw;
	lens[0] = len;
	lens[1] = o->len;
	hash_to_hex(wtxid, a);
	hash_to_hex(o->wtxid, b);
	log_debug(LOG_MEMPOOL,
	    "trying package of parent %s (peer=%llu) + "
	    "child %s (peer=%llu)",
	    a, (unsigned long long)peers[0], b, (unsigned long long)peers[1]);
	/* A full queue: the pair is tried again when the parent comes back. */
	if (mempool_submit_package(t->mp, peers, raws, lens) != 0)
		log_debug(LOG_MEMPOOL,
		    "mempool queue full, package of %s "
		    "dropped",
		    a);
	else
		peer_tx_submitted(n, peer); /* tx_done names peers[0] */
}

void
txrelay_on_package_rejected(struct net *n, const uint8_t *d, size_t len)
{
	uint8_t h[32];

	if (len != 64)
		fatalx("net queue: bad package_rejected");
	if (n->tx == NULL)
		return;
	package_hash(d, d + 32, h);
	txrelay_reconsider_add(n->tx, h);
}
