/*
 * The unit tests' shared environment: a debug.log in a temporary directory,
 * temporary datadirs, stores, regtest option sets, and a regtest chainstate
 * driven with blocks built by blockgen.h.
 *
 * Everything here runs on the test's main thread; nothing is thread-safe
 * beyond what the modules it calls promise. Failures to set up print why on
 * stderr and return an error (or NULL), so the test's CHECK says which case.
 */
#ifndef BR_TEST_TESTENV_H
#define BR_TEST_TESTENV_H

#include <stddef.h>
#include <stdint.h>

#include "chain/chainparams.h"
#include "store/store.h"
#include "util/log.h"
#include "validation/chainstate.h"
#include "blockgen.h"

struct args;

/*
 * Once per test binary (later calls do nothing): opens debug.log in a
 * temporary directory removed at exit (kept when KEEP_LOG is set), with
 * level and debug categories, initialises the shutdown flag and blockgen.
 */
void testenv_setup(const char *name, enum log_level level,
    uint32_t categories);
/* debug.log of testenv_setup. */
const char *testenv_logpath(void);
/* Whether debug.log has a line containing what, at or after offset from. */
int testenv_log_has(const char *what, long from);
/* The size of debug.log now: an offset for testenv_log_has. */
long testenv_log_size(void);

/* Removes path and, for a directory, everything below it. */
void testenv_rm_rf(const char *path);
/* Creates /tmp/<name>.XXXXXX into dir (len >= 64); 0 or -1. */
int testenv_tmpdir(char *dir, size_t len, const char *name);
/*
 * testenv_tmpdir, and the directory is removed when the binary exits (up
 * to 8 such directories). For a scratch directory shared by all cases.
 */
int testenv_scratch(char *dir, size_t len, const char *name);
/*
 * store_open of dir in STORE_SYNC_PERIODIC (a throwaway store), printing the
 * store's reason on failure; NULL then.
 */
struct store *testenv_store_open(const char *dir, const uint8_t magic[4]);
/*
 * The options of `test -regtest -datadir=dir extra...` (NULL entries of
 * extra skipped) with the datadir's config read and the chain selected;
 * NULL (reason printed) on error. The caller frees with args_free.
 */
struct args *testenv_args(const char *dir, const char *const *extra,
    size_t nextra);

#define TESTENV_MAX_HEIGHTS 512

/*
 * A regtest chainstate on a store in <dir>/chainstate. The blocks the
 * helpers mine record their coinbase txids in cb[height].
 */
struct testenv {
	char dir[256];
	struct chainparams *cp;
	struct store *s;
	struct chainstate *cs;
	struct chainstate_opts opts; /* used by testenv_reopen */
	uint32_t blockfile_size;     /* testenv_reopen: 0 for the default */
	uint8_t cb[TESTENV_MAX_HEIGHTS][32];
};

/*
 * Sets up the binary (testenv_setup with name, info level, no categories,
 * if not done yet), makes the directory and opens store and chainstate
 * with opts (NULL: two script threads). 0 or -1.
 */
int testenv_open(struct testenv *e, const char *name,
    const struct chainstate_opts *opts);
/* Opens store and chainstate again on the same directory. */
int testenv_reopen(struct testenv *e);
/* Closes chainstate and store, keeping the directory for a reopen. */
void testenv_close_keep(struct testenv *e);
/* Closes everything and removes the directory. */
void testenv_close(struct testenv *e);

/* The active tip (zeroed if there is none). */
struct block_index_entry testenv_tip(struct testenv *e);
/* A block on parent paying the subsidy, one second after it, same bits. */
void testenv_block_on(struct testenv *e, struct bg_block *b,
    const struct block_index_entry *parent);
void testenv_block_on_tip(struct testenv *e, struct bg_block *b);
/* Witness commitment (if witness), merkle root, then a solved header. */
void testenv_finish(struct testenv *e, struct bg_block *b, int witness);
/* Serializes b into the chainstate; r may be NULL. */
enum val_result testenv_submit(struct testenv *e, const struct bg_block *b,
    struct block_result *r);
/* Mines n coinbase-only blocks on the tip, each one different. 0 or -1. */
int testenv_mine(struct testenv *e, int n);
/* hash_serialized_3 of the UTXO set (zeros if it cannot be computed). */
void testenv_utxo_hash(struct testenv *e, uint8_t out[32]);

#endif
