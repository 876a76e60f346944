/*
 * The validation thread.
 *
 * Design. One thread ("validation") owns the chainstate (chainstate.h) and
 * is the only writer of the store. Three queues come in:
 *
 *	callq	typed requests from the rpc thread (struct request *,
 *		util/request.h; validation.h lists them), store writes for
 *		the indexes and snapshot activation, served first;
 *	netq	blocks and header batches from peers;
 *	impq	blocks read by the import thread from -loadblock files.
 *
 * Each turn of the loop drains callq and netq completely, then does one
 * unit of background work: one imported block, or one step of at most
 * ACTIVATE_STEP block connections (reindex, long reorgs), so RPC calls are
 * answered between blocks while an import or reindex runs. With nothing
 * to do the thread sleeps in poll(2) on the queues' eventfds. Nothing
 * here waits on a clock: waitfor* live in the rpc module, woken by the
 * tip_changed listener.
 *
 * Answers go out through listener callbacks (validation.h), called on this
 * thread in the order blocks were processed; requests are answered
 * through request_serve. Messages from one queue are handled in the order they were
 * pushed. validation_stop() closes the queues, the thread finishes the
 * block in hand (its transaction commits or aborts as a whole) and exits.
 *
 * Locks: hook_mu (validation_int.h), a leaf guarding the listener list and
 * the template source, never held across a callback. The chainstate's
 * mutex (chainstate.h) guards the block index for readers on other
 * threads.
 *
 * The mempool hears of every block connected or disconnected through the
 * listeners' block_connected/block_disconnected/reorg_done, and supplies
 * block templates through the template source (validation_template): the
 * validation thread waits for the mempool thread there, never the
 * reverse, and holds no store transaction while it waits.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain/chainparams.h"
#include "util/args.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/shutdown.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/chainstate_int.h"
#include "validation/validation_int.h"

#define NETQ_HWM 64	 /* blocks and header batches from peers */
#define CALLQ_HWM 1024	 /* RPC calls */
#define IMPQ_HWM 16	 /* imported blocks read ahead */
#define ACTIVATE_STEP 32 /* blocks connected per background step */
#define MAX_HEADERS_BATCH 2000
/* Core 30's -blockreservedweight default and floor. */
#define DEFAULT_BLOCK_RESERVED_WEIGHT 8000
#define MINIMUM_BLOCK_RESERVED_WEIGHT 2000

int
validation_submit_block(struct validation *v, uint64_t peer_id,
    const uint8_t *raw, size_t len)
{
	struct msg *m = msg_new(VMSG_BLOCK, peer_id, raw, len);
	int rc;

	if ((rc = queue_push(v->netq, m)) != 0)
		msg_free(m);
	return rc;
}

int
validation_submit_headers(struct validation *v, uint64_t peer_id,
    const struct block_header *hdrs, size_t n)
{
	struct msg *m;
	int rc;

	if (n > MAX_HEADERS_BATCH)
		return QUEUE_EFULL;
	m = msg_new(VMSG_HEADERS, peer_id, hdrs, n * sizeof(*hdrs));
	if ((rc = queue_push(v->netq, m)) != 0)
		msg_free(m);
	return rc;
}

/*
 * The thread may already be running (an import started): the slot is
 * filled under hook_mu, which the thread takes to copy the listeners.
 */
void
validation_add_listener(struct validation *v,
    const struct validation_listener *l)
{
	pthread_mutex_lock(&v->hook_mu);
	if (v->nlisteners == VALIDATION_MAX_LISTENERS)
		fatalx("%s: too many listeners", __func__);
	v->listeners[v->nlisteners++] = *l;
	pthread_mutex_unlock(&v->hook_mu);
}

void
validation_remove_listener(struct validation *v, void *arg)
{
	size_t i, k;

	pthread_mutex_lock(&v->hook_mu);
	for (i = k = 0; i < v->nlisteners; i++)
		if (v->listeners[i].arg != arg)
			v->listeners[k++] = v->listeners[i];
	v->nlisteners = k;
	while (v->hook_busy)
		pthread_cond_wait(&v->hook_cv, &v->hook_mu);
	pthread_mutex_unlock(&v->hook_mu);
}

/*
 * Copies the listeners into l and counts the validation thread as
 * calling them until hooks_leave, so validation_remove_listener can wait
 * for the callbacks in flight without a lock held across them.
 */
static size_t
listeners_enter(struct validation *v, struct validation_listener *l)
{
	size_t n;

	pthread_mutex_lock(&v->hook_mu);
	n = v->nlisteners;
	memcpy(l, v->listeners, n * sizeof(*l));
	v->hook_busy++;
	pthread_mutex_unlock(&v->hook_mu);
	return n;
}

static void
hooks_leave(struct validation *v)
{
	pthread_mutex_lock(&v->hook_mu);
	if (--v->hook_busy == 0)
		pthread_cond_broadcast(&v->hook_cv);
	pthread_mutex_unlock(&v->hook_mu);
}

/*
 * Runs stmt once for each listener, named lp, on a copy of the list taken
 * by listeners_enter, so no lock is held while a listener runs.
 */
#define FOR_EACH_LISTENER(v, lp, stmt) \
	do { \
		struct validation_listener l_[VALIDATION_MAX_LISTENERS]; \
		size_t i_, n_ = listeners_enter((v), l_); \
		for (i_ = 0; i_ < n_; i_++) { \
			const struct validation_listener *lp = &l_[i_]; \
			stmt; \
		} \
		hooks_leave(v); \
	} while (0)

void
validation_set_template_source(struct validation *v, validation_template_fn fn,
    void *arg)
{
	pthread_mutex_lock(&v->hook_mu);
	v->tmpl_fn = fn;
	v->tmpl_arg = arg;
	while (fn == NULL && v->hook_busy)
		pthread_cond_wait(&v->hook_cv, &v->hook_mu);
	pthread_mutex_unlock(&v->hook_mu);
}

void
validation_template(struct validation *v, const struct template_request *req,
    struct template_txs *out)
{
	validation_template_fn fn;
	void *arg;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&v->hook_mu);
	fn = v->tmpl_fn;
	arg = v->tmpl_arg;
	if (fn)
		v->hook_busy++;
	pthread_mutex_unlock(&v->hook_mu);
	if (fn == NULL)
		return;
	fn(arg, req, out);
	hooks_leave(v);
}

void
template_txs_free(struct template_txs *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->txs[i].raw);
		free(t->txs[i].depends);
	}
	free(t->txs);
	memset(t, 0, sizeof(*t));
}

int
validation_is_initial_download(struct validation *v)
{
	return chainstate_is_initial_download(v->cs);
}

int
validation_is_loading(struct validation *v)
{
	return chainstate_is_importing(v->cs);
}

struct chainstate *
validation_chainstate(struct validation *v)
{
	return v->cs;
}

/*
 * Queues a typed request for the validation thread and waits for it (the
 * request functions of validation.h, in serve_chain.c and serve_mining.c).
 */
int
validation_request(struct validation *v, struct request *r, int timeout_ms,
    void *out, struct request_error *err)
{
	struct msg *m = msg_new(VMSG_REQUEST, 0, &r, sizeof(r));

	if (queue_push(v->callq, m) != 0) {
		msg_free(m);
		request_abandon(r);
		err->status = REQUEST_E_UNAVAILABLE;
		snprintf(err->message, sizeof(err->message),
		    "Validation is shutting down or overloaded");
		return -1;
	}
	return request_wait(r, timeout_ms, out, err);
}

/* The pointer a request or write message carries (its whole payload). */
static void *
pointer_of(struct msg *m)
{
	void *p;

	if (m->len != sizeof(p))
		fatalx("%s: bad message of type %d", __func__, m->type);
	memcpy(&p, m->data, sizeof(p));
	return p;
}

static struct request *
request_of(struct msg *m)
{
	return pointer_of(m);
}

/*
 * A write on another thread's behalf. It lives on the caller's stack: the
 * caller waits until done is set, under mu (a leaf lock held only to set
 * and test done).
 */
struct write_job {
	validation_write_fn fn;
	void *arg;
	int rc;
	int done;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void
write_job_finish(struct write_job *j, int rc)
{
	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	j->done = 1;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

static int
write_job_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	struct write_job *j = arg;

	(void)cs;
	return j->fn(w, j->arg);
}

int
validation_write(struct validation *v, validation_write_fn fn, void *arg)
{
	struct write_job j, *jp = &j;
	struct msg *m;
	int rc;

	memset(&j, 0, sizeof(j));
	j.fn = fn;
	j.arg = arg;
	pthread_mutex_init(&j.mu, NULL);
	pthread_cond_init(&j.cv, NULL);
	m = msg_new(VMSG_WRITE, 0, &jp, sizeof(jp));
	if ((rc = queue_push(v->callq, m)) != 0) {
		msg_free(m);
	} else {
		pthread_mutex_lock(&j.mu);
		while (!j.done)
			pthread_cond_wait(&j.cv, &j.mu);
		pthread_mutex_unlock(&j.mu);
		rc = j.rc;
	}
	pthread_cond_destroy(&j.cv);
	pthread_mutex_destroy(&j.mu);
	return rc;
}

static struct write_job *
write_job_of(struct msg *m)
{
	return pointer_of(m);
}

/* ---- chainstate hooks and listeners ---- */

static void
on_tip_changed(void *arg, const struct block_index_entry *tip, int ibd)
{
	struct validation *v = arg;

	FOR_EACH_LISTENER(v, l,
	    if (l->tip_changed)
		l->tip_changed(l->arg, tip->hash, tip->height, ibd));
	if (v->stop_at_height > 0 && tip->height >= v->stop_at_height &&
	    !v->stop_requested) {
		v->stop_requested = 1;
		cs_bench_log(v->cs, "at -stopatheight");
		log_info("Reached -stopatheight=%lld: requesting shutdown",
		    (long long)v->stop_at_height);
		shutdown_request();
	}
}

/* A new operator warning: kept for the RPC, then told to the listeners. */
static void
on_warning(void *arg, const char *msg)
{
	struct validation_listener l[VALIDATION_MAX_LISTENERS];
	struct validation *v = arg;
	size_t i, n;
	int k, fresh = 1;

	pthread_mutex_lock(&v->hook_mu);
	for (k = 0; k < v->nwarnings; k++)
		if (strcmp(v->warnings[k], msg) == 0)
			fresh = 0;
	if (fresh && v->nwarnings < VALIDATION_MAX_WARNINGS)
		snprintf(v->warnings[v->nwarnings++], VALIDATION_WARNING_LEN,
		    "%s", msg);
	pthread_mutex_unlock(&v->hook_mu);
	if (!fresh)
		return;
	n = listeners_enter(v, l);
	for (i = 0; i < n; i++)
		if (l[i].warning)
			l[i].warning(l[i].arg, msg);
	hooks_leave(v);
}

int
validation_warnings(struct validation *v, char out[][VALIDATION_WARNING_LEN],
    int max)
{
	int k, n = 0;

	pthread_mutex_lock(&v->hook_mu);
	for (k = 0; k < v->nwarnings && n < max; k++)
		memcpy(out[n++], v->warnings[k], VALIDATION_WARNING_LEN);
	pthread_mutex_unlock(&v->hook_mu);
	return n;
}

/* Tells the listeners a block joined (connected) or left the active chain. */
static void
fire_block(struct validation *v, int connected,
    const struct block_index_entry *e, const uint8_t *raw, size_t len)
{
	void (*fn)(void *, const uint8_t *, size_t, int32_t);

	FOR_EACH_LISTENER(v, l,
			  fn = connected ? l->block_connected :
					   l->block_disconnected;
			  if (fn) fn(l->arg, raw, len, e->height));
}

static void
on_block_connected(void *arg, const struct block_index_entry *e,
    const uint8_t *raw, size_t len)
{
	fire_block(arg, 1, e, raw, len);
}

static void
on_block_disconnected(void *arg, const struct block_index_entry *e,
    const uint8_t *raw, size_t len)
{
	fire_block(arg, 0, e, raw, len);
}

static void
on_pow_valid_block(void *arg, const struct block_index_entry *e,
    const uint8_t *raw, size_t len)
{
	FOR_EACH_LISTENER((struct validation *)arg, l,
	    if (l->pow_valid_block)
		l->pow_valid_block(l->arg, raw, len, e->height));
}

static void
on_reorg_done(void *arg)
{
	FOR_EACH_LISTENER((struct validation *)arg, l,
	    if (l->reorg_done) l->reorg_done(l->arg));
}

void
validation_notify_block(struct validation *v, const struct block_result *r,
    uint64_t peer_id)
{
	FOR_EACH_LISTENER(v, l,
	    if (l->block_done) l->block_done(l->arg, peer_id, r->hash, r->res,
		r->res == VAL_OK || r->res == VAL_DUPLICATE ? NULL :
							      r->st.reason));
}

/*
 * -prune as Core reads it: 0 off, 1 manual (pruneblockchain), else a
 * target in MiB of at least 550; refused with -txindex and
 * -reindex-chainstate, and a store that was pruned once cannot go back
 * to keeping every block. -1 after logging the error.
 */
static int
prune_options(const struct args *a, struct store *s,
    struct chainstate_opts *o)
{
	int64_t mib = args_get_int(a, "prune", 0);
	struct store_rtxn *r;
	const uint8_t *p;
	size_t n;
	int have = 0;

	if (mib < 0) {
		log_warnx("Error: Prune cannot be configured with a negative "
			  "value.");
		return -1;
	}
	if (mib > 1 && mib < 550) {
		log_warnx("Error: Prune configured below the minimum of 550 "
			  "MiB.  Please use a higher number.");
		return -1;
	}
	o->prune_target = mib == 0 ? 0 :
	    mib == 1		   ? CHAINSTATE_PRUNE_MANUAL :
				     (uint64_t)mib * 1024 * 1024;
	if (mib != 0 && o->txindex) {
		log_warnx("Error: Prune mode is incompatible with -txindex.");
		return -1;
	}
	if (mib != 0 && args_get_bool(a, "reindex-chainstate", 0)) {
		log_warnx("Error: Prune mode is incompatible with "
			  "-reindex-chainstate. Use full -reindex instead.");
		return -1;
	}
	if (store_read_begin(s, &r) == STORE_OK) {
		have = store_get_meta(r, "havepruned", &p, &n) == STORE_OK;
		store_read_end(r);
	}
	if (mib == 0 && have) {
		/* Core's words; -reindex starts a store that never pruned. */
		log_warnx("Error: You need to rebuild the database using "
			  "-reindex to go back to unpruned mode.  This will "
			  "redownload the entire blockchain");
		return -1;
	}
	if (mib > 1)
		log_info("Prune configured to target %lld MiB on disk for "
			 "block and undo files.",
		    (long long)mib);
	else if (mib == 1)
		log_info("Block pruning enabled.  Use RPC call "
			 "pruneblockchain(height) to manually prune block and "
			 "undo files.");
	return 0;
}

/*
 * A store failure stops the node; when it was a damaged block file the
 * message says which block and what happens next (blockdamage.c).
 */
static void
store_failure(struct validation *v, const char *what)
{
	char hex[65];
	int in_chain;

	if (chainstate_forget_damaged(v->cs, hex, &in_chain) == 0)
		fatalx("validation: store failure while %s; stopping with the "
		       "chainstate at its last commit",
		    what);
	if (in_chain)
		fatalx("Error: block %s of the active chain cannot be read "
		       "from the block files (the log line before names the "
		       "file and offset). Restore the blocks and chainstate "
		       "directories from a backup, or move both away and sync "
		       "again",
		    hex);
	fatalx("Error: block %s cannot be read from the block files (the log "
	       "line before names the file and offset); its data has been "
	       "dropped and it will be downloaded again: start bitrootd again",
	    hex);
}

enum val_result
validation_process_block(struct validation *v, uint64_t peer_id,
    const uint8_t *raw, size_t len, struct block_result *r)
{
	enum val_result res = chainstate_process_block(v->cs, raw, len, r);

	if (res == VAL_ERROR)
		store_failure(v, "processing a block");
	validation_notify_block(v, r, peer_id);
	if (res == VAL_OK)
		import_release_children(v, r->hash);
	return res;
}

void
validation_activate(struct validation *v)
{
	int more = 0;

	if (chainstate_activate(v->cs, ACTIVATE_STEP, &more) != 0)
		store_failure(v, "activating the best chain");
	if (more)
		v->activate_pending = 1;
}

static void
dispatch_headers(struct validation *v, struct msg *m)
{
	struct val_state st;
	uint8_t last[32];
	size_t n = m->len / sizeof(struct block_header), accepted = 0;
	enum val_result res;

	memset(last, 0, sizeof(last));
	if (m->len % sizeof(struct block_header) != 0 || n == 0) {
		vs_clear(&st);
		res = VAL_INVALID;
		snprintf(st.reason, sizeof(st.reason), "bad-headers-batch");
	} else
		res = chainstate_process_headers(v->cs,
		    (const struct block_header *)(const void *)m->data, n,
		    &accepted, last, &st);
	if (res == VAL_ERROR)
		fatalx("validation: store failure while storing headers");
	FOR_EACH_LISTENER(v, l,
	    if (l->headers_done) l->headers_done(l->arg, m->peer_id, res,
		res == VAL_OK ? NULL : st.reason, last));
}

/*
 * After a call is served and before its caller hears: blocks it
 * connected (submitblock, or the network queue validation_sync drains)
 * are committed and their listeners told, so that the answer and the
 * store agree.
 */
static void
end_batch(void *owner)
{
	struct validation *v = owner;

	chainstate_end_batch(v->cs);
}

static void halted(struct validation *v, struct msg *m);

static void
dispatch(struct validation *v, struct msg *m)
{
	struct block_result r;

	/* A snapshot that failed validation: only stop answering is left. */
	if (__atomic_load_n(&v->halted, __ATOMIC_RELAXED)) {
		halted(v, m);
		return;
	}
	switch (m->type) {
	case VMSG_BLOCK:
		validation_process_block(v, m->peer_id, m->data, m->len, &r);
		break;
	case VMSG_HEADERS: dispatch_headers(v, m); break;
	case VMSG_REQUEST:
		request_serve_then(request_of(m), v, end_batch);
		break;
	case VMSG_IMPORT_BLOCK:
		import_process(v, m);
		return; /* import_process owns m */
	case VMSG_IMPORT_DONE: import_done(v); break;
	case VMSG_WRITE: {
		struct write_job *j = write_job_of(m);

		write_job_finish(j, cs_write(v->cs, write_job_txn, j));
		break;
	}
	case VMSG_BG_DONE: au_dispatch(v, m); break;
	default:
		log_warnx("validation: unknown message type %d", m->type);
		break;
	}
	msg_free(m);
}

/* After a failed snapshot: every call and block is refused until shutdown. */
static void
halted(struct validation *v, struct msg *m)
{
	(void)v;
	if (m->type == VMSG_REQUEST)
		request_refuse(request_of(m), VALIDATION_E_SHUTDOWN,
		    "Shutting down");
	else if (m->type == VMSG_WRITE)
		write_job_finish(write_job_of(m), QUEUE_ECLOSED);
	msg_free(m);
}

static int
drain(struct validation *v, struct queue *q)
{
	struct msg *m, *next;
	int n = 0;

	m = queue_drain(q);
	/*
	 * A call may read the store (directly, or by a thread it answers):
	 * what it sees must be what the chainstate says, so a sync batch
	 * commits first.
	 */
	if (m && q == v->callq)
		chainstate_end_batch(v->cs);
	for (; m; m = next) {
		next = m->next;
		m->next = NULL;
		dispatch(v, m);
		n++;
	}
	/* Blocks stored may be what background validation waits for. */
	if (n > 0)
		au_blocks_stored(v);
	return n;
}

void
validation_drain_net(struct validation *v)
{
	(void)drain(v, v->netq);
}

static void *
validation_main(void *arg)
{
	struct validation *v = arg;
	struct pollfd pfd[3];
	struct msg *m;
	int busy;

	log_thread_name("validation");
	pfd[0].fd = queue_fd(v->callq);
	pfd[1].fd = queue_fd(v->netq);
	pfd[2].fd = queue_fd(v->impq);
	while (!__atomic_load_n(&v->stopping, __ATOMIC_ACQUIRE)) {
		/* No sync batch while the background chainstate writes. */
		chainstate_allow_batches(v->cs, v->bg == NULL);
		busy = drain(v, v->callq);
		busy += drain(v, v->netq);
		if (v->activate_pending &&
		    __atomic_load_n(&v->halted, __ATOMIC_RELAXED))
			v->activate_pending = 0;
		if (v->activate_pending) {
			v->activate_pending = 0;
			validation_activate(v);
			if (!v->activate_pending && v->reindexing) {
				chainstate_end_batch(v->cs);
				v->reindexing = 0;
				log_info("reindex: done at height %d",
				    v->cs->chain.height);
				if (!v->importing)
					chainstate_set_importing(v->cs, 0);
			}
			busy++;
		} else if (!v->stop_requested) {
			if (v->import_list == NULL)
				v->import_list = queue_drain(v->impq);
			if ((m = v->import_list) != NULL) {
				v->import_list = m->next;
				m->next = NULL;
				dispatch(v, m);
				au_blocks_stored(v);
				busy++;
			}
		}
		if (busy)
			continue;
		/* Out of work: nothing waits uncommitted while idle. */
		chainstate_end_batch(v->cs);
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		if (poll(pfd, 3, -1) == -1 && errno != EINTR)
			fatal("validation: poll");
	}
	/* The batch's write transaction belongs to this thread. */
	chainstate_end_batch(v->cs);
	return NULL;
}

/* Fails every call and write still queued, so no caller waits for nothing. */
static void
fail_queued_calls(struct validation *v)
{
	struct msg *m, *next;

	for (m = queue_drain(v->callq); m; m = next) {
		next = m->next;
		if (m->type == VMSG_REQUEST)
			request_refuse(request_of(m), VALIDATION_E_SHUTDOWN,
			    "Shutting down");
		else if (m->type == VMSG_WRITE)
			write_job_finish(write_job_of(m), QUEUE_ECLOSED);
		msg_free(m);
	}
}

int
validation_start(const struct args *a, const struct chainparams *cp,
    struct store *s, struct validation **out)
{
	return validation_start_sc(a, cp, s, NULL, out);
}

/* Core's init checks of the block assembly options, and BlockAssembler's clamp. */
static int
read_block_limits(struct validation *v, const struct args *a,
    const struct chainparams *cp)
{
	int64_t maxw = args_get_int(a, "blockmaxweight", MAX_BLOCK_WEIGHT);
	int64_t resw = args_get_int(a, "blockreservedweight",
	    DEFAULT_BLOCK_RESERVED_WEIGHT);

	if (maxw > MAX_BLOCK_WEIGHT) {
		log_warnx("Error: Specified -blockmaxweight (%lld) exceeds "
			  "consensus maximum block weight (%d)",
		    (long long)maxw, MAX_BLOCK_WEIGHT);
		return -1;
	}
	if (resw > MAX_BLOCK_WEIGHT) {
		log_warnx("Error: Specified -blockreservedweight (%lld) "
			  "exceeds consensus maximum block weight (%d)",
		    (long long)resw, MAX_BLOCK_WEIGHT);
		return -1;
	}
	if (resw < MINIMUM_BLOCK_RESERVED_WEIGHT) {
		log_warnx("Error: Specified -blockreservedweight (%lld) is "
			  "lower than minimum safety value of (%d)",
		    (long long)resw, MINIMUM_BLOCK_RESERVED_WEIGHT);
		return -1;
	}
	if (maxw < resw)
		maxw = resw;
	v->block_max_weight = (size_t)maxw;
	v->block_reserved_weight = (size_t)resw;
	v->print_priority = args_get_bool(a, "printpriority", 0);
	/* Core only takes a mined block's version from the user on regtest. */
	if (args_is_set(a, "blockversion")) {
		if (!cp->mine_on_demand)
			log_warnx("-blockversion has no effect: only regtest "
				  "mines blocks with a chosen version");
		else {
			v->has_block_version = 1;
			v->block_version = (int32_t)args_get_int(a,
			    "blockversion", 0);
		}
	}
	return 0;
}

/* Core's DEFAULT_CHECKBLOCKS and DEFAULT_CHECKLEVEL. */
#define DEFAULT_CHECKBLOCKS 6
#define DEFAULT_CHECKLEVEL 3

/*
 * Core's VerifyLoadedChainstate: -checkblocks blocks below the tip checked
 * at -checklevel before anything is served, so that a store damaged on
 * disk stops the node instead of answering with wrong data. Skipped when
 * the chainstate is about to be rebuilt (-reindex, -reindex-chainstate).
 */
static int
verify_at_startup(struct validation *v, const struct args *a)
{
	int64_t nblocks = args_get_int(a, "checkblocks", DEFAULT_CHECKBLOCKS);
	int64_t level = args_get_int(a, "checklevel", DEFAULT_CHECKLEVEL);
	char why[256] = "";

	if (level < 0 || level > 4) {
		/* Core clamps the level; say so rather than do it silently. */
		log_warnx("Warning: -checklevel=%lld is outside 0-4; using %d",
		    (long long)level, level < 0 ? 0 : 4);
		level = level < 0 ? 0 : 4;
	}
	if (nblocks < 0 || nblocks > INT32_MAX)
		nblocks = 0; /* as Core: 0 or less checks every block */
	if (chainstate_verify_why(v->cs, (int)level, (int)nblocks, why,
		sizeof(why)))
		return 0;
	log_warnx(
	    "Error: Corrupted block database detected in %s: %s. "
	    "Restart with -reindex-chainstate to rebuild the UTXO set from the "
	    "stored blocks (or -reindex); if the blocks themselves are damaged, "
	    "restore the chainstate directory from a backup, or move it away "
	    "and sync again",
	    store_path(v->store), why);
	return -1;
}

/*
 * Core 28's cache sizes (node/caches.cpp) from -dbcache in MiB (default
 * 450, at least 4, at most 16384): the coins database cache (db) and the
 * in-memory coins cache (tip). getchainstates reports them as Core does;
 * tip bounds the dirty pages of a sync batch, the memory that plays the
 * part of Core's coins cache during initial download.
 */
#define DEFAULT_DB_CACHE_MIB 450
#define MIN_DB_CACHE_MIB 4
#define MAX_DB_CACHE_MIB 16384
#define MAX_BLOCK_DB_CACHE_MIB 2
#define MAX_TXINDEX_CACHE_MIB 1024
#define MAX_COINS_DB_CACHE_MIB 8

void
validation_cache_sizes(const struct args *a, uint64_t *db, uint64_t *tip)
{
	int64_t mib = args_get_int(a, "dbcache", DEFAULT_DB_CACHE_MIB);
	int64_t total, blocktree, txindex = 0, coinsdb;

	if (mib < MIN_DB_CACHE_MIB)
		mib = MIN_DB_CACHE_MIB;
	if (mib > MAX_DB_CACHE_MIB)
		mib = MAX_DB_CACHE_MIB;
	total = mib << 20;
	blocktree = total / 8 < ((int64_t)MAX_BLOCK_DB_CACHE_MIB << 20) ?
	    total / 8 :
	    (int64_t)MAX_BLOCK_DB_CACHE_MIB << 20;
	total -= blocktree;
	if (args_get_bool(a, "txindex", 0))
		txindex = total / 8 < ((int64_t)MAX_TXINDEX_CACHE_MIB << 20) ?
		    total / 8 :
		    (int64_t)MAX_TXINDEX_CACHE_MIB << 20;
	total -= txindex;
	coinsdb = total / 2 < total / 4 + (1 << 23) ? total / 2 :
						      total / 4 + (1 << 23);
	if (coinsdb > ((int64_t)MAX_COINS_DB_CACHE_MIB << 20))
		coinsdb = (int64_t)MAX_COINS_DB_CACHE_MIB << 20;
	*db = (uint64_t)coinsdb;
	*tip = (uint64_t)(total - coinsdb);
}

int
validation_start_sc(const struct args *a, const struct chainparams *cp,
    struct store *s, struct sigcache *sc, struct validation **out)
{
	return validation_start_locks(a, cp, s, sc, NULL, 0, out);
}

int
validation_prune_lock_find(struct validation *v, const char *name)
{
	return chainstate_prune_lock_find(v->cs, name);
}

void
validation_prune_lock_set(struct validation *v, int id, int32_t height)
{
	chainstate_prune_lock_set(v->cs, id, height);
}

int
validation_start_locks(const struct args *a, const struct chainparams *cp,
    struct store *s, struct sigcache *sc,
    const struct chainstate_prune_lock *locks, size_t nlocks,
    struct validation **out)
{
	struct validation *v = xcalloc(1, sizeof(*v));
	struct chainstate_opts o;
	struct chainstate_hooks h;
	uint64_t dbc;
	int rc;

	pthread_mutex_init(&v->hook_mu, NULL);
	pthread_cond_init(&v->hook_cv, NULL);
	if (read_block_limits(v, a, cp) != 0) {
		pthread_cond_destroy(&v->hook_cv);
		pthread_mutex_destroy(&v->hook_mu);
		free(v);
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.sigcache = sc;
	validation_cache_sizes(a, &dbc, &o.batch_bytes);
	o.script_threads = (int)args_get_int(a, "par", 0);
	if (o.script_threads < 0) {
		/* Core: a negative -par leaves that many cores free. */
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		o.script_threads = (int)(n + o.script_threads);
		if (o.script_threads < 1)
			o.script_threads = 1;
	}
	v->args = a;
	v->cp = cp;
	v->store = s;
	o.txindex = args_get_bool(a, "txindex", 0);
	v->stop_at_height = args_get_int(a, "stopatheight", 0);
	o.stop_at_height = v->stop_at_height;
	o.prune_locks = locks;
	o.n_prune_locks = nlocks;
	if (prune_options(a, s, &o) != 0 || au_startup(v, a, &o) != 0 ||
	    chainstate_open(cp, s, &o, &v->cs) != 0) {
		pthread_mutex_destroy(&v->au_mu);
		pthread_cond_destroy(&v->hook_cv);
		pthread_mutex_destroy(&v->hook_mu);
		free(v);
		return -1;
	}
	memset(&h, 0, sizeof(h));
	h.arg = v;
	h.tip_changed = on_tip_changed;
	h.block_connected = on_block_connected;
	h.block_disconnected = on_block_disconnected;
	h.reorg_done = on_reorg_done;
	h.pow_valid_block = on_pow_valid_block;
	h.warning = on_warning;
	chainstate_set_hooks(v->cs, &h);
	v->netq = queue_new("validation-net", NETQ_HWM, QUEUE_REFUSE);
	v->callq = queue_new("validation-rpc", CALLQ_HWM, QUEUE_REFUSE);
	v->impq = queue_new("validation-import", IMPQ_HWM, QUEUE_BLOCK);

	if (args_get_bool(a, "reindex", 0) ||
	    args_get_bool(a, "reindex-chainstate", 0)) {
		v->reindexing = 1;
		chainstate_set_importing(v->cs, 1);
		if (chainstate_reindex(v->cs) != 0) {
			validation_stop(v);
			return -1;
		}
	}
	if ((!v->reindexing && verify_at_startup(v, a) != 0) ||
	    chainstate_sync_txindex(v->cs) != 0) {
		validation_stop(v);
		return -1;
	}
	au_start(v);
	/* Finish whatever an earlier run left half done, in steps. */
	v->activate_pending = 1;
	if ((rc = import_start(v)) != 0) {
		validation_stop(v);
		return -1;
	}
	if (pthread_create(&v->thread, NULL, validation_main, v) != 0) {
		log_warnx("validation: cannot start the thread");
		validation_stop(v);
		return -1;
	}
	v->thread_started = 1;
	*out = v;
	return 0;
}

void
validation_stop(struct validation *v)
{
	struct msg *m, *next;

	if (v == NULL)
		return;
	__atomic_store_n(&v->stopping, 1, __ATOMIC_RELEASE);
	queue_close(v->callq);
	queue_close(v->netq);
	queue_close(v->impq);
	import_stop(v);
	if (v->thread_started)
		pthread_join(v->thread, NULL);
	/* Background validation stops after the block in hand. */
	au_stop(v);
	fail_queued_calls(v);
	for (m = v->import_list; m; m = next) {
		next = m->next;
		msg_free(m);
	}
	for (m = queue_drain(v->impq); m; m = next) {
		next = m->next;
		msg_free(m);
	}
	for (m = queue_drain(v->netq); m; m = next) {
		next = m->next;
		msg_free(m);
	}
	import_free_held(v);
	chainstate_close(v->cs);
	queue_free(v->callq);
	queue_free(v->netq);
	queue_free(v->impq);
	pthread_cond_destroy(&v->hook_cv);
	pthread_mutex_destroy(&v->hook_mu);
	free(v);
}
