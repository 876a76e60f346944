/*
 * Requests served for the rpc thread that change or check the chain:
 * invalidateblock, reconsiderblock, preciousblock, verifychain and the
 * syncwithvalidationinterfacequeue barrier (validation.h). Each runs on
 * the validation thread through request_serve; the rpc module parses the
 * parameters and words the answers.
 */
#include <string.h>

#include "util/log.h"
#include "validation/chainstate_int.h"
#include "validation/validation_int.h"

struct mark_in {
	enum validation_mark how;
	uint8_t hash[32];
};

static void
serve_mark(void *owner, void *inp, void *outp, struct request *r)
{
	struct validation *v = owner;
	struct mark_in *in = inp;
	int rc = -1;

	(void)outp;
	switch (in->how) {
	case VALIDATION_INVALIDATE:
		rc = chainstate_invalidate(v->cs, in->hash);
		break;
	case VALIDATION_RECONSIDER:
		rc = chainstate_reconsider(v->cs, in->hash);
		break;
	case VALIDATION_PRECIOUS:
		/* Its only failure is an unknown block. */
		rc = chainstate_precious(v->cs, in->hash) != 0 ? -1 : 0;
		break;
	}
	switch (rc) {
	case 0: break;
	case -1:
		request_fail(r, VALIDATION_E_NOT_FOUND, "Block not found");
		return;
	case -2:
		/* The genesis block: Core accepts it and changes nothing. */
		return;
	case -4:
		request_fail(r, VALIDATION_E_REFUSED,
		    "Cannot invalidate a "
		    "block at or below the base of the UTXO snapshot in use "
		    "before background validation has finished");
		return;
	default:
		fatalx("validation: store failure in %s",
		    in->how == VALIDATION_INVALIDATE ? "invalidateblock" :
						       "reconsiderblock");
	}
	validation_activate(v);
}

int
validation_mark_block(struct validation *v, enum validation_mark how,
    const uint8_t hash[32], int timeout_ms, struct request_error *err)
{
	struct mark_in in;
	struct request *r;
	char none;

	memset(&in, 0, sizeof(in));
	in.how = how;
	memcpy(in.hash, hash, 32);
	r = request_new(serve_mark, &in, sizeof(in), NULL, 0, NULL);
	return validation_request(v, r, timeout_ms, &none, err);
}

struct verify_in {
	int level;
	int nblocks;
};

static void
serve_verify(void *owner, void *inp, void *outp, struct request *r)
{
	struct validation *v = owner;
	struct verify_in *in = inp;
	int *ok = outp;

	(void)r;
	*ok = chainstate_verify(v->cs, in->level, in->nblocks);
}

int
validation_verify_chain(struct validation *v, int level, int nblocks, int *ok,
    int timeout_ms, struct request_error *err)
{
	struct verify_in in;
	struct request *r;

	in.level = level;
	in.nblocks = nblocks;
	r = request_new(serve_verify, &in, sizeof(in), NULL, sizeof(*ok),
	    NULL);
	return validation_request(v, r, timeout_ms, ok, err);
}

static void
serve_sync(void *owner, void *inp, void *outp, struct request *r)
{
	(void)inp;
	(void)outp;
	(void)r;
	/*
	 * Blocks and headers queued before this request (on the network
	 * queue, which the loop serves after requests) are handled, and
	 * their listeners called, before it is answered.
	 */
	validation_drain_net(owner);
}

int
validation_sync(struct validation *v, int timeout_ms,
    struct request_error *err)
{
	struct request *r = request_new(serve_sync, NULL, 0, NULL, 0, NULL);
	char none;

	return validation_request(v, r, timeout_ms, &none, err);
}

uint64_t
validation_prune_target(struct validation *v)
{
	return v->cs->opts.prune_target;
}

int32_t
validation_prune_height(struct validation *v)
{
	return chainstate_prune_height(v->cs);
}

static void
serve_prune(void *owner, void *inp, void *outp, struct request *r)
{
	struct validation *v = owner;
	int32_t *last = outp, h;

	if (chainstate_prune_manual(v->cs, *(int32_t *)inp) != 0) {
		request_fail(r, VALIDATION_E_FAILED,
		    "Pruning the block files failed (see the log)");
		return;
	}
	/* Core answers the height of the last block pruned, -1 for none. */
	h = chainstate_prune_height(v->cs);
	*last = h > 0 ? h - 1 : -1;
}

int
validation_prune_blockchain(struct validation *v, int32_t height,
    int32_t *last_pruned, int timeout_ms, struct request_error *err)
{
	struct request *r;

	r = request_new(serve_prune, &height, sizeof(height), NULL,
	    sizeof(*last_pruned), NULL);
	return validation_request(v, r, timeout_ms, last_pruned, err);
}
