/*
 * Bans and discouragement, as Bitcoin Core's BanMan.
 *
 * Manual bans (setban, -bantime) cover subnets, expire, and are persisted
 * in <chaindir>/banlist.json in Core's format. Discouragement is what
 * misbehaviour earns: the address goes into a bounded set (the oldest
 * entries fall out past DISCOURAGED_MAX); discouraged peers may still
 * connect while inbound slots are free and are the first to be evicted.
 *
 * Threads: owned by the net thread; no lock. Times are node time.
 */
#ifndef BR_BANMAN_H
#define BR_BANMAN_H

#include <stddef.h>
#include <stdint.h>

#include "net/netaddr.h"

#define DEFAULT_MISBEHAVING_BANTIME (24 * 3600)
#define DISCOURAGED_MAX 50000

struct banman;

struct ban_entry {
	struct subnet sn;
	int64_t created;
	int64_t until;
};

/* path: the banlist.json to load from and save to. */
struct banman *banman_new(const char *path, int64_t default_bantime);
void banman_free(struct banman *bm);
/* 0, 1 if there is no file, -1 if it is malformed (logged; starts empty). */
int banman_load(struct banman *bm, int64_t now);
/* Writes the file atomically if anything changed. 0 or -1 (logged). */
int banman_save(struct banman *bm);
/*
 * Drops the bans expired at now (Core's SweepBanned); the next
 * banman_save writes the file if that removed any.
 */
void banman_sweep(struct banman *bm, int64_t now);

int banman_is_banned(struct banman *bm, const struct netaddr *a, int64_t now);
/* Whether exactly this subnet is banned (setban's "already banned"). */
int banman_is_banned_subnet(struct banman *bm, const struct subnet *sn,
    int64_t now);
/* bantime 0: the default; absolute: bantime is the expiry time. */
void banman_ban(struct banman *bm, const struct subnet *sn, int64_t bantime,
    int absolute, int64_t now);
/* -1 if sn was not banned. */
int banman_unban(struct banman *bm, const struct subnet *sn);
void banman_clear(struct banman *bm);
/* Drops expired bans, then returns the rest (array owned by the banman,
 * valid until the next call). */
const struct ban_entry *banman_list(struct banman *bm, int64_t now, size_t *n);

void banman_discourage(struct banman *bm, const struct netaddr *a);
int banman_is_discouraged(struct banman *bm, const struct netaddr *a);

#endif
