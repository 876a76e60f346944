/*
 * Config files, as Core reads bitcoin.conf: "key=value" lines, '#' starts a
 * comment anywhere on a line, blanks around keys and values are dropped,
 * "[name]" starts a section (main, test, testnet4, signet, regtest) and
 * "name.key=value" puts one key in a section. "nokey=1" negates. The main
 * file may name others with includeconf=, read after it, relative to the
 * datadir; an included file cannot include further.
 *
 * Unknown keys and sections are warnings (a config shared with a newer
 * Core must not stop the node); a line that cannot be read stops start-up
 * with the file and line.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/args_int.h"
#include "util/file.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* A config file is small; anything bigger is a mistake (a wrong -conf). */
#define CONF_MAX_BYTES (16 * 1024 * 1024)

static const char *const known_sections[] = {
	"main",
	"test",
	"testnet4",
	"signet",
	"regtest",
};

static int
section_known(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(known_sections) / sizeof(known_sections[0]);
	     i++)
		if (strcmp(s, known_sections[i]) == 0)
			return 1;
	return 0;
}

/* Makes path absolute against base (the cwd when base is NULL). */
static char *
abs_path(const char *path, const char *base)
{
	char cwd[4096];
	char *p;
	size_t n;

	if (path[0] == '/')
		p = xstrdup(path);
	else if (base != NULL)
		p = xasprintf("%s/%s", base, path);
	else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			fatal("getcwd");
		p = xasprintf("%s/%s", cwd, path);
	}
	/* "dir/" and "dir" are the same directory; keep "/" */
	n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	return p;
}

int
args_find_datadir(struct args *a, char *err, size_t errlen)
{
	const char *v = args_get(a, "datadir"), *home;
	struct passwd *pw;
	struct stat st;
	char *dir;

	if (v != NULL && *v != '\0') {
		dir = abs_path(v, NULL);
		if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
			errbuf_printf(err, errlen,
			    "Specified data directory "
			    "\"%s\" does not exist.",
			    v);
			free(dir);
			return -1;
		}
	} else {
		home = getenv("HOME");
		if (home == NULL || *home == '\0') {
			pw = getpwuid(getuid());
			home = pw ? pw->pw_dir : NULL;
		}
		if (home == NULL || *home == '\0') {
			errbuf_printf(err, errlen,
			    "Cannot find the home directory "
			    "for the default data directory; use -datadir.");
			return -1;
		}
		dir = abs_path(".bitroot", home);
	}
	free(a->datadir);
	a->datadir = dir;
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s &&
	    (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

static const char *
keep_file(struct args *a, const char *path)
{
	a->files = xreallocarray(a->files, a->nfiles + 1, sizeof(*a->files));
	a->files[a->nfiles] = xstrdup(path);
	return a->files[a->nfiles++];
}

/*
 * One "key=value" line: key is the name with its section prefix, if any.
 * Returns 0, or -1 with err (without the file and line).
 */
static int
conf_option(struct args *a, char *key, int dotted, const char *value,
    const char *file, int line, int top, char *err, size_t errlen)
{
	const struct arg_def *d;
	const char *section = "", *out;
	char *name = key, *dot;
	int idx, negated = 0, neg;

	if ((dot = strchr(key, '.')) != NULL) {
		*dot = '\0';
		section = key;
		name = dot + 1;
		/* a [section] header was checked already */
		if (dotted && !section_known(section))
			args_warn(a, "%s:%d Section [%s] is not recognized.",
			    file, line, section);
	}
	idx = args_lookup_for(a, name);
	if (idx == -1 && strncmp(name, "no", 2) == 0 &&
	    (idx = args_lookup_for(a, name + 2)) != -1)
		negated = 1;
	if (idx == -1) {
		if (dot)
			*dot = '.';
		args_warn(a, "Ignoring unknown configuration value %s (%s:%d)",
		    key, file, line);
		return 0;
	}
	d = arg_def_at(idx);
	if (d->flags & ARG_CMDLINE) {
		errbuf_printf(err, errlen,
		    "%s cannot be set in the configuration "
		    "file; use includeconf= if you want to include additional "
		    "config files",
		    d->name);
		return -1;
	}
	if ((d->flags & ARG_CONFONLY) && !top) {
		/* Core says it on stderr only; debug.log gets it as well. */
		fprintf(stderr,
		    "warning: -%s cannot be used from included "
		    "files; ignoring -%s=%s\n",
		    d->name, d->name, value);
		args_warn(a,
		    "-%s cannot be used from included files; "
		    "ignoring -%s=%s",
		    d->name, d->name, value);
		return 0;
	}
	if (args_interpret(a, d, value, negated, &out, &neg, err, errlen) ==
	    -1)
		return -1;
	if (strcmp(d->name, "reindex") == 0 && !neg && strcmp(out, "0") != 0)
		args_warn(a,
		    "reindex=1 is set in the configuration file, "
		    "which rebuilds the indexes at every start-up; remove it "
		    "once the rebuild is done");
	args_add_value(&a->conf[idx], out, neg, section, file, line);
	return 0;
}

/*
 * Parses a config file's text (buf[len] must be '\0'; the text is changed)
 * into a->conf; path names it in messages. top: the main file (which may
 * use includeconf). Errors carry the file and line.
 */
int
args_conf_parse(struct args *a, char *buf, size_t len, const char *path,
    int top, char *err, size_t errlen)
{
	char *p, *nl, *line, *hash, *eq, *key, *value, *full;
	char *section = xstrdup("");
	const char *file = keep_file(a, path);
	char msg[512];
	int lineno = 0, used_hash, rc = -1;

	for (p = buf; p < buf + len; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
			nl = buf + len;
		*nl = '\0';
		if (strlen(p) != (size_t)(nl - p)) {
			errbuf_printf(err, errlen,
			    "parse error on line %d: the "
			    "line contains a NUL byte (%s:%d)",
			    lineno, file, lineno);
			goto out;
		}
		used_hash = 0;
		if ((hash = strchr(p, '#')) != NULL) {
			*hash = '\0';
			used_hash = 1;
		}
		line = trim(p);
		if (*line == '\0')
			continue;
		if (line[0] == '[' && line[strlen(line) - 1] == ']') {
			line[strlen(line) - 1] = '\0';
			free(section);
			section = xstrdup(line + 1);
			if (!section_known(section))
				args_warn(a,
				    "%s:%d Section [%s] is not "
				    "recognized.",
				    file, lineno, section);
			continue;
		}
		if (line[0] == '-') {
			errbuf_printf(err, errlen,
			    "parse error on line %d: %s, "
			    "options in configuration file must be specified "
			    "without leading - (%s:%d)",
			    lineno, line, file, lineno);
			goto out;
		}
		if ((eq = strchr(line, '=')) == NULL) {
			if (strncmp(line, "no", 2) == 0)
				errbuf_printf(err, errlen,
				    "parse error on line "
				    "%d: %s, if you intended to specify a "
				    "negated option, use %s=1 instead (%s:%d)",
				    lineno, line, line, file, lineno);
			else
				errbuf_printf(err, errlen,
				    "parse error on line "
				    "%d: %s (%s:%d)",
				    lineno, line, file, lineno);
			goto out;
		}
		*eq = '\0';
		key = trim(line);
		value = trim(eq + 1);
		if (*key == '\0') {
			errbuf_printf(err, errlen,
			    "parse error on line %d: =%s, "
			    "the option name is missing (%s:%d)",
			    lineno, value, file, lineno);
			goto out;
		}
		full = *section ? xasprintf("%s.%s", section, key) :
				  xstrdup(key);
		if (used_hash && strstr(full, "rpcpassword") != NULL) {
			errbuf_printf(err, errlen,
			    "parse error on line %d, using "
			    "# in rpcpassword can be ambiguous and should be "
			    "avoided (%s:%d)",
			    lineno, file, lineno);
			free(full);
			goto out;
		}
		if (conf_option(a, full, strchr(key, '.') != NULL, value, file,
			lineno, top, msg, sizeof(msg)) == -1) {
			errbuf_printf(err, errlen, "%s (%s:%d)", msg, file,
			    lineno);
			free(full);
			goto out;
		}
		free(full);
	}
	rc = 0;
out:
	free(section);
	return rc;
}

/* Reads one config file; top: the main file (which may use includeconf). */
static int
conf_read_file(struct args *a, const char *path, int top, char *err,
    size_t errlen)
{
	uint8_t *buf;
	size_t len;
	int rc;

	if (file_read_all(path, CONF_MAX_BYTES, &buf, &len) != 0) {
		errbuf_printf(err, errlen, "could not read \"%s\": %s", path,
		    strerror(errno));
		return -1;
	}
	rc = args_conf_parse(a, (char *)buf, len, path, top, err, errlen);
	free(buf);
	return rc;
}

static int
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* includeconf values of one section, after its last negation. */
static void
collect_includes(struct args *a, const char *section, char ***list, size_t *n)
{
	struct arg_vals *vs = &a->conf[arg_lookup("includeconf")];
	size_t i, start = 0;

	for (i = 0; i < vs->n; i++)
		if (strcmp(vs->v[i].section, section) == 0 && vs->v[i].negated)
			start = i + 1;
	for (i = start; i < vs->n; i++) {
		if (strcmp(vs->v[i].section, section) != 0)
			continue;
		*list = xreallocarray(*list, *n + 1, sizeof(**list));
		(*list)[(*n)++] = xstrdup(vs->v[i].value);
	}
}

static int
read_includes(struct args *a, char *err, size_t errlen)
{
	char **names = NULL, *path;
	const char *chain;
	size_t i, n = 0;
	int rc = 0;

	if (args_is_negated(a, "includeconf"))
		return 0;
	/* conflicting chain options are reported by args_select_chain */
	if (args_chain_from_settings(a, &chain, err, errlen) == -1)
		chain = NULL;
	/* Core reads the chain section's includes before the top level's */
	if (chain != NULL)
		collect_includes(a, chain, &names, &n);
	collect_includes(a, "", &names, &n);
	for (i = 0; i < n && rc == 0; i++) {
		path = abs_path(names[i], a->datadir);
		if (!file_exists(path)) {
			errbuf_printf(err, errlen,
			    "Failed to include "
			    "configuration file %s",
			    names[i]);
			rc = -1;
		} else if (conf_read_file(a, path, 0, err, errlen) == -1)
			rc = -1;
		free(path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int
args_read_config(struct args *a, char *err, size_t errlen)
{
	const char *conf;
	char *path = NULL, msg[1024];

	if (args_find_datadir(a, err, errlen) == -1)
		return -1;
	free(a->conf_path);
	a->conf_path = NULL;
	if (args_is_negated(a, "conf"))
		return 0;
	conf = args_get(a, "conf");
	if (conf != NULL && *conf != '\0') {
		path = abs_path(conf, a->datadir);
		if (!file_exists(path)) {
			errbuf_printf(err, errlen,
			    "Error reading configuration "
			    "file: specified config file \"%s\" could not be "
			    "opened.",
			    path);
			free(path);
			return -1;
		}
	} else {
		path = xasprintf("%s/bitroot.conf", a->datadir);
		if (!file_exists(path)) {
			/* existing Core tooling writes this name */
			free(path);
			path = xasprintf("%s/bitcoin.conf", a->datadir);
			if (!file_exists(path)) {
				free(path);
				return 0;
			}
		}
	}
	if (conf_read_file(a, path, 1, msg, sizeof(msg)) == -1 ||
	    read_includes(a, msg, sizeof(msg)) == -1) {
		errbuf_printf(err, errlen,
		    "Error reading configuration file: %s", msg);
		free(path);
		return -1;
	}
	a->conf_path = path;
	args_resolve(a);
	/* the file may name another datadir */
	return args_find_datadir(a, err, errlen);
}
