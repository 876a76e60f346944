/*
 * libFuzzer target for Miniscript (chain/miniscript.h) on its own, in both
 * contexts, with a table of hex keys.
 *
 * Input: a selector byte (bit 0: tapscript; bit 1: the rest is a script,
 * else text). Properties:
 *  - parsing and decoding never crash, whatever the bytes;
 *  - text that parses prints to text that parses to the same print, and
 *    compiles to a script of the computed size that (for a valid top-level
 *    tree) decodes to a tree compiling to the same script, of the same
 *    type (parse, print, parse; script, decode, script);
 *  - a script that decodes compiles back to exactly itself, and the
 *    decoded tree's text parses to a tree of the same script;
 *  - the sanity verdict of a tree is the same as that of its reparse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chain/miniscript.h"
#include "crypto/hash.h"
#include "util/hex.h"
#include "util/xmalloc.h"

#define FUZZ_NAME "fuzz_miniscript"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 8192

/* Keys as 33 bytes; in tapscript their text and pushes are x-only. */
struct keys {
	uint8_t (*k)[33];
	size_t n;
	enum ms_ctx ctx;
};

static int
add_key(struct keys *t, const uint8_t *k33)
{
	t->k = xreallocarray(t->k, t->n + 1, sizeof(*t->k));
	memcpy(t->k[t->n], k33, 33);
	return (int)t->n++;
}

static int
key_parse(void *arg, const char *s, size_t n)
{
	struct keys *t = arg;
	size_t want = t->ctx == MS_TAPSCRIPT ? 64 : 66;
	uint8_t k[33] = { 2 };
	char buf[67];

	if (n != want)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!hex_is_valid(buf) ||
	    hex_decode(buf, t->ctx == MS_TAPSCRIPT ? k + 1 : k, n / 2) !=
		(int)(n / 2) ||
	    (k[0] != 2 && k[0] != 3))
		return -1;
	return add_key(t, k);
}

static int
key_cmp(void *arg, size_t a, size_t b)
{
	struct keys *t = arg;

	return memcmp(t->k[a], t->k[b], 33);
}

static void
key_print(void *arg, size_t i, int is_hash, char **buf)
{
	struct keys *t = arg;
	size_t off = t->ctx == MS_TAPSCRIPT ? 1 : 0, old;
	char hex[67];

	(void)is_hash;
	hex_encode(t->k[i] + off, 33 - off, hex);
	old = *buf != NULL ? strlen(*buf) : 0;
	*buf = xrealloc(*buf, old + strlen(hex) + 1);
	memcpy(*buf + old, hex, strlen(hex) + 1);
}

/* Pushed keys map to the table (added when new); hashes to known keys. */
static int
key_bytes(void *arg, const uint8_t *p, size_t n, int is_hash)
{
	struct keys *t = arg;
	size_t off = t->ctx == MS_TAPSCRIPT ? 1 : 0, i;
	uint8_t k[33] = { 2 }, h[20];

	for (i = 0; i < t->n; i++) {
		if (is_hash) {
			hash160(t->k[i] + off, 33 - off, h);
			if (n == 20 && memcmp(h, p, 20) == 0)
				return (int)i;
		} else if (n == 33 - off && memcmp(t->k[i] + off, p, n) == 0)
			return (int)i;
	}
	if (is_hash || n != 33 - off)
		return -1;
	memcpy(k + off, p, n);
	if (k[0] != 2 && k[0] != 3)
		return -1;
	return add_key(t, k);
}

static struct ms_keyops
keyops(struct keys *t)
{
	struct ms_keyops ko = { t, key_parse, key_cmp, key_print };

	return ko;
}

/* The tree's script decodes and compiles back to itself. */
static void
script_round_trip(const struct ms_node *n, struct keys *t)
{
	struct ms_node *d;
	uint8_t *s, *s2;
	size_t len, len2;
	int valid;

	s = ms_compile(n, (const uint8_t(*)[33])t->k, &len);
	PROP(len == n->script_size);
	d = ms_decode(s, len, n->ctx, key_bytes, t, key_cmp);
	/* Every valid top-level tree's script decodes, to the same type. */
	valid = ms_is_valid(n) && (n->type & MS_T_B);
	PROP(d != NULL || !valid);
	if (d != NULL) {
		s2 = ms_compile(d, (const uint8_t(*)[33])t->k, &len2);
		PROP(len2 == len && memcmp(s, s2, len) == 0);
		/* n:s:X and s:n:X share a script; only one is valid. */
		PROP(d->type == n->type || !valid);
		free(s2);
		ms_free(d);
	}
	free(s);
}

static void
from_text(const char *s, enum ms_ctx ctx)
{
	struct keys t = { NULL, 0, ctx }, t2 = { NULL, 0, ctx };
	struct ms_keyops ko = keyops(&t), ko2 = keyops(&t2);
	struct ms_node *n, *n2;
	char *str, *str2;

	n = ms_parse(s, strlen(s), ctx, &ko);
	if (n == NULL)
		goto out;
	str = ms_to_string(n, &ko);
	n2 = ms_parse(str, strlen(str), ctx, &ko2);
	PROP(n2 != NULL);
	str2 = ms_to_string(n2, &ko2);
	PROP(strcmp(str, str2) == 0);
	PROP(n2->type == n->type && n2->script_size == n->script_size);
	PROP(ms_is_sane(n) == ms_is_sane(n2));
	script_round_trip(n, &t);
	free(str);
	free(str2);
	ms_free(n2);
	ms_free(n);
out:
	free(t.k);
	free(t2.k);
}

static void
from_script(const uint8_t *s, size_t len, enum ms_ctx ctx)
{
	struct keys t = { NULL, 0, ctx }, t2 = { NULL, 0, ctx };
	struct ms_keyops ko = keyops(&t), ko2 = keyops(&t2);
	struct ms_node *n, *n2;
	uint8_t *s2;
	size_t len2;
	char *str;

	n = ms_decode(s, len, ctx, key_bytes, &t, key_cmp);
	if (n == NULL)
		goto out;
	s2 = ms_compile(n, (const uint8_t(*)[33])t.k, &len2);
	PROP(len2 == len && memcmp(s, s2, len) == 0);
	free(s2);
	str = ms_to_string(n, &ko);
	n2 = ms_parse(str, strlen(str), ctx, &ko2);
	PROP(n2 != NULL);
	s2 = ms_compile(n2, (const uint8_t(*)[33])t2.k, &len2);
	PROP(len2 == len && memcmp(s, s2, len) == 0);
	free(s2);
	free(str);
	ms_free(n2);
	ms_free(n);
out:
	free(t.k);
	free(t2.k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum ms_ctx ctx;
	char *s;

	if (size < 1 || size - 1 > MAX_INPUT)
		return 0;
	ctx = (data[0] & 1) ? MS_TAPSCRIPT : MS_P2WSH;
	if (data[0] & 2) {
		from_script(data + 1, size - 1, ctx);
		return 0;
	}
	s = xmalloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	from_text(s, ctx);
	free(s);
	return 0;
}
