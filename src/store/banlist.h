/*
 * banlist.json, the manual ban list on disk, in Bitcoin Core's format:
 *
 *   { "banned_nets": [ { "version": 1, "ban_created": T, "banned_until": T,
 *                        "address": "1.2.3.0/24" }, ... ] }
 *
 * Only the file codec: the entries are plain values; what an address
 * means is the ban manager's business (net/banman.c). Any thread; no
 * state.
 */
#ifndef BR_BANLIST_H
#define BR_BANLIST_H

#include <stddef.h>
#include <stdint.h>

/* Longest address text kept; longer ones are malformed entries. */
#define BANLIST_ADDR_MAX 128

struct banlist_entry {
	char address[BANLIST_ADDR_MAX]; /* subnet text as written */
	int64_t created;		/* UNIX time */
	int64_t until;			/* UNIX time */
};

/*
 * Reads path. Returns 0 with *out (xmalloc'd, the caller frees it) and
 * *n, 1 when there is no file (*out NULL, *n 0), or -1 when the file is
 * not a ban list (logged). Entries that are not version 1 with integer
 * times and a string address are skipped, and counted in *skipped.
 */
int banlist_read(const char *path, struct banlist_entry **out, size_t *n,
    size_t *skipped);
/*
 * The same for the file's text[0..len) (no NUL needed); name is used in
 * the log lines. Returns 0 or -1 as banlist_read.
 */
int banlist_parse(const char *text, size_t len, const char *name,
    struct banlist_entry **out, size_t *n, size_t *skipped);
/* The file's text for v[0..n) as banlist_write writes it; free() it. */
char *banlist_text(const struct banlist_entry *v, size_t n);
/* Writes path atomically (path.new, then rename). 0 or -1 (logged). */
int banlist_write(const char *path, const struct banlist_entry *v, size_t n);

#endif
