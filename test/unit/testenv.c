/*
 * The unit tests' shared environment (testenv.h).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/args.h"
#include "util/shutdown.h"
#include "validation/coinstats.h"
#include "testenv.h"

static char logdir[128];
static char logpath[300];

void
testenv_rm_rf(const char *path)
{
	char sub[1024];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (lstat(path, &st) == -1)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			testenv_rm_rf(sub);
		}
		closedir(d);
		if (rmdir(path) != 0)
			fprintf(stderr, "cannot remove %s\n", path);
	} else
		unlink(path);
}

int
testenv_tmpdir(char *dir, size_t len, const char *name)
{
	snprintf(dir, len, "/tmp/%s.XXXXXX", name);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	return 0;
}

#define MAX_SCRATCH 8

static char scratch[MAX_SCRATCH][256];
static int nscratch;

static void
remove_scratch(void)
{
	while (nscratch > 0)
		testenv_rm_rf(scratch[--nscratch]);
}

int
testenv_scratch(char *dir, size_t len, const char *name)
{
	if (nscratch == MAX_SCRATCH) {
		fprintf(stderr, "testenv_scratch: more than %d\n",
		    MAX_SCRATCH);
		return -1;
	}
	if (testenv_tmpdir(dir, len, name) != 0)
		return -1;
	if (nscratch == 0)
		atexit(remove_scratch);
	snprintf(scratch[nscratch++], sizeof(scratch[0]), "%s", dir);
	return 0;
}

static void
remove_logdir(void)
{
	if (getenv("KEEP_LOG") == NULL)
		testenv_rm_rf(logdir);
	else
		fprintf(stderr, "log kept in %s\n", logpath);
}

void
testenv_setup(const char *name, enum log_level level, uint32_t categories)
{
	struct log_options lo;
	char base[96];
	static int done;

	if (done++)
		return;
	snprintf(base, sizeof(base), "%s_log", name);
	if (testenv_tmpdir(logdir, sizeof(logdir), base) != 0)
		abort();
	atexit(remove_logdir);
	snprintf(logpath, sizeof(logpath), "%s/debug.log", logdir);
	memset(&lo, 0, sizeof(lo));
	lo.path = logpath;
	lo.timestamps = 1;
	lo.level = level;
	lo.categories = categories;
	if (log_init(&lo) != 0 || shutdown_init() != 0)
		abort();
	bg_init();
}

const char *
testenv_logpath(void)
{
	return logpath;
}

int
testenv_log_has(const char *what, long from)
{
	FILE *f = fopen(logpath, "r");
	char line[1 << 16];
	int found = 0;

	if (f == NULL)
		return 0;
	if (from > 0)
		(void)fseek(f, from, SEEK_SET);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, what) != NULL;
	fclose(f);
	return found;
}

long
testenv_log_size(void)
{
	struct stat st;

	return stat(logpath, &st) == 0 ? (long)st.st_size : 0;
}

struct store *
testenv_store_open(const char *dir, const uint8_t magic[4])
{
	/*
	 * Unit tests' stores are thrown away, so no fdatasync per commit:
	 * the node's mode (STORE_SYNC_DATA) doubled test_validation's time.
	 * feature_powerloss.py and test_store_crash check the node's mode.
	 */
	struct store_options o = { 0, STORE_SYNC_PERIODIC, -1, NULL, 0 };
	struct store *s = NULL;
	char err[512];

	if (store_open_opts(dir, magic, &o, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_open(%s): %s\n", dir, err);
		return NULL;
	}
	return s;
}

struct args *
testenv_args(const char *dir, const char *const *extra, size_t nextra)
{
	char d[300], err[256];
	char *argv[16];
	int argc = 0;
	size_t i;
	struct args *a;

	if (nextra > 12) {
		fprintf(stderr, "testenv_args: %zu options, at most 12\n",
		    nextra);
		return NULL;
	}
	a = args_new();
	snprintf(d, sizeof(d), "-datadir=%s", dir);
	argv[argc++] = (char *)(uintptr_t) "test";
	argv[argc++] = (char *)(uintptr_t) "-regtest";
	argv[argc++] = d;
	for (i = 0; i < nextra; i++)
		if (extra[i] != NULL)
			argv[argc++] = (char *)(uintptr_t)extra[i];
	argv[argc] = NULL;
	if (args_parse_argv(a, argc, argv, err, sizeof(err)) != 0 ||
	    args_read_config(a, err, sizeof(err)) != 0 ||
	    args_select_chain(a, err, sizeof(err)) != 0) {
		fprintf(stderr, "args: %s\n", err);
		args_free(a);
		return NULL;
	}
	return a;
}

int
testenv_reopen(struct testenv *e)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/chainstate", e->dir);
	if (e->blockfile_size != 0) {
		struct store_options so;
		char err[512];

		memset(&so, 0, sizeof(so));
		so.sync_interval_ms = -1;
		so.blockfile_size = e->blockfile_size;
		if (store_open_opts(path, e->cp->magic, &so, &e->s, err,
			sizeof(err)) != 0) {
			fprintf(stderr, "store_open_opts(%s): %s\n", path, err);
			return -1;
		}
	} else if ((e->s = testenv_store_open(path, e->cp->magic)) == NULL)
		return -1;
	if (chainstate_open(e->cp, e->s, &e->opts, &e->cs) != 0) {
		fprintf(stderr, "chainstate_open(%s) failed\n", path);
		store_close(e->s);
		e->s = NULL;
		return -1;
	}
	return 0;
}

int
testenv_open(struct testenv *e, const char *name,
    const struct chainstate_opts *opts)
{
	testenv_setup(name, LOGL_INFO, 0);
	memset(e, 0, sizeof(*e));
	if (opts != NULL)
		e->opts = *opts;
	else
		e->opts.script_threads = 2;
	if (testenv_tmpdir(e->dir, sizeof(e->dir), name) != 0)
		return -1;
	e->cp = chainparams_new(CHAIN_REGTEST);
	return testenv_reopen(e);
}

void
testenv_close_keep(struct testenv *e)
{
	if (e->cs != NULL)
		chainstate_close(e->cs);
	if (e->s != NULL)
		store_close(e->s);
	e->cs = NULL;
	e->s = NULL;
}

void
testenv_close(struct testenv *e)
{
	testenv_close_keep(e);
	testenv_rm_rf(e->dir);
	chainparams_free(e->cp);
	e->cp = NULL;
}

struct block_index_entry
testenv_tip(struct testenv *e)
{
	struct block_index_entry t;

	memset(&t, 0, sizeof(t));
	(void)chainstate_tip(e->cs, &t);
	return t;
}

void
testenv_block_on(struct testenv *e, struct bg_block *b,
    const struct block_index_entry *parent)
{
	(void)e;
	bg_block_init(b, parent->hash, parent->height + 1,
	    parent->hdr.time + 1, parent->hdr.bits,
	    bg_subsidy(parent->height + 1));
}

void
testenv_block_on_tip(struct testenv *e, struct bg_block *b)
{
	struct block_index_entry t = testenv_tip(e);

	testenv_block_on(e, b, &t);
}

void
testenv_finish(struct testenv *e, struct bg_block *b, int witness)
{
	if (witness)
		bg_block_commit_witness(b);
	bg_block_merkle(b);
	bg_block_solve(b, e->cp);
}

enum val_result
testenv_submit(struct testenv *e, const struct bg_block *b,
    struct block_result *r)
{
	struct block_result tmp;
	struct wbuf w;
	enum val_result res;

	wbuf_init(&w);
	bg_block_serialize(b, &w);
	res = chainstate_process_block(e->cs, w.p, w.len, r ? r : &tmp);
	wbuf_free(&w);
	return res;
}

int
testenv_mine(struct testenv *e, int n)
{
	static uint8_t salt;
	struct bg_block b;
	int i;

	for (i = 0; i < n; i++) {
		testenv_block_on_tip(e, &b);
		/* Never the same block twice, even on an invalidated height. */
		b.txs[0].in[0].script[b.txs[0].in[0].script_len - 1] ^= salt++;
		testenv_finish(e, &b, 0);
		if (b.height < TESTENV_MAX_HEIGHTS)
			bg_tx_txid(&b.txs[0], e->cb[b.height]);
		if (testenv_submit(e, &b, NULL) != VAL_OK) {
			bg_block_free(&b);
			return -1;
		}
		bg_block_free(&b);
	}
	return 0;
}

void
testenv_utxo_hash(struct testenv *e, uint8_t out[32])
{
	struct store_rtxn *t;
	struct coinstats st;

	memset(out, 0, 32);
	if (store_read_begin(e->s, &t) != STORE_OK)
		return;
	if (coinstats_compute(t, 0, &st) == 0)
		memcpy(out, st.hash_serialized, 32);
	store_read_end(t);
}
