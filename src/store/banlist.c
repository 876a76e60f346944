/*
 * banlist.json reader and writer (see banlist.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "store/banlist.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* The entry version Core writes and accepts. */
#define BANLIST_VERSION 1

/* The file's JSON for v[0..n) (a new reference). */
static json_t *
banlist_json(const struct banlist_entry *v, size_t n)
{
	json_t *root, *arr, *o;
	size_t i;

	root = json_object();
	arr = json_array();
	for (i = 0; i < n; i++) {
		o = json_object();
		json_object_set_new(o, "version",
		    json_integer(BANLIST_VERSION));
		json_object_set_new(o, "ban_created",
		    json_integer(v[i].created));
		json_object_set_new(o, "banned_until",
		    json_integer(v[i].until));
		json_object_set_new(o, "address", json_string(v[i].address));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "banned_nets", arr);
	return root;
}

char *
banlist_text(const struct banlist_entry *v, size_t n)
{
	json_t *root = banlist_json(v, n);
	char *s;

	s = json_dumps(root, JSON_INDENT(4));
	json_decref(root);
	if (s == NULL)
		fatalx("%s: out of memory", __func__);
	return s;
}

int
banlist_write(const char *path, const struct banlist_entry *v, size_t n)
{
	json_t *root;
	char *tmp;
	int rc = -1;

	root = banlist_json(v, n);
	tmp = xasprintf("%s.new", path);
	if (json_dump_file(root, tmp, JSON_INDENT(4)) == -1) {
		log_warnx("banlist: cannot write %s", tmp);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) == -1) {
		log_warn("banlist: rename %s", path);
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	json_decref(root);
	return rc;
}

/* The entries of a parsed file; takes root. 0, or -1 (logged). */
static int
banlist_from_json(json_t *root, const char *name, struct banlist_entry **out,
    size_t *n, size_t *skipped)
{
	json_t *arr, *o;
	struct banlist_entry *v;
	size_t i, k = 0;

	arr = json_object_get(root, "banned_nets");
	if (!json_is_array(arr)) {
		log_warnx("banlist: %s has no banned_nets array", name);
		json_decref(root);
		return -1;
	}
	v = xcalloc(json_array_size(arr) + 1, sizeof(*v));
	json_array_foreach (arr, i, o) {
		json_t *ver = json_object_get(o, "version");
		json_t *cr = json_object_get(o, "ban_created");
		json_t *un = json_object_get(o, "banned_until");
		json_t *ad = json_object_get(o, "address");

		if (!json_is_integer(ver) ||
		    json_integer_value(ver) != BANLIST_VERSION ||
		    !json_is_integer(cr) || !json_is_integer(un) ||
		    !json_is_string(ad) ||
		    json_string_length(ad) >= BANLIST_ADDR_MAX ||
		    strlen(json_string_value(ad)) != json_string_length(ad)) {
			/*
			 * An address with a NUL inside ("1.2.3.4\u0000x"):
			 * Core reads the file and LookupSubNet drops that
			 * entry alone. Read with JSON_ALLOW_NUL, it must be
			 * skipped here, or it would ban the text before the
			 * NUL.
			 */
			(*skipped)++;
			continue;
		}
		memcpy(v[k].address, json_string_value(ad),
		    json_string_length(ad) + 1);
		v[k].created = json_integer_value(cr);
		v[k].until = json_integer_value(un);
		k++;
	}
	json_decref(root);
	*out = v;
	*n = k;
	return 0;
}

int
banlist_read(const char *path, struct banlist_entry **out, size_t *n,
    size_t *skipped)
{
	json_error_t jerr;
	json_t *root;

	*out = NULL;
	*n = 0;
	*skipped = 0;
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 1;
	root = json_load_file(path, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    &jerr);
	if (root == NULL) {
		log_warnx("banlist: %s: %s (line %d)", path, jerr.text,
		    jerr.line);
		return -1;
	}
	return banlist_from_json(root, path, out, n, skipped);
}

int
banlist_parse(const char *text, size_t len, const char *name,
    struct banlist_entry **out, size_t *n, size_t *skipped)
{
	json_error_t jerr;
	json_t *root;

	*out = NULL;
	*n = 0;
	*skipped = 0;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    &jerr);
	if (root == NULL) {
		log_warnx("banlist: %s: %s (line %d)", name, jerr.text,
		    jerr.line);
		return -1;
	}
	return banlist_from_json(root, name, out, n, skipped);
}
