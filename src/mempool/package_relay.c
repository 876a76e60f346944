/*
 * Packages on the mempool thread: submitpackage for the rpc thread
 * (mempool_req_package) and 1p1c packages from the net thread
 * (mempool_submit_package, handled from the transaction queue). Both go
 * through mempool_accept_package; this file turns its result into the
 * rpc thread's rows or the listeners' notices.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mempool/mempool_int.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/queue.h"
#include "util/xmalloc.h"

/* ---- from peers ---- */

int
mempool_submit_package(struct mempool *m, const uint64_t peers[2],
    const uint8_t *const raws[2], const size_t lens[2])
{
	struct mpq_package hdr;
	struct msg *msg;
	int rc;

	memset(&hdr, 0, sizeof(hdr));
	hdr.peer[0] = peers[0];
	hdr.peer[1] = peers[1];
	hdr.len[0] = lens[0];
	hdr.len[1] = lens[1];
	msg = msg_new(MPQ_PACKAGE, peers[1], NULL,
	    sizeof(hdr) + lens[0] + lens[1]);
	memcpy(msg->data, &hdr, sizeof(hdr));
	memcpy(msg->data + sizeof(hdr), raws[0], lens[0]);
	memcpy(msg->data + sizeof(hdr) + lens[0], raws[1], lens[1]);
	if ((rc = queue_push(m->txq, msg)) != 0)
		msg_free(msg);
	return rc;
}

/*
 * Tells the listeners what became of a package from peers: a failed
 * package first (so net never retries the pair on hearing of a member),
 * then each member's refusal, tagged with its sender.
 */
static void
notify(struct mempool *m, const struct mpq_package *hdr,
    const struct pkg_result *res)
{
	uint8_t wtxids[2][32];
	size_t i, k, nl = __atomic_load_n(&m->nlisteners, __ATOMIC_ACQUIRE);

	for (i = 0; i < res->n && i < 2; i++)
		memcpy(wtxids[i], res->tx[i].wtxid, 32);
	for (k = 0; k < nl && res->state != PKG_OK; k++)
		if (m->listeners[k].package_rejected)
			m->listeners[k].package_rejected(m->listeners[k].arg,
			    (const uint8_t(*)[32])wtxids, res->n);
	for (i = 0; i < res->n && i < 2; i++) {
		const struct pkg_tx_result *t = &res->tx[i];
		enum mempool_reject kind;

		/* Still an orphan: it stays where it is (Core). */
		if (t->kind != PKG_TX_INVALID ||
		    t->r.code == ACCEPT_MISSING_INPUTS)
			continue;
		kind = mempool_reject_kind(&t->r);
		for (k = 0; k < nl; k++)
			if (m->listeners[k].tx_rejected)
				m->listeners[k]
				    .tx_rejected(m->listeners[k].arg,
					hdr->peer[i], t->txid, t->wtxid, kind,
					t->r.reason, NULL, 0);
	}
}

void
mempool_handle_package(struct mempool *m, const struct msg *msg)
{
	struct mpq_package hdr;
	struct pkg_result *res;
	const uint8_t *raws[2];
	char a[65], b[65];

	if (msg->len < sizeof(hdr))
		fatalx("mempool queue: short package");
	memcpy(&hdr, msg->data, sizeof(hdr));
	if (msg->len != sizeof(hdr) + hdr.len[0] + hdr.len[1])
		fatalx("mempool queue: bad package lengths");
	raws[0] = msg->data + sizeof(hdr);
	raws[1] = raws[0] + hdr.len[0];
	res = xmalloc(sizeof(*res));
	mempool_accept_package(m, raws, hdr.len, 2, 0, hdr.peer, res);
	if (res->n == 2) {
		hash_to_hex(res->tx[0].wtxid, a);
		hash_to_hex(res->tx[1].wtxid, b);
		/* Core's -debug=txpackages line, for the mempool category. */
		log_debug(LOG_MEMPOOL,
		    "package evaluation for parent %s + "
		    "child %s from peer=%llu: %s%s%s",
		    a, b, (unsigned long long)hdr.peer[1],
		    res->state == PKG_OK ? "success" : res->reason,
		    res->debug[0] ? ", " : "", res->debug);
	}
	if (res->state == PKG_MEMPOOL_ERROR)
		log_warnx("mempool: package evaluation: %s", res->reason);
	notify(m, &hdr, res);
	free(res);
	mempool_notify_done(m, hdr.peer[0]);
}

/* ---- submitpackage ---- */

void
mempool_package_in_free(void *in_)
{
	struct mempool_package_in *in = in_;

	mempool_test_in_free(&in->txs);
}

void
mempool_package_out_free(void *out_)
{
	struct mempool_package_out *out = out_;
	size_t i;

	for (i = 0; i < out->n; i++) {
		free(out->rows[i].includes);
		free(out->rows[i].replaced);
	}
	free(out->rows);
	out->rows = NULL;
	out->n = 0;
}

static void
fill_row(struct mempool_package_row *row, const struct pkg_tx_result *t)
{
	memcpy(row->txid, t->txid, 32);
	memcpy(row->wtxid, t->wtxid, 32);
	switch (t->kind) {
	case PKG_TX_NONE: row->kind = MEMPOOL_PKG_NONE; break;
	case PKG_TX_OTHER_WITNESS:
		row->kind = MEMPOOL_PKG_OTHER_WITNESS;
		memcpy(row->other_wtxid, t->other_wtxid, 32);
		break;
	case PKG_TX_INVALID:
		row->kind = MEMPOOL_PKG_INVALID;
		mempool_state_string(&t->r, row->error, sizeof(row->error));
		break;
	case PKG_TX_IN_POOL:
		row->kind = MEMPOOL_PKG_IN_POOL;
		row->vsize = t->vsize;
		row->fee = t->fee;
		break;
	case PKG_TX_VALID:
		row->kind = MEMPOOL_PKG_VALID;
		row->vsize = t->vsize;
		row->fee = t->fee;
		row->effective_feerate = t->effective_feerate;
		row->nincludes = t->nincludes;
		row->includes = xmemdup(t->includes,
		    t->nincludes ? t->nincludes * 32 : 1);
		row->nreplaced = t->r.nreplaced;
		row->replaced = xmemdup(t->r.replaced,
		    t->r.nreplaced ? t->r.nreplaced * 32 : 1);
		break;
	}
}

void
mempool_req_package(void *owner, void *in_, void *out_, struct request *r)
{
	struct mempool *m = owner;
	struct mempool_package_in *in = in_;
	struct mempool_package_out *out = out_;
	struct pkg_result *res;
	size_t i;

	(void)r;
	res = xmalloc(sizeof(*res));
	mempool_accept_package(m, (const uint8_t *const *)in->txs.raws,
	    in->txs.lens, in->txs.n, in->max_feerate, NULL, res);
	if (res->state != PKG_OK) {
		out->failed = 1;
		out->internal = res->state == PKG_MEMPOOL_ERROR;
		if (res->debug[0])
			snprintf(out->msg, sizeof(out->msg), "%s, %s",
			    res->reason, res->debug);
		else
			snprintf(out->msg, sizeof(out->msg), "%s",
			    res->reason);
	}
	out->n = in->txs.n;
	out->rows = xcalloc(out->n ? out->n : 1, sizeof(*out->rows));
	for (i = 0; i < out->n && i < res->n; i++)
		fill_row(&out->rows[i], &res->tx[i]);
	free(res);
}
