/*
 * The node: owns the subsystems and starts them in dependency order
 * (store, validation, the block filter index, mempool, net, rpc); stops
 * them in reverse, so that nothing stopped is still used by something
 * running. The signature cache is shared by validation and the mempool,
 * and freed after both stopped.
 * Main thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "chain/chainparams.h"
#include "index/filterindex.h"
#include "mempool/mempool.h"
#include "net/net.h"
#include "node.h"
#include "rpc/rpc.h"
#include "script/sigcache.h"
#include "store/store.h"
#include "util/args.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/validation.h"

struct node {
	struct chainparams *cp;
	struct store *store;
	struct sigcache *sigcache;
	struct validation *val;
	struct filterindex *fi;		/* -blockfilterindex, or NULL */
	struct mempool *mp;
	struct net *net;
	struct rpc *rpc;
};

static int
apply_chain_options(const struct args *a, struct chainparams *cp)
{
	const char *const *vals;
	size_t n, i;

	n = args_get_all(a, "testactivationheight", &vals);
	if (n && cp->id != CHAIN_REGTEST) {
		log_warnx("Error: -testactivationheight is only for regtest");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (chainparams_set_activation(cp, vals[i]) == -1) {
			log_warnx("Error: Invalid format (%s) for "
			    "-testactivationheight=name@height.", vals[i]);
			return -1;
		}
	}
	return 0;
}

int
node_start(const struct args *a, struct node **out)
{
	struct node *n = xcalloc(1, sizeof(*n));
	enum chain_id id;
	char err[512], *dir;
	unsigned filter_types;
	int rc, serve_filters;

	if (chainparams_id_from_name(args_chain_name(a), &id) == -1) {
		log_warnx("Error: unknown chain %s", args_chain_name(a));
		goto fail;
	}
	n->cp = chainparams_new(id);
	if (apply_chain_options(a, n->cp) == -1)
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
	rc = store_open(dir, n->cp->magic, &n->store, err, sizeof(err));
	free(dir);
	if (rc != STORE_OK) {
		log_warnx("Error: %s", err[0] ? err : "cannot open the store");
		goto fail;
	}
	log_info("store opened");
	n->sigcache = sigcache_new(SIGCACHE_DEFAULT_BYTES);
	if (validation_start_sc(a, n->cp, n->store, n->sigcache,
	    &n->val) != 0)
		goto fail;
	if ((filter_types & (1u << BLOCKFILTER_BASIC)) &&
	    filterindex_start(n->store, n->val, BLOCKFILTER_BASIC,
	    &n->fi) != 0)
		goto fail;
	if (mempool_start(a, n->cp, n->store, n->val, n->sigcache,
	    &n->mp) != 0)
		goto fail;
	if (net_start(a, n->cp, n->store, n->val, n->mp, &n->net) != 0)
		goto fail;
	if (rpc_start(a, n->cp, n->store, n->val, n->mp, n->net,
	    &n->rpc) != 0)
		goto fail;
	rpc_set_filterindex(n->rpc, n->fi);
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
	if (n->val) {
		log_info("stopping validation");
		validation_stop(n->val);
	}
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
