/*
 * Bans and discouragement (see banman.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/banman.h"
#include "store/banlist.h"
#include "util/htab.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define DKEYLEN (1 + NETADDR_MAXLEN)

struct dentry {
	uint8_t key[DKEYLEN];
};

struct banman {
	char *path;
	int64_t default_bantime;
	struct ban_entry *bans;
	size_t nbans, capbans;
	int dirty;
	/* Discouraged addresses: a set plus a ring that ages them out. */
	struct htab *disc;
	struct dentry **ring;
	size_t ring_head, ring_n;
};

struct banman *
banman_new(const char *path, int64_t default_bantime)
{
	struct banman *bm = xcalloc(1, sizeof(*bm));

	bm->path = xstrdup(path);
	bm->default_bantime = default_bantime > 0 ?
	    default_bantime :
	    DEFAULT_MISBEHAVING_BANTIME;
	bm->disc = htab_new(DKEYLEN, offsetof(struct dentry, key));
	bm->ring = xcalloc(DISCOURAGED_MAX, sizeof(*bm->ring));
	return bm;
}

void
banman_free(struct banman *bm)
{
	size_t i;

	if (bm == NULL)
		return;
	for (i = 0; i < bm->ring_n; i++)
		free(bm->ring[(bm->ring_head + i) % DISCOURAGED_MAX]);
	free(bm->ring);
	htab_free(bm->disc);
	free(bm->bans);
	free(bm->path);
	free(bm);
}

static void
sweep(struct banman *bm, int64_t now)
{
	size_t i, k = 0;

	/* As Core, a ban ending this second is still listed (not banning). */
	for (i = 0; i < bm->nbans; i++) {
		if (bm->bans[i].until >= now)
			bm->bans[k++] = bm->bans[i];
		else {
			char s[NETADDR_STRLEN];

			subnet_format(&bm->bans[i].sn, s, sizeof(s));
			log_debug(LOG_NET,
			    "Removed banned node address/subnet: %s", s);
			bm->dirty = 1;
		}
	}
	bm->nbans = k;
}

static struct ban_entry *
find_ban(struct banman *bm, const struct subnet *sn)
{
	size_t i;

	for (i = 0; i < bm->nbans; i++)
		if (subnet_eq(&bm->bans[i].sn, sn))
			return &bm->bans[i];
	return NULL;
}

int
banman_is_banned(struct banman *bm, const struct netaddr *a, int64_t now)
{
	size_t i;

	for (i = 0; i < bm->nbans; i++)
		if (bm->bans[i].until > now &&
		    subnet_match(&bm->bans[i].sn, a))
			return 1;
	return 0;
}

int
banman_is_banned_subnet(struct banman *bm, const struct subnet *sn,
    int64_t now)
{
	struct ban_entry *e = find_ban(bm, sn);

	return e != NULL && e->until > now;
}

/* Adds sn, or moves its expiry later (a new entry, as Core's). */
static void
put_ban(struct banman *bm, const struct subnet *sn, int64_t created,
    int64_t until)
{
	struct ban_entry *e = find_ban(bm, sn);

	if (e == NULL) {
		if (bm->nbans == bm->capbans) {
			bm->capbans = bm->capbans ? bm->capbans * 2 : 16;
			bm->bans = xreallocarray(bm->bans, bm->capbans,
			    sizeof(*bm->bans));
		}
		e = &bm->bans[bm->nbans++];
		e->sn = *sn;
	} else if (until <= e->until)
		return;
	e->created = created;
	e->until = until;
	bm->dirty = 1;
}

void
banman_ban(struct banman *bm, const struct subnet *sn, int64_t bantime,
    int absolute, int64_t now)
{
	if (bantime <= 0) {
		bantime = bm->default_bantime;
		absolute = 0;
	}
	put_ban(bm, sn, now, absolute ? bantime : now + bantime);
}

int
banman_unban(struct banman *bm, const struct subnet *sn)
{
	struct ban_entry *e = find_ban(bm, sn);

	if (e == NULL)
		return -1;
	*e = bm->bans[--bm->nbans];
	bm->dirty = 1;
	return 0;
}

void
banman_clear(struct banman *bm)
{
	bm->nbans = 0;
	bm->dirty = 1;
}

void
banman_sweep(struct banman *bm, int64_t now)
{
	sweep(bm, now);
}

const struct ban_entry *
banman_list(struct banman *bm, int64_t now, size_t *n)
{
	sweep(bm, now);
	*n = bm->nbans;
	return bm->bans;
}

static void
dkey(const struct netaddr *a, uint8_t key[DKEYLEN])
{
	memset(key, 0, DKEYLEN);
	netaddr_key(a, key);
}

void
banman_discourage(struct banman *bm, const struct netaddr *a)
{
	struct dentry *d;
	uint8_t key[DKEYLEN];

	dkey(a, key);
	if (htab_get(bm->disc, key))
		return;
	if (bm->ring_n == DISCOURAGED_MAX) {
		/* Full: the oldest discouragement is forgotten. */
		d = bm->ring[bm->ring_head];
		htab_del(bm->disc, d->key);
		free(d);
		bm->ring_head = (bm->ring_head + 1) % DISCOURAGED_MAX;
		bm->ring_n--;
	}
	d = xmalloc(sizeof(*d));
	memcpy(d->key, key, DKEYLEN);
	htab_put(bm->disc, d);
	bm->ring[(bm->ring_head + bm->ring_n) % DISCOURAGED_MAX] = d;
	bm->ring_n++;
}

int
banman_is_discouraged(struct banman *bm, const struct netaddr *a)
{
	uint8_t key[DKEYLEN];

	dkey(a, key);
	return htab_get(bm->disc, key) != NULL;
}

int
banman_save(struct banman *bm)
{
	struct banlist_entry *v;
	size_t i;
	int rc;

	if (!bm->dirty)
		return 0;
	v = xcalloc(bm->nbans ? bm->nbans : 1, sizeof(*v));
	for (i = 0; i < bm->nbans; i++) {
		subnet_format(&bm->bans[i].sn, v[i].address,
		    sizeof(v[i].address));
		v[i].created = bm->bans[i].created;
		v[i].until = bm->bans[i].until;
	}
	rc = banlist_write(bm->path, v, bm->nbans);
	free(v);
	if (rc == 0)
		bm->dirty = 0;
	return rc;
}

int
banman_load(struct banman *bm, int64_t now)
{
	struct banlist_entry *v;
	size_t n, i, bad;
	int rc;

	rc = banlist_read(bm->path, &v, &n, &bad);
	if (rc == 1)
		return 1;
	if (rc == -1) {
		log_warnx("banman: %s: starting with no bans", bm->path);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct subnet sn;

		if (subnet_parse(v[i].address, &sn) == -1) {
			bad++;
			continue;
		}
		if (find_ban(bm, &sn))
			continue;
		put_ban(bm, &sn, v[i].created, v[i].until);
	}
	free(v);
	if (bad)
		log_warnx("banman: %s: skipped %zu malformed entr%s", bm->path,
		    bad, bad == 1 ? "y" : "ies");
	sweep(bm, now);
	bm->dirty = 0;
	log_info("Loaded %zu banned node addresses/subnets", bm->nbans);
	return 0;
}
