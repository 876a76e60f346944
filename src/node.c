/*
 * The node: owns the subsystems and starts them in dependency order
 * (store, validation, the block filter index, mempool, net, rpc); stops
 * them in reverse, so that nothing stopped is still used by something
 * running. The signature cache is shared by validation and the mempool,
 * and freed after both stopped. The notify thread (-blocknotify, -alertnotify) starts
 * before validation and stops after it, so no tip change can reach a
 * stopped notifier. The metrics listener (-metricsbind) starts first and
 * stops first: it only reads what the others publish. -server=0 starts no RPC server at all, as in Core.
 * Main thread only.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain/chainparams.h"
#include "index/filterindex.h"
#include "mempool/mempool.h"
#include "net/net.h"
#include "node.h"
#include "rpc/rpc.h"
#include "script/sigcache.h"
#include "store/reindex.h"
#include "store/store.h"
#include "util/args.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/notify.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/validation.h"
#include "zmq/zmqpub.h"

struct node {
	struct chainparams *cp;
	struct store *store;
	struct sigcache *sigcache;
	struct validation *val;
	struct filterindex *fi; /* -blockfilterindex, or NULL */
	struct mempool *mp;
	struct net *net;
	struct rpc *rpc;
	struct metrics_http *metrics; /* -metricsbind, or NULL */
	struct notify *notify;
	struct zmqpub *zmq;
	const char *blocknotify; /* -blocknotify command, or NULL */
	const char *alertnotify; /* -alertnotify command, or NULL */
};

/*
 * Core's uint256::FromUserHex: an optional "0x" and at most 64 hex digits,
 * the number they spell, big-endian in out. 0 or -1.
 */
static int
parse_user_hex256(const char *s, uint8_t out[32])
{
	char buf[65];
	size_t n;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strlen(s);
	if (n > 64 || strspn(s, "0123456789abcdefABCDEF") != n)
		return -1;
	memset(buf, '0', 64 - n);
	memcpy(buf + 64 - n, s, n);
	buf[64] = '\0';
	return hex_decode(buf, out, 32) == 32 ? 0 : -1;
}

/* -blocknotify: Core runs it for each new tip once out of IBD. */
static void
on_tip_notify(void *arg, const uint8_t hash[32], int32_t height, int ibd)
{
	struct node *n = arg;
	char hex[65];

	(void)height;
	if (ibd || n->blocknotify == NULL)
		return;
	hash_to_hex(hash, hex);
	notify_push(n->notify, n->blocknotify, hex);
}

/*
 * -alertnotify, as Core's AlertNotify: the message keeps only Core's safe
 * characters (SanitizeString: letters, digits and " .,;-_/:?@()"), so it
 * can be single-quoted for the shell whatever it says.
 */
static void
on_alert_notify(void *arg, const char *msg)
{
	static const char safe[] =
	    "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;-_/:?@()";
	struct node *n = arg;
	char quoted[VALIDATION_WARNING_LEN + 3];
	size_t i, k = 0;

	if (n->alertnotify == NULL)
		return;
	quoted[k++] = '\'';
	for (i = 0; msg[i] != '\0' && k < sizeof(quoted) - 2; i++)
		if (strchr(safe, msg[i]) != NULL)
			quoted[k++] = msg[i];
	quoted[k++] = '\'';
	quoted[k] = '\0';
	notify_push(n->notify, n->alertnotify, quoted);
}

/*
 * -signetchallenge, as Core's ReadSigNetArgs: one value at most, counting
 * the command line and both parts of the config file; other chains ignore
 * it. Core's log lines follow.
 */
static int
apply_signet_options(const struct args *a, struct chainparams *cp)
{
	const char *const *vals;
	char err[256], *hex;
	size_t n;

	n = args_get_all(a, "signetchallenge", &vals);
	if (n > 1) {
		log_warnx(
		    "Error: -signetchallenge cannot be multiple values.");
		return -1;
	}
	if (n == 1) {
		if (chainparams_set_signet_challenge(cp, vals[0], err,
			sizeof(err)) == -1) {
			log_warnx("Error: %s", err);
			return -1;
		}
		hex = hex_encode_alloc(cp->signet_challenge,
		    cp->signet_challenge_len);
		log_info("Signet with challenge %s", hex);
		free(hex);
	}
	log_info("Signet derived magic (message start): %02x%02x%02x%02x",
	    cp->magic[0], cp->magic[1], cp->magic[2], cp->magic[3]);
	return 0;
}

static int
apply_chain_options(const struct args *a, struct chainparams *cp)
{
	static const uint8_t zero[32];
	const char *const *vals, *v;
	uint8_t hash[32];
	char hex[65];
	size_t n, i;

	/*
	 * The challenge first: it zeroes the minimum chain work, which a
	 * -minimumchainwork read after it must be able to override (Core).
	 */
	if (cp->id == CHAIN_SIGNET && apply_signet_options(a, cp) == -1)
		return -1;
	n = args_get_all(a, "testactivationheight", &vals);
	if (n && cp->id != CHAIN_REGTEST) {
		log_warnx("Error: -testactivationheight is only for regtest");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (chainparams_set_activation(cp, vals[i]) == -1) {
			log_warnx("Error: Invalid format (%s) for "
				  "-testactivationheight=name@height.",
			    vals[i]);
			return -1;
		}
	}
	n = args_get_all(a, "testsnapshot", &vals);
	for (i = 0; i < n; i++) {
		char err[256];

		if (chainparams_add_assumeutxo(cp, vals[i], err,
			sizeof(err)) == -1) {
			log_warnx("Error: %s", err);
			return -1;
		}
	}
	if (args_is_set(a, "maxtipage"))
		cp->max_tip_age = args_get_int(a, "maxtipage", 0);
	if ((v = args_get(a, "minimumchainwork")) != NULL &&
	    parse_user_hex256(v, cp->minimum_chain_work) == -1) {
		log_warnx(
		    "Error: Invalid minimum work specified (%s), must be "
		    "up to 64 hex digits",
		    v);
		return -1;
	}
	/*
	 * -assumevalid: the chain's default unless given; 0 checks every
	 * script. Parsed as Core's FromUserHex (big-endian digits), kept in
	 * the index's internal byte order.
	 */
	if ((v = args_get(a, "assumevalid")) != NULL) {
		if (parse_user_hex256(v, hash) == -1) {
			log_warnx(
			    "Error: Invalid assumevalid block hash "
			    "specified (%s), must be up to 64 hex digits (or 0 "
			    "to disable)",
			    v);
			return -1;
		}
		for (i = 0; i < 32; i++)
			cp->assume_valid[i] = hash[31 - i];
	}
	if (memcmp(cp->assume_valid, zero, 32) != 0) {
		hash_to_hex(cp->assume_valid, hex);
		log_info("Assuming ancestors of block %s have valid signatures.",
		    hex);
	} else
		log_info("Validating signatures for all blocks.");
	return 0;
}

/* Core's largest -maxsigcachesize, in MiB. */
#define MAX_SIGCACHE_MIB 16384

/* -maxsigcachesize in MiB; Core gives the signature cache half of it. */
static size_t
sigcache_bytes(const struct args *a)
{
	int64_t mib = args_get_int(a, "maxsigcachesize",
	    (int64_t)(SIGCACHE_DEFAULT_BYTES >> 20) * 2);

	if (mib < 0)
		mib = 0;
	if (mib > MAX_SIGCACHE_MIB)
		mib = MAX_SIGCACHE_MIB;
	return (size_t)mib * (1u << 20) / 2;
}

/*
 * SIGBUS: LMDB reads the store through a shared map, and reading a page
 * past the end of a data.mdb that shrank while the node runs (or one the
 * disk cannot read) raises SIGBUS. The open-time check (doc/store.md,
 * "Damage") cannot see that. Nothing can be recovered there: the handler
 * only says what happened, and returns; SA_RESETHAND makes the faulting
 * read raise it again with the default action (the process ends, with a
 * core dump where enabled, as any crash).
 */
static char sigbus_msg[PATH_MAX + 512];
static size_t sigbus_len;

static void
on_sigbus(int sig)
{
	(void)sig;
	(void)!write(STDERR_FILENO, sigbus_msg, sigbus_len);
}

static void
guard_sigbus(const char *dir)
{
	struct sigaction sa;
	int len;

	len = snprintf(sigbus_msg, sizeof(sigbus_msg),
	    "Error: SIGBUS: a read "
	    "from %s/data.mdb failed: the file shrank while bitrootd ran, or "
	    "the disk could not read it. The store is damaged: restore the "
	    "chainstate directory from a backup, or move it away and sync "
	    "again\n",
	    dir);
	if (len < 0)
		return;
	sigbus_len = (size_t)len < sizeof(sigbus_msg) ? (size_t)len :
							sizeof(sigbus_msg) - 1;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	sa.sa_handler = on_sigbus;
	if (sigaction(SIGBUS, &sa, NULL) == -1)
		log_warn("sigaction SIGBUS");
}

/*
 * The block files' directory: <chaindir>/blocks, or with -blocksdir (as
 * Core) <blocksdir>/<the chain's subdirectory>/blocks; the -blocksdir
 * directory must exist. NULL after logging the error.
 */
static char *
blocks_dir(const struct args *a)
{
	const char *bd = args_get(a, "blocksdir"), *sub;
	const char *datadir = args_datadir(a), *chaindir = args_chaindir(a);
	char *abs;
	struct stat st;

	if (bd == NULL || *bd == '\0' || args_is_negated(a, "blocksdir"))
		return xasprintf("%s/blocks", chaindir);
	if ((abs = realpath(bd, NULL)) == NULL || stat(abs, &st) == -1 ||
	    !S_ISDIR(st.st_mode)) {
		log_warnx("Error: Specified blocks directory \"%s\" does not "
			  "exist.",
		    bd);
		free(abs);
		return NULL;
	}
	/* The chain's subdirectory: chaindir less the datadir ("" for main). */
	sub = "";
	if (strncmp(chaindir, datadir, strlen(datadir)) == 0)
		sub = chaindir + strlen(datadir);
	bd = abs;
	abs = xasprintf("%s%s/blocks", bd, sub);
	free((char *)(uintptr_t)bd);
	return abs;
}

int
node_start(const struct args *a, struct node **out)
{
	struct node *n = xcalloc(1, sizeof(*n));
	enum chain_id id;
	const char *v;
	char err[2048], *dir, *blocksdir;
	struct store_options so;
	unsigned filter_types;
	int rc, serve_filters, reindex;
	struct chainstate_prune_lock lock = { NULL, -1 };
	char lock_name[FILTERINDEX_NAME_LEN];
	size_t nlocks = 0;

	if (chainparams_id_from_name(args_chain_name(a), &id) == -1) {
		log_warnx("Error: unknown chain %s", args_chain_name(a));
		goto fail;
	}
	n->cp = chainparams_new(id);
	if (apply_chain_options(a, n->cp) == -1)
		goto fail;
	/* Core's regtest prunes after 100 blocks with -fastprune. */
	if (id == CHAIN_REGTEST && args_get_bool(a, "fastprune", 0))
		n->cp->prune_after_height = 100;
	/*
	 * The metrics listener first: it reads only atomics and snapshots the
	 * other threads publish (zero until they do), so it needs none of
	 * them, and a bad -metricsbind stops start-up before anything opens.
	 */
	metrics_init();
	if (metrics_http_start(a, n->cp, &n->metrics) != 0)
		goto fail;
	if (args_is_set(a, "mocktime"))
		node_set_mocktime(args_get_int(a, "mocktime", 0));
	if (filterindex_options(a, &filter_types, &serve_filters, err,
		sizeof(err)) != 0) {
		log_warnx("Error: %s", err);
		goto fail;
	}
	dir = xasprintf("%s/chainstate", args_chaindir(a));
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_warn("Error: cannot create %s", dir);
		free(dir);
		goto fail;
	}
	err[0] = '\0';
	if ((blocksdir = blocks_dir(a)) == NULL) {
		free(dir);
		goto fail;
	}
	/* A full -reindex starts a new store: before it opens. */
	if (reindex_prepare(dir, blocksdir, args_get_bool(a, "reindex", 0),
		&reindex, err, sizeof(err)) != 0) {
		log_warnx("Error: %s", err);
		free(dir);
		free(blocksdir);
		goto fail;
	}
	memset(&so, 0, sizeof(so));
	so.sync_mode = STORE_SYNC_DATA; /* the power-loss-safe default (store.h) */
	so.sync_interval_ms = -1;
	so.blocks_dir = blocksdir;
	/* Core's -fastprune file size: tests roll files over quickly. */
	so.blockfile_size = args_get_bool(a, "fastprune", 0) ? 0x10000u : 0;
	rc = store_open_opts(dir, n->cp->magic, &so, &n->store, err,
	    sizeof(err));
	if (rc == STORE_OK)
		guard_sigbus(dir);
	free(dir);
	free(blocksdir);
	if (rc != STORE_OK) {
		log_warnx("Error: %s", err[0] ? err : "cannot open the store");
		goto fail;
	}
	log_info("store opened");
	n->sigcache = sigcache_new(sigcache_bytes(a));
	if ((v = args_get(a, "blocknotify")) != NULL && *v != '\0' &&
	    !args_is_negated(a, "blocknotify"))
		n->blocknotify = v;
	if ((v = args_get(a, "alertnotify")) != NULL && *v != '\0' &&
	    !args_is_negated(a, "alertnotify"))
		n->alertnotify = v;
	/* One runner for both: commands run one at a time, off node threads. */
	if (n->blocknotify != NULL || n->alertnotify != NULL)
		n->notify = notify_start();
	/*
	 * The filter index reads blocks and undo data on its own thread: its
	 * prune lock (Core's) holds every block from before validation can
	 * prune until the index has read its best block (filterindex_start).
	 */
	if (filter_types & (1u << BLOCKFILTER_BASIC)) {
		filterindex_name(BLOCKFILTER_BASIC, lock_name);
		lock.name = lock_name;
		nlocks = 1;
	}
	if (validation_start_locks(a, n->cp, n->store, n->sigcache, &lock,
		nlocks, &n->val) != 0)
		goto fail;
	if (n->notify) {
		struct validation_listener vl;

		memset(&vl, 0, sizeof(vl));
		vl.arg = n;
		vl.tip_changed = on_tip_notify;
		vl.warning = on_alert_notify;
		validation_add_listener(n->val, &vl);
	}
	if ((filter_types & (1u << BLOCKFILTER_BASIC)) &&
	    filterindex_start(n->store, n->val, BLOCKFILTER_BASIC, &n->fi) !=
		0)
		goto fail;
	if (mempool_start(a, n->cp, n->store, n->val, n->sigcache, &n->mp) !=
	    0)
		goto fail;
	if (zmqpub_start(a, n->store, n->val, n->mp, &n->zmq) != 0)
		goto fail;
	if (net_start(a, n->cp, n->store, n->val, n->mp, &n->net) != 0)
		goto fail;
	if (!args_get_bool(a, "server", 1))
		log_info("-server=0: no RPC server");
	else if (rpc_start(a, n->cp, n->store, n->val, n->mp, n->net,
		     &n->rpc) != 0)
		goto fail;
	if (n->rpc) {
		rpc_set_filterindex(n->rpc, n->fi);
		rpc_set_zmq(n->rpc, n->zmq);
	}
	if (n->rpc)
		rpc_set_ready(n->rpc);
	log_info("init message: Done loading");
	*out = n;
	return 0;
fail:
	node_stop(n);
	return -1;
}

void
node_stop(struct node *n)
{
	if (n == NULL)
		return;
	if (n->metrics) {
		log_info("stopping the metrics listener");
		metrics_http_stop(n->metrics);
	}
	if (n->rpc) {
		log_info("stopping rpc");
		rpc_stop(n->rpc);
	}
	if (n->net) {
		log_info("stopping net");
		net_stop(n->net);
	}
	if (n->fi) {
		log_info("stopping the block filter index");
		filterindex_stop(n->fi);
	}
	if (n->mp) {
		log_info("stopping mempool");
		mempool_stop(n->mp);
	}
	/* After the mempool (its listener), before validation (removed here). */
	if (n->zmq) {
		log_info("stopping zmq");
		zmqpub_stop(n->zmq);
	}
	if (n->val) {
		log_info("stopping validation");
		validation_stop(n->val);
	}
	notify_stop(n->notify);
	if (n->sigcache)
		sigcache_free(n->sigcache);
	if (n->store) {
		store_close(n->store);
		log_info("store closed");
	}
	if (n->cp)
		chainparams_free(n->cp);
	free(n);
}
