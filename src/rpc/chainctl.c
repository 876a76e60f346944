/*
 * Blockchain methods served by the validation thread: invalidateblock,
 * reconsiderblock, preciousblock, verifychain and the
 * syncwithvalidationinterfacequeue barrier (typed requests, validation.h),
 * and the waitfor* methods, which wait here, on their worker, for the tip
 * the validation thread announces.
 *
 * The tip watch. The rpc module registers a validation listener whose
 * tip_changed copies the new tip into struct rpc_tipwatch and wakes every
 * waiter; a waitfor* call sleeps on the watch's condition variable until
 * its condition holds, its timeout passes or rpc_stop begins (then it
 * answers the current tip, as Core does at shutdown). No clock polling:
 * a block connected by another connection wakes the waiter before that
 * connection's call is answered.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/rpc_int.h"
#include "util/hex.h"
#include "util/request.h"
#include "util/xmalloc.h"
#include "validation/chainstate.h"
#include "validation/validation.h"

#define DEFAULT_CHECKLEVEL 3
#define DEFAULT_CHECKBLOCKS 6

json_t *
rpc_validation_fail(struct rpc_ctx *c, const struct request_error *e,
    struct rpc_error *err)
{
	switch (e->status) {
	case VALIDATION_E_NOT_FOUND:
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY, "%s",
		    e->message);
	case VALIDATION_E_REFUSED:
		return rpc_fail(err, RPC_MISC_ERROR, "%s", e->message);
	case VALIDATION_E_REJECTED:
		return rpc_fail(err, RPC_VERIFY_ERROR, "%s", e->message);
	case VALIDATION_E_SHUTDOWN:
		return rpc_fail(err, RPC_CLIENT_NOT_CONNECTED, "%s",
		    e->message);
	case REQUEST_E_UNAVAILABLE:
		return rpc_fail(err, RPC_IN_WARMUP, "%s", e->message);
	case REQUEST_E_TIMEOUT:
		return rpc_fail(err, RPC_INTERNAL_ERROR, "%s: %s", c->m->name,
		    e->message);
	default: return rpc_fail(err, RPC_INTERNAL_ERROR, "%s", e->message);
	}
}

/* ---- invalidateblock, reconsiderblock, preciousblock ---- */

static json_t *
mark(struct rpc_ctx *c, enum validation_mark how, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	struct request_error e;
	uint8_t hash[32];

	if (rpc_parse_hash(rpc_param(c, 0), "blockhash", hash, err) == -1)
		return NULL;
	if (validation_mark_block(sh->v, how, hash, sh->call_timeout_ms, &e) !=
	    0)
		return rpc_validation_fail(c, &e, err);
	return json_null();
}

json_t *
rpc_invalidateblock(struct rpc_ctx *c, struct rpc_error *err)
{
	return mark(c, VALIDATION_INVALIDATE, err);
}

json_t *
rpc_reconsiderblock(struct rpc_ctx *c, struct rpc_error *err)
{
	return mark(c, VALIDATION_RECONSIDER, err);
}

json_t *
rpc_preciousblock(struct rpc_ctx *c, struct rpc_error *err)
{
	return mark(c, VALIDATION_PRECIOUS, err);
}

json_t *
rpc_verifychain(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	json_t *pl = rpc_param(c, 0), *pn = rpc_param(c, 1);
	struct request_error e;
	int ok, level, depth;

	if (rpc_get_int_or(pl, DEFAULT_CHECKLEVEL, &level, err) == -1 ||
	    rpc_get_int_or(pn, DEFAULT_CHECKBLOCKS, &depth, err) == -1)
		return NULL;
	if (validation_verify_chain(sh->v, level, depth, &ok,
		sh->call_timeout_ms, &e) != 0)
		return rpc_validation_fail(c, &e, err);
	return json_boolean(ok);
}

int
rpc_validation_sync(struct rpc_ctx *c, struct rpc_error *err)
{
	struct rpc_shared *sh = rpc_shared(c->rpc);
	struct request_error e;

	if (validation_sync(sh->v, sh->call_timeout_ms, &e) != 0) {
		rpc_validation_fail(c, &e, err);
		return -1;
	}
	return 0;
}

/* ---- the tip watch and waitfor* ---- */

struct rpc_tipwatch {
	struct validation *v;
	/*
	 * mu guards have, hash, height and stopping; a leaf, taken by the
	 * validation thread's listener for a copy and by waiters.
	 */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC; tip moved or stopping */
	int have;
	uint8_t hash[32];
	int32_t height;
	int stopping;
};

static void
watch_tip_changed(void *arg, const uint8_t hash[32], int32_t height,
    int initial_download)
{
	struct rpc_tipwatch *tw = arg;

	(void)initial_download;
	pthread_mutex_lock(&tw->mu);
	tw->have = 1;
	memcpy(tw->hash, hash, 32);
	tw->height = height;
	pthread_cond_broadcast(&tw->cv);
	pthread_mutex_unlock(&tw->mu);
}

struct rpc_tipwatch *
rpc_tipwatch_start(struct validation *v)
{
	struct rpc_tipwatch *tw = xcalloc(1, sizeof(*tw));
	struct validation_listener l;
	struct block_index_entry e;
	pthread_condattr_t ca;

	tw->v = v;
	pthread_mutex_init(&tw->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&tw->cv, &ca);
	pthread_condattr_destroy(&ca);
	memset(&l, 0, sizeof(l));
	l.arg = tw;
	l.tip_changed = watch_tip_changed;
	validation_add_listener(v, &l);
	/*
	 * Read after registering, so no change falls between: the listener
	 * only ever writes a tip at least as new as this one.
	 */
	pthread_mutex_lock(&tw->mu);
	if (chainstate_tip(validation_chainstate(v), &e) == 0) {
		tw->have = 1;
		memcpy(tw->hash, e.hash, 32);
		tw->height = e.height;
	}
	pthread_mutex_unlock(&tw->mu);
	return tw;
}

void
rpc_tipwatch_stop(struct rpc_tipwatch *tw)
{
	if (tw == NULL)
		return;
	pthread_mutex_lock(&tw->mu);
	tw->stopping = 1;
	pthread_cond_broadcast(&tw->cv);
	pthread_mutex_unlock(&tw->mu);
}

void
rpc_tipwatch_free(struct rpc_tipwatch *tw)
{
	if (tw == NULL)
		return;
	validation_remove_listener(tw->v, tw);
	pthread_cond_destroy(&tw->cv);
	pthread_mutex_destroy(&tw->mu);
	free(tw);
}

enum wait_kind { WAIT_NEW, WAIT_HASH, WAIT_HEIGHT };

struct wait_for {
	enum wait_kind kind;
	uint8_t ref[32];  /* WAIT_NEW: the tip to move away from */
	uint8_t want[32]; /* WAIT_HASH */
	int32_t want_h;	  /* WAIT_HEIGHT */
};

static int
wait_done(const struct rpc_tipwatch *tw, const struct wait_for *w)
{
	if (!tw->have)
		return 0;
	switch (w->kind) {
	case WAIT_NEW: return memcmp(tw->hash, w->ref, 32) != 0;
	case WAIT_HASH: return memcmp(tw->hash, w->want, 32) == 0;
	case WAIT_HEIGHT: return tw->height >= w->want_h;
	}
	return 1;
}

/*
 * Sleeps until w holds, timeout_ms passes (0: no limit) or rpc_stop
 * begins; then the current tip.
 */
static json_t *
tip_wait(struct rpc_tipwatch *tw, struct wait_for *w, int64_t timeout_ms,
    int ref_given)
{
	struct timespec deadline;
	uint8_t hash[32];
	int32_t height;
	json_t *o;
	int rc = 0, have;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)(timeout_ms / 1000);
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&tw->mu);
	if (w->kind == WAIT_NEW && !ref_given)
		memcpy(w->ref, tw->hash, 32);
	while (!wait_done(tw, w) && !tw->stopping && rc != ETIMEDOUT) {
		if (timeout_ms > 0)
			rc = pthread_cond_timedwait(&tw->cv, &tw->mu,
			    &deadline);
		else
			pthread_cond_wait(&tw->cv, &tw->mu);
	}
	have = tw->have;
	memcpy(hash, tw->hash, 32);
	height = tw->height;
	pthread_mutex_unlock(&tw->mu);
	if (!have)
		return json_null();
	o = json_object();
	json_object_set_new(o, "hash", rpc_hash_json(hash));
	json_object_set_new(o, "height", json_integer(height));
	return o;
}

static json_t *
wait_method(struct rpc_ctx *c, enum wait_kind kind, size_t timeout_idx,
    struct rpc_error *err)
{
	struct rpc_tipwatch *tw = rpc_shared(c->rpc)->tipwatch;
	json_t *tv = rpc_param(c, timeout_idx);
	int timeout;
	struct wait_for w;
	int ref_given = 0;

	memset(&w, 0, sizeof(w));
	w.kind = kind;
	/* Core's order: the block (hash or height), then the timeout. */
	if (kind == WAIT_HASH &&
	    rpc_parse_hash(rpc_param(c, 0), "blockhash", w.want, err) == -1)
		return NULL;
	if (kind == WAIT_HEIGHT &&
	    rpc_get_int(rpc_param(c, 0), &w.want_h, err) == -1)
		return NULL;
	if (rpc_get_int_or(tv, 0, &timeout, err) == -1)
		return NULL;
	if (timeout < 0)
		return rpc_fail(err, RPC_MISC_ERROR, "Negative timeout");
	if (kind == WAIT_NEW && rpc_param(c, 1)) {
		if (rpc_parse_hash(rpc_param(c, 1), "current_tip", w.ref,
			err) == -1)
			return NULL;
		ref_given = 1;
	}
	if (tw == NULL)
		return rpc_fail(err, RPC_INTERNAL_ERROR,
		    "Validation is not running");
	return tip_wait(tw, &w, timeout, ref_given);
}

json_t *
rpc_waitfornewblock(struct rpc_ctx *c, struct rpc_error *err)
{
	return wait_method(c, WAIT_NEW, 0, err);
}

json_t *
rpc_waitforblock(struct rpc_ctx *c, struct rpc_error *err)
{
	return wait_method(c, WAIT_HASH, 1, err);
}

json_t *
rpc_waitforblockheight(struct rpc_ctx *c, struct rpc_error *err)
{
	return wait_method(c, WAIT_HEIGHT, 1, err);
}

json_t *
rpc_warnings_json(struct rpc *r)
{
	char w[VALIDATION_MAX_WARNINGS][VALIDATION_WARNING_LEN];
	struct validation *v = rpc_shared(r)->v;
	json_t *a = json_array();
	int i, n;

	if (v == NULL)
		return a;
	n = validation_warnings(v, w, VALIDATION_MAX_WARNINGS);
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(w[i]));
	return a;
}
