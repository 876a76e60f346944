/*
 * RPC authentication as Bitcoin Core does it: HTTP Basic with either the
 * cookie (a random password written to <chaindir>/.cookie at start and
 * removed at stop) or -rpcuser/-rpcpassword, plus any number of
 * -rpcauth=USER:SALT$HMAC entries where HMAC is hex(HMAC-SHA256(key=SALT,
 * msg=PASSWORD)). Every comparison runs in time independent of where the
 * strings differ.
 *
 * The struct is built before the rpc thread starts and only read after, so
 * rpc_auth_check needs no lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/hash.h"
#include "rpc/rpc_int.h"
#include "util/args.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define COOKIE_USER "__cookie__"

struct rpc_auth {
	char *userpass; /* "user:pass" or the cookie's; NULL if none */
	char **entries; /* -rpcauth values, validated */
	size_t nentries;
	char *cookie_path; /* written by us, removed by rpc_auth_free */
};

/* Constant time in the content; the length of a is not secret. */
static int
ct_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i, acc = alen ^ blen;

	if (blen == 0)
		return alen == 0;
	for (i = 0; i < alen; i++)
		acc |= (size_t)((unsigned char)a[i] ^
		    (unsigned char)b[i % blen]);
	return acc == 0;
}

static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

char *
rpc_base64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), i, o = 0, pad = 0;
	uint32_t acc;
	char *out;
	int j, v;

	if (n % 4 != 0)
		return NULL;
	if (n >= 1 && s[n - 1] == '=')
		pad++;
	if (pad == 1 && n >= 2 && s[n - 2] == '=')
		pad++;
	out = xmalloc(n / 4 * 3 + 1);
	for (i = 0; i < n; i += 4) {
		acc = 0;
		for (j = 0; j < 4; j++) {
			if (s[i + j] == '=' && i + 4 == n && j >= 4 - (int)pad)
				v = 0;
			else if ((v = b64_value((unsigned char)s[i + j])) <
			    0) {
				free(out);
				return NULL;
			}
			acc = acc << 6 | (uint32_t)v;
		}
		out[o++] = (char)(acc >> 16);
		out[o++] = (char)(acc >> 8);
		out[o++] = (char)acc;
	}
	/* Strict: the bits under the padding must be zero (canonical form). */
	if ((pad == 1 && (acc & 0xff) != 0) ||
	    (pad == 2 && (acc & 0xffff) != 0)) {
		free(out);
		return NULL;
	}
	o -= pad;
	out[o] = '\0';
	if (len)
		*len = o;
	return out;
}

void
rpc_base64_encode(const void *p, size_t n, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const uint8_t *b = p;
	size_t i, o = 0;
	uint32_t acc;

	for (i = 0; i + 2 < n; i += 3) {
		acc = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 |
		    b[i + 2];
		out[o++] = tab[acc >> 18];
		out[o++] = tab[(acc >> 12) & 63];
		out[o++] = tab[(acc >> 6) & 63];
		out[o++] = tab[acc & 63];
	}
	if (n - i == 1) {
		acc = (uint32_t)b[i] << 16;
		out[o++] = tab[acc >> 18];
		out[o++] = tab[(acc >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		acc = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8;
		out[o++] = tab[acc >> 18];
		out[o++] = tab[(acc >> 12) & 63];
		out[o++] = tab[(acc >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

int
rpc_auth_entry_valid(const char *entry)
{
	const char *colon = strchr(entry, ':'), *dollar;

	/* Exactly one ':' and one '$' after it, as Core splits them. */
	if (colon == NULL || strchr(colon + 1, ':') != NULL)
		return -1;
	dollar = strchr(colon + 1, '$');
	if (dollar == NULL || strchr(dollar + 1, '$') != NULL)
		return -1;
	return 0;
}

int
rpc_auth_entry_matches(const char *entry, const char *user, const char *pass)
{
	const char *colon, *dollar, *salt, *want;
	uint8_t mac[32];
	char hex[65];
	size_t ulen, slen;
	int ok;

	if (rpc_auth_entry_valid(entry) == -1)
		return 0;
	colon = strchr(entry, ':');
	dollar = strchr(colon + 1, '$');
	ulen = (size_t)(colon - entry);
	salt = colon + 1;
	slen = (size_t)(dollar - salt);
	want = dollar + 1;
	/* Both comparisons always run, so timing does not reveal the user. */
	ok = ct_equal(user, strlen(user), entry, ulen);
	hmac_sha256(salt, slen, pass, strlen(pass), mac);
	hex_encode(mac, sizeof(mac), hex);
	ok &= ct_equal(hex, 64, want, strlen(want));
	return ok;
}

int
rpc_auth_check(const struct rpc_auth *au, const char *header, char **user)
{
	const char *p;
	char *up, *colon;
	size_t len, i;
	int ok = 0;

	if (header == NULL || strncmp(header, "Basic ", 6) != 0)
		return 0;
	p = header + 6;
	while (*p == ' ' || *p == '\t')
		p++;
	{
		/* Trailing blanks are trimmed too (Core's TrimString). */
		char *tmp = xstrdup(p);
		size_t n = strlen(tmp);

		while (n &&
		    (tmp[n - 1] == ' ' || tmp[n - 1] == '\t' ||
			tmp[n - 1] == '\r' || tmp[n - 1] == '\n'))
			tmp[--n] = '\0';
		up = rpc_base64_decode(tmp, &len);
		free(tmp);
	}
	if (up == NULL)
		return 0;
	if (strlen(up) != len || (colon = strchr(up, ':')) == NULL) {
		free(up);
		return 0;
	}
	if (au->userpass &&
	    ct_equal(up, len, au->userpass, strlen(au->userpass)))
		ok = 1;
	*colon = '\0';
	for (i = 0; i < au->nentries && !ok; i++)
		if (rpc_auth_entry_matches(au->entries[i], up, colon + 1))
			ok = 1;
	if (ok && user != NULL)
		*user = xstrdup(up);
	explicit_bzero(up, len);
	free(up);
	return ok;
}

char *
rpc_cookie_path(const struct args *a)
{
	const char *v = args_get(a, "rpccookiefile");

	if (v && (strcmp(v, "0") == 0 || *v == '\0'))
		return NULL;
	if (v == NULL)
		v = ".cookie";
	if (v[0] == '/')
		return xstrdup(v);
	return xasprintf("%s/%s", args_chaindir(a), v);
}

static int
write_cookie(const char *path, mode_t mode, const char *content)
{
	char *tmp = xasprintf("%s.tmp", path);
	size_t n = strlen(content);
	int fd;

	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd == -1) {
		log_warn("rpc: cannot create cookie %s", tmp);
		free(tmp);
		return -1;
	}
	/* The umask must not widen or narrow what -rpccookieperms asked. */
	if (fchmod(fd, mode) == -1 || write(fd, content, n) != (ssize_t)n ||
	    fsync(fd) == -1) {
		log_warn("rpc: cannot write cookie %s", tmp);
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		log_warn("rpc: cannot rename cookie to %s", path);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int
rpc_auth_init(const struct args *a, struct rpc_auth **out)
{
	struct rpc_auth *au = xcalloc(1, sizeof(*au));
	const char *const *vals;
	const char *pass = args_get(a, "rpcpassword");
	const char *user = args_get(a, "rpcuser");
	const char *perms = args_get(a, "rpccookieperms");
	uint8_t rnd[32];
	char hex[65];
	size_t n, i;
	mode_t mode = 0600;

	n = args_get_all(a, "rpcauth", &vals);
	au->entries = xcalloc(n ? n : 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		if (vals[i][0] == '\0')
			continue;
		if (rpc_auth_entry_valid(vals[i]) == -1) {
			log_warnx("Invalid -rpcauth argument.");
			rpc_auth_free(au);
			return -1;
		}
		au->entries[au->nentries++] = xstrdup(vals[i]);
	}
	if (pass && *pass) {
		log_info("Using rpcuser/rpcpassword authentication.");
		au->userpass = xasprintf("%s:%s", user ? user : "", pass);
		*out = au;
		return 0;
	}
	if (perms) {
		if (strcmp(perms, "owner") == 0)
			mode = 0600;
		else if (strcmp(perms, "group") == 0)
			mode = 0640;
		else if (strcmp(perms, "all") == 0)
			mode = 0644;
		else {
			log_warnx("Invalid -rpccookieperms=%s; must be one of "
				  "'owner', 'group', or 'all'.",
			    perms);
			rpc_auth_free(au);
			return -1;
		}
	}
	au->cookie_path = rpc_cookie_path(a);
	if (au->cookie_path == NULL) {
		log_info("RPC authentication cookie file generation is "
			 "disabled.");
		*out = au;
		return 0;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		fatal("rpc_auth_init: getrandom");
	hex_encode(rnd, sizeof(rnd), hex);
	au->userpass = xasprintf("%s:%s", COOKIE_USER, hex);
	if (write_cookie(au->cookie_path, mode, au->userpass) == -1) {
		free(au->cookie_path);
		au->cookie_path = NULL;
		rpc_auth_free(au);
		return -1;
	}
	log_info("Using random cookie authentication.");
	log_debug(LOG_RPC, "Generated RPC authentication cookie %s",
	    au->cookie_path);
	*out = au;
	return 0;
}

void
rpc_auth_free(struct rpc_auth *au)
{
	size_t i;

	if (au == NULL)
		return;
	if (au->cookie_path) {
		if (unlink(au->cookie_path) == -1 && errno != ENOENT)
			log_warn("rpc: cannot remove cookie %s",
			    au->cookie_path);
		free(au->cookie_path);
	}
	for (i = 0; i < au->nentries; i++)
		free(au->entries[i]);
	free(au->entries);
	if (au->userpass) {
		explicit_bzero(au->userpass, strlen(au->userpass));
		free(au->userpass);
	}
	free(au);
}
