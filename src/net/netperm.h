/*
 * Peer permissions, as Bitcoin Core's NetPermissions: -whitelist and
 * -whitebind take "perm1,perm2@ADDR"; without a '@' the implicit set
 * applies (relay, mempool, noban).
 *
 * Plain values and reentrant functions.
 */
#ifndef BR_NETPERM_H
#define BR_NETPERM_H

#include <stddef.h>
#include <stdint.h>

#include "net/netaddr.h"

#define PF_BLOOMFILTER (1u << 1)
#define PF_RELAY (1u << 3)
#define PF_FORCERELAY ((1u << 2) | PF_RELAY)
#define PF_DOWNLOAD (1u << 6)
#define PF_NOBAN ((1u << 4) | PF_DOWNLOAD)
#define PF_MEMPOOL (1u << 5)
#define PF_ADDR (1u << 7)
#define PF_ALL \
	(PF_BLOOMFILTER | PF_FORCERELAY | PF_RELAY | PF_NOBAN | PF_MEMPOOL | \
	    PF_DOWNLOAD | PF_ADDR)

/* Which connections a -whitelist entry applies to. */
#define PDIR_IN 1
#define PDIR_OUT 2

struct whitelist_entry {
	struct subnet sn;
	uint32_t flags;
	int dir;
};

/*
 * Splits "perms@rest": *flags and *dir from the permission list (or
 * implicit and PDIR_IN without '@'), *rest points after the '@'.
 * Returns 0, or -1 with a message in err (an unknown permission).
 */
int netperm_parse(const char *s, uint32_t implicit, uint32_t *flags, int *dir,
    const char **rest, char *err, size_t errlen);
/* Core's implicit set: mempool, noban, relay (-whitelistrelay), forcerelay
 * (-whitelistforcerelay). */
uint32_t netperm_implicit(int relay, int forcerelay);
/* Names of the flags in Core's order; returns how many (at most 7). */
size_t netperm_names(uint32_t flags, const char *names[7]);
int netperm_has(uint32_t flags, uint32_t want);

#endif
