/*
 * Peer permissions (see netperm.h).
 */
#include <stdio.h>
#include <string.h>

#include "net/netperm.h"

static const struct {
	const char *name;
	uint32_t flag;
} perms[] = {
	{ "bloomfilter", PF_BLOOMFILTER },
	{ "noban", PF_NOBAN },
	{ "forcerelay", PF_FORCERELAY },
	{ "relay", PF_RELAY },
	{ "mempool", PF_MEMPOOL },
	{ "download", PF_DOWNLOAD },
	{ "addr", PF_ADDR },
};

int
netperm_has(uint32_t flags, uint32_t want)
{
	return (flags & want) == want;
}

int
netperm_parse(const char *s, uint32_t implicit, uint32_t *flags, int *dir,
    const char **rest, char *err, size_t errlen)
{
	const char *at = strchr(s, '@'), *p, *end;
	char tok[32];
	size_t i, len;

	*flags = 0;
	*dir = 0;
	if (at == NULL) {
		*flags = implicit;
		*dir = PDIR_IN;
		*rest = s;
		return 0;
	}
	for (p = s; p < at; p = end + 1) {
		end = memchr(p, ',', (size_t)(at - p));
		if (end == NULL)
			end = at;
		len = (size_t)(end - p);
		if (len >= sizeof(tok)) {
			snprintf(err, errlen, "Invalid P2P permission: '%.*s'",
			    (int)len, p);
			return -1;
		}
		memcpy(tok, p, len);
		tok[len] = '\0';
		if (len == 0)
			continue;
		if (strcmp(tok, "all") == 0) {
			*flags |= PF_ALL;
			continue;
		}
		if (strcmp(tok, "in") == 0) {
			*dir |= PDIR_IN;
			continue;
		}
		if (strcmp(tok, "out") == 0) {
			*dir |= PDIR_OUT;
			continue;
		}
		for (i = 0; i < sizeof(perms) / sizeof(perms[0]); i++)
			if (strcmp(tok, perms[i].name) == 0)
				break;
		if (i == sizeof(perms) / sizeof(perms[0])) {
			snprintf(err, errlen, "Invalid P2P permission: '%s'",
			    tok);
			return -1;
		}
		*flags |= perms[i].flag;
	}
	if (*dir == 0)
		*dir = PDIR_IN;
	*rest = at + 1;
	return 0;
}

size_t
netperm_names(uint32_t flags, const char *names[7])
{
	size_t i, n = 0;

	for (i = 0; i < sizeof(perms) / sizeof(perms[0]); i++)
		if (netperm_has(flags, perms[i].flag))
			names[n++] = perms[i].name;
	return n;
}

uint32_t
netperm_implicit(int relay, int forcerelay)
{
	uint32_t f = PF_MEMPOOL | PF_NOBAN;

	if (relay)
		f |= PF_RELAY;
	if (forcerelay)
		f |= PF_FORCERELAY;
	return f;
}
