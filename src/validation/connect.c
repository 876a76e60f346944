/*
 * Connecting a block to the UTXO set and disconnecting it again (Core's
 * ConnectBlock and DisconnectBlock), inside a write transaction the caller
 * owns.
 *
 * Connecting runs in two phases. The first only reads: it finds every
 * spent coin (in the store, or among the outputs of earlier transactions
 * of the same block, which never touch the store), checks amounts, lock
 * times and sigops, writes the undo record and hands the script checks to
 * the check queue. Pointers the store returned stay valid because nothing
 * is written yet. The second phase, after every script passed, deletes the
 * spent coins, adds the surviving new ones and records undo, index entry,
 * active chain and tip, so the whole block commits at once.
 *
 * All per-block arrays live in connect_scratch and are reused, so a block
 * costs no allocation beyond the parser's and the script module's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "crypto/hash.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "validation/assumevalid.h"
#include "validation/chainstate_int.h"
#include "util/siphash.h"

/* Where the spent coin of the same index in connect_scratch.coins came from. */
struct spent_ref {
	const struct outpoint *op; /* the input's prevout, in the block */
	int from_store;		   /* delete from the store in phase two */
};

/*
 * Open addressing table of 32-bit values (index + 1; 0 is empty), keyed
 * by something the caller hashes. Sized to at least twice its content.
 */
struct slot_table {
	uint32_t *slot;
	size_t cap; /* a power of two */
};

struct connect_scratch {
	struct consensus_coin *coins; /* the spent coins, flat, per input */
	struct spent_ref *refs;
	size_t cap_ins;
	struct txout *spent; /* their outputs again, as scripts want them */
	size_t cap_spent;
	size_t *in_off;	 /* per tx: first index into coins/spent */
	size_t *out_off; /* per tx: first index into out_spent */
	size_t cap_tx;
	uint8_t *out_spent; /* per output of the block: spent in the block */
	size_t cap_out;
	struct script_txdata **td;
	struct slot_table txmap;    /* txid -> tx index */
	struct slot_table spentmap; /* store outpoint -> coins index */
	uint64_t k0, k1;
	struct wbuf undo;
};

static struct connect_scratch *
scratch_get(struct chainstate *cs)
{
	struct connect_scratch *s = cs->scratch;
	uint8_t key[16];

	if (s)
		return s;
	s = xcalloc(1, sizeof(*s));
	if (RAND_bytes(key, sizeof(key)) != 1)
		fatalx("connect: RAND_bytes failed");
	memcpy(&s->k0, key, 8);
	memcpy(&s->k1, key + 8, 8);
	wbuf_init(&s->undo);
	cs->scratch = s;
	return s;
}

void
connect_scratch_free(struct connect_scratch *s)
{
	if (s == NULL)
		return;
	free(s->coins);
	free(s->refs);
	free(s->spent);
	free(s->in_off);
	free(s->out_off);
	free(s->out_spent);
	free(s->td);
	free(s->txmap.slot);
	free(s->spentmap.slot);
	wbuf_free(&s->undo);
	free(s);
}

static void
table_reset(struct slot_table *t, size_t n)
{
	size_t want = 16;

	while (want < n * 2)
		want *= 2;
	if (want > t->cap) {
		free(t->slot);
		t->slot = xcalloc(want, sizeof(*t->slot));
		t->cap = want;
	} else
		memset(t->slot, 0, t->cap * sizeof(*t->slot));
}

static size_t
hash_txid(const struct connect_scratch *s, const uint8_t h[32])
{
	return (size_t)siphash_u256(s->k0, s->k1, h);
}

/* The first tx of the block with this txid, before position limit, or -1. */
static long
txmap_find(const struct connect_scratch *s, const struct block *b,
    const uint8_t txid[32])
{
	size_t mask = s->txmap.cap - 1, k = hash_txid(s, txid) & mask;
	uint32_t v;

	while ((v = s->txmap.slot[k]) != 0) {
		if (memcmp(b->txs[v - 1].txid, txid, 32) == 0)
			return (long)v - 1;
		k = (k + 1) & mask;
	}
	return -1;
}

static void
txmap_add(struct connect_scratch *s, const struct block *b, size_t i)
{
	size_t mask = s->txmap.cap - 1,
	       k = hash_txid(s, b->txs[i].txid) & mask;
	uint32_t v;

	while ((v = s->txmap.slot[k]) != 0) {
		/* A second tx with the same id cannot spend: keep the first. */
		if (memcmp(b->txs[v - 1].txid, b->txs[i].txid, 32) == 0)
			return;
		k = (k + 1) & mask;
	}
	s->txmap.slot[k] = (uint32_t)i + 1;
}

static size_t
hash_outpoint(const struct connect_scratch *s, const struct outpoint *op)
{
	return hash_txid(s, op->hash) ^
	    ((size_t)op->n * 0x9e3779b97f4a7c15ull);
}

/*
 * Records that store coin op was spent by input idx; returns -1 if an
 * earlier input of the block already spent it.
 */
static int
spentmap_add(struct connect_scratch *s, const struct outpoint *op, size_t idx)
{
	size_t mask = s->spentmap.cap - 1, k = hash_outpoint(s, op) & mask;
	uint32_t v;

	while ((v = s->spentmap.slot[k]) != 0) {
		const struct outpoint *o = s->refs[v - 1].op;

		if (o->n == op->n && memcmp(o->hash, op->hash, 32) == 0)
			return -1;
		k = (k + 1) & mask;
	}
	s->spentmap.slot[k] = (uint32_t)idx + 1;
	return 0;
}

static void
scratch_size(struct connect_scratch *s, const struct block *b, size_t *nin,
    size_t *nout)
{
	size_t i, ni = 0, no = 0;

	for (i = 0; i < b->tx_count; i++) {
		if (i > 0)
			ni += b->txs[i].vin_count;
		no += b->txs[i].vout_count;
	}
	if (ni > s->cap_ins) {
		s->cap_ins = ni;
		s->coins = xreallocarray(s->coins, ni, sizeof(*s->coins));
		s->refs = xreallocarray(s->refs, ni, sizeof(*s->refs));
		s->spent = xreallocarray(s->spent, ni, sizeof(*s->spent));
	}
	if (b->tx_count + 1 > s->cap_tx) {
		s->cap_tx = b->tx_count + 1;
		s->in_off = xreallocarray(s->in_off, s->cap_tx,
		    sizeof(*s->in_off));
		s->out_off = xreallocarray(s->out_off, s->cap_tx,
		    sizeof(*s->out_off));
		s->td = xreallocarray(s->td, s->cap_tx, sizeof(*s->td));
	}
	if (no > s->cap_out) {
		s->cap_out = no;
		s->out_spent = xrealloc(s->out_spent, no);
	}
	memset(s->out_spent, 0, no);
	memset(s->td, 0, b->tx_count * sizeof(*s->td));
	table_reset(&s->txmap, b->tx_count);
	table_reset(&s->spentmap, ni);
	wbuf_reset(&s->undo);
	*nin = ni;
	*nout = no;
}

/* Whether BIP30 is checked for bi (the rule: consensus_bip30_enforced). */
static int
bip30_enforced(const struct chainstate *cs, struct bindex *bi)
{
	struct bindex *a = bindex_ancestor(bi->parent, cs->cp->bip34_height);

	return consensus_bip30_enforced(cs->cp, bi->e.height, bi->e.hash,
	    a ? a->e.hash : NULL);
}

uint32_t
block_script_flags(const struct chainstate *cs, const struct bindex *bi)
{
	return consensus_block_script_flags(cs->cp, bi->e.height, bi->e.hash);
}

/* The block at height h on bi's chain (its own parent's ancestry). */
static struct bindex *
chain_ancestor(struct chainstate *cs, struct bindex *bi, int32_t h)
{
	if (chain_contains(&cs->chain, bi->parent))
		return chain_at(&cs->chain, h);
	return bindex_ancestor(bi, h);
}

/* The chain consensus_check_sequence_locks asks about: bi's. */
struct block_chain {
	struct chainstate *cs;
	struct bindex *bi;
};

static int
block_mtp_at(void *arg, int32_t height, int64_t *mtp)
{
	struct block_chain *bc = arg;
	struct bindex *a = chain_ancestor(bc->cs, bc->bi, height);

	if (a == NULL)
		return -1;
	*mtp = bindex_median_time_past(a);
	return 0;
}

static void
free_txdata(struct connect_scratch *s, const struct block *b)
{
	size_t i;

	for (i = 0; i < b->tx_count; i++) {
		if (s->td[i]) {
			script_txdata_free(s->td[i]);
			s->td[i] = NULL;
		}
	}
}

/* The index entry bi will have once connected. */
static void
connected_entry(const struct bindex *bi, struct block_index_entry *e)
{
	*e = bi->e;
	e->status |= BLOCK_VALID_HEADER | BLOCK_VALID_TREE | BLOCK_VALID_TX |
	    BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA;
	if (bi->e.height > 0)
		e->status |= BLOCK_HAVE_UNDO;
}

static int
write_connected(struct chainstate *cs, struct store_wtxn *w, struct bindex *bi,
    const struct wbuf *undo)
{
	struct block_index_entry e;
	int rc;

	/* The index and the block belong to the followed chainstate's owner. */
	if (cs->background) {
		if (undo &&
		    (rc = store_put_undo(w, bi->e.hash, undo->p, undo->len)) !=
			0)
			return rc;
		if ((rc = store_set_active_hash(w, bi->e.height,
			 bi->e.hash)) != 0 ||
		    (rc = store_set_tip(w, bi->e.hash, bi->e.height)) != 0)
			return rc;
		return 0;
	}
	connected_entry(bi, &e);
	if (bi->pending_raw &&
	    (rc = store_put_block(w, bi->e.hash, bi->pending_raw,
		 bi->pending_len)) != 0)
		return rc;
	if (undo &&
	    (rc = store_put_undo(w, bi->e.hash, undo->p, undo->len)) != 0)
		return rc;
	if ((rc = store_put_index(w, &e)) != 0 ||
	    (rc = store_set_active_hash(w, bi->e.height, bi->e.hash)) != 0 ||
	    (rc = store_set_tip(w, bi->e.hash, bi->e.height)) != 0)
		return rc;
	return 0;
}

/* Phase two: the coin changes. */
static int
write_coins(struct connect_scratch *s, struct store_wtxn *w,
    const struct block *b, int32_t height, size_t nin)
{
	struct outpoint op;
	struct coin c;
	size_t i, k;
	int rc;

	for (k = 0; k < nin; k++) {
		if (!s->refs[k].from_store)
			continue;
		if ((rc = store_del_coin(w, s->refs[k].op)) != 0)
			return rc;
	}
	c.height = height;
	for (i = 0; i < b->tx_count; i++) {
		const struct tx *tx = &b->txs[i];

		memcpy(op.hash, tx->txid, 32);
		c.coinbase = i == 0;
		for (k = 0; k < tx->vout_count; k++) {
			if (s->out_spent[s->out_off[i] + k] ||
			    script_is_unspendable(tx->vout[k].script,
				tx->vout[k].script_len))
				continue;
			op.n = (uint32_t)k;
			c.value = tx->vout[k].value;
			/* The store copies the script; it only reads it. */
			c.script = (uint8_t *)(uintptr_t)tx->vout[k].script;
			c.script_len = tx->vout[k].script_len;
			if ((rc = store_put_coin(w, &op, &c)) != 0)
				return rc;
		}
	}
	return 0;
}

/* Finds the coin spent by input in of tx (position ti) and checks it is unspent. */
static int
find_coin(struct chainstate *cs, struct store_rtxn *r, const struct block *b,
    size_t ti, const struct txin *in, size_t idx, int32_t height,
    struct val_state *st)
{
	struct connect_scratch *s = cs->scratch;
	struct consensus_coin *sc = &s->coins[idx];
	struct spent_ref *ref = &s->refs[idx];
	const struct outpoint *op = &in->prevout;
	long j = txmap_find(s, b, op->hash);
	struct coin c;
	int rc;

	ref->op = op;
	if (j >= 0 && (size_t)j < ti && op->n < b->txs[j].vout_count) {
		const struct txout *o = &b->txs[j].vout[op->n];

		if (!script_is_unspendable(o->script, o->script_len)) {
			uint8_t *flag = &s->out_spent[s->out_off[j] + op->n];

			if (*flag)
				return 1;
			*flag = 1;
			sc->out = *o;
			sc->height = height;
			sc->coinbase = j == 0;
			ref->from_store = 0;
			return 0;
		}
	}
	rc = store_get_coin(r, op, &c);
	if (rc == STORE_NOTFOUND)
		return 1;
	if (rc != STORE_OK)
		return vs_error(st, "store_get_coin failed"), -1;
	if (spentmap_add(s, op, idx) != 0)
		return 1;
	sc->out.value = c.value;
	sc->out.script = c.script;
	sc->out.script_len = c.script_len;
	sc->height = c.height;
	sc->coinbase = c.coinbase;
	ref->from_store = 1;
	return 0;
}

/* Core's CheckTxInputs for one non-coinbase tx, with Core's debug texts. */
static int
check_tx_inputs(const struct tx *tx, const struct consensus_coin *coins,
    int32_t height, int64_t *fee, struct val_state *st)
{
	struct consensus_inputs res;

	if (consensus_check_tx_inputs(tx, coins, height, &res) == 0) {
		*fee = res.fee;
		return 0;
	}
	if (strcmp(res.reason, "bad-txns-premature-spend-of-coinbase") == 0)
		return vs_invalid(st, 0, res.reason,
		    "tried to spend coinbase at depth %d", (int)res.depth);
	if (strcmp(res.reason, "bad-txns-in-belowout") == 0)
		return vs_invalid(st, 0, res.reason,
		    "value in (%lld) < value out (%lld)",
		    (long long)res.value_in, (long long)res.value_out);
	if (strcmp(res.reason, "bad-txns-fee-outofrange") == 0)
		return vs_invalid(st, 0, res.reason, "fee out of range");
	return vs_invalid(st, 0, res.reason, "txin values out of range");
}

static int
tx_fail(struct val_state *st, const struct tx *tx)
{
	char hex[65];
	size_t n = strlen(st->debug);

	hash_to_hex(tx->txid, hex);
	snprintf(st->debug + n, sizeof(st->debug) - n, " in transaction %s",
	    hex);
	return -1;
}

/*
 * Whether bi's scripts are to be checked (assumevalid.h), logged per block
 * at -debug=validation. The block index and best header are the owner's
 * own, read without the lock. A background chainstate has no index of its
 * own, so it finds no assumed-valid block and checks every script.
 */
static int
check_scripts(struct chainstate *cs, struct bindex *bi)
{
	static const uint8_t zero[32];
	struct assumevalid_view v;
	const char *why;
	char hex[65];

	v.enabled = memcmp(cs->cp->assume_valid, zero, 32) != 0;
	v.av = v.enabled ? bindex_find(&cs->map, cs->cp->assume_valid) : NULL;
	v.best = cs->best_header;
	v.min_work = cs->cp->minimum_chain_work;
	v.spacing = cs->cp->target_spacing;
	why = assumevalid_check_reason(&v, bi);
	/* Hex only when the line will be written. */
	if (__atomic_load_n(&log_debug_mask, __ATOMIC_RELAXED) &
	    LOG_VALIDATION) {
		hash_to_hex(bi->e.hash, hex);
		if (why == NULL)
			log_debug(LOG_VALIDATION,
			    "Skipping script verification of block %s at "
			    "height %d (assumevalid)",
			    hex, bi->e.height);
		else
			log_debug(LOG_VALIDATION,
			    "Verifying scripts of block %s at height %d: %s",
			    hex, bi->e.height, why);
	}
	return why != NULL;
}

int
connect_block(struct chainstate *cs, struct store_wtxn *w, struct bindex *bi,
    const struct block *b, int just_check, struct val_state *st)
{
	struct connect_scratch *s = scratch_get(cs);
	struct store_rtxn *r = store_wtxn_reader(w);
	const struct chainparams *cp = cs->cp;
	int32_t height = bi->e.height;
	struct block_chain chain = { cs, bi };
	uint32_t flags;
	uint64_t sigops = 0;
	int64_t fees = 0, cb_out = 0;
	size_t nin, nout, i, k, idx;
	int csv, rc, err;
	struct outpoint op;
	struct coin c;
	int scripts;

	/* The genesis coinbase is not spendable: Core never adds it. */
	if (bi->parent == NULL) {
		if (just_check)
			return 0;
		if ((rc = txindex_connect(cs, w, bi, b)) != 0)
			return rc;
		return write_connected(cs, w, bi, NULL);
	}
	flags = block_script_flags(cs, bi);
	scripts = check_scripts(cs, bi);
	csv = consensus_deployment_active(cp->csv_height, height);
	scratch_size(s, b, &nin, &nout);

	if (bip30_enforced(cs, bi)) {
		for (i = 0; i < b->tx_count; i++) {
			memcpy(op.hash, b->txs[i].txid, 32);
			for (k = 0; k < b->txs[i].vout_count; k++) {
				op.n = (uint32_t)k;
				rc = store_get_coin(r, &op, &c);
				if (rc == STORE_OK)
					return vs_invalid(st, 0,
					    "bad-txns-BIP30",
					    "tried to overwrite transaction");
				if (rc != STORE_NOTFOUND)
					return vs_error(st, "store_get_coin");
			}
		}
	}

	script_batch_begin(cs->scripts);
	idx = 0;
	nout = 0;
	for (i = 0; i < b->tx_count; i++) {
		const struct tx *tx = &b->txs[i];
		/* No inputs, maybe no array at all, for the coinbase. */
		struct consensus_coin *tcoins = i > 0 ? s->coins + idx : NULL;
		int64_t fee = 0;

		s->in_off[i] = idx;
		s->out_off[i] = nout;
		nout += tx->vout_count;
		if (i > 0) {
			for (k = 0; k < tx->vin_count; k++) {
				rc = find_coin(cs, r, b, i, &tx->vin[k],
				    idx + k, height, st);
				if (rc < 0)
					goto fail;
				if (rc > 0) {
					vs_invalid(st, 0,
					    "bad-txns-inputs-missingorspent",
					    "CheckTxInputs: inputs missing/spent");
					tx_fail(st, tx);
					goto fail;
				}
				s->spent[idx + k] = tcoins[k].out;
			}
			if (check_tx_inputs(tx, tcoins, height, &fee, st) !=
			    0) {
				tx_fail(st, tx);
				goto fail;
			}
			fees += fee;
			if (!consensus_money_range(fees)) {
				vs_invalid(st, 0,
				    "bad-txns-accumulated-fee-outofrange",
				    "accumulated fee in the block out of range");
				tx_fail(st, tx);
				goto fail;
			}
			rc = consensus_check_sequence_locks(tx, csv, tcoins,
			    height, block_mtp_at, &chain);
			if (rc < 0) {
				vs_error(st,
				    "sequence locks: ancestor missing");
				goto fail;
			}
			if (rc == 0) {
				vs_invalid(st, 0, "bad-txns-nonfinal",
				    "contains a non-BIP68-final transaction");
				tx_fail(st, tx);
				goto fail;
			}
		}
		sigops += (uint64_t)consensus_tx_sigop_cost(tx,
		    i > 0 ? s->spent + idx : NULL, flags);
		if (sigops > MAX_BLOCK_SIGOPS_COST) {
			vs_invalid(st, 0, "bad-blk-sigops", "too many sigops");
			goto fail;
		}
		if (i > 0) {
			/* Skipped scripts need no signature-hash data either. */
			if (scripts)
				s->td[i] = script_txdata_new(tx,
				    s->spent + idx);
			for (k = 0; k < tx->vin_count; k++) {
				consensus_undo_put(&s->undo, &tcoins[k]);
				if (scripts)
					script_batch_add(cs->scripts, tx, k,
					    s->spent + idx + k, flags,
					    s->td[i]);
			}
			idx += tx->vin_count;
		}
		txmap_add(s, b, i);
	}
	for (k = 0; k < b->txs[0].vout_count; k++)
		cb_out += b->txs[0].vout[k].value;
	if (cb_out > fees + consensus_block_subsidy(cp, height)) {
		vs_invalid(st, 0, "bad-cb-amount",
		    "coinbase pays too much (actual=%lld vs limit=%lld)",
		    (long long)cb_out,
		    (long long)(fees + consensus_block_subsidy(cp, height)));
		goto fail;
	}
	if (script_batch_wait(cs->scripts, &err) != 0) {
		char reason[sizeof(st->reason)];

		free_txdata(s, b);
		snprintf(reason, sizeof(reason),
		    "block-script-verify-flag-failed (%s)",
		    script_error_string(err));
		return vs_invalid(st, 0, reason, "%s", reason);
	}
	free_txdata(s, b);
	if (just_check)
		return 0;
	if ((rc = write_coins(s, w, b, height, nin)) != 0 ||
	    (rc = txindex_connect(cs, w, bi, b)) != 0)
		return rc;
	return write_connected(cs, w, bi, &s->undo);

fail:
	script_batch_discard(cs->scripts);
	free_txdata(s, b);
	return -1;
}

/* Copies n bytes into cs->rawbuf, grown as needed; returns it. */
static const uint8_t *
keep_copy(struct chainstate *cs, const uint8_t *p, size_t n)
{
	if (n > cs->rawcap) {
		free(cs->rawbuf);
		cs->rawbuf = xmalloc(n);
		cs->rawcap = n;
	}
	memcpy(cs->rawbuf, p, n);
	return cs->rawbuf;
}

int
cs_copy_stored_block(struct chainstate *cs, const uint8_t hash[32],
    size_t *len)
{
	struct store_rtxn *r;
	const uint8_t *p;
	int rc;

	/*
	 * A thread in a sync batch holds the store's writer: it reads
	 * through it (no other thread committed since it began).
	 */
	if (cs->batch)
		r = store_wtxn_reader(cs->batch);
	else if (store_read_begin(cs->store, &r) != STORE_OK)
		return STORE_ERROR;
	if ((rc = store_get_block(r, hash, &p, len)) == STORE_OK)
		keep_copy(cs, p, *len);
	if (cs->batch == NULL)
		store_read_end(r);
	return rc;
}

int
cs_load_block(struct chainstate *cs, struct store_rtxn *r, struct bindex *bi,
    const uint8_t **raw, size_t *len, struct block *b)
{
	const uint8_t *p;
	size_t n;

	if (bi->pending_raw) {
		p = bi->pending_raw;
		n = bi->pending_len;
	} else {
		if (store_get_block(r, bi->e.hash, &p, &n) != STORE_OK)
			return -1;
		/* Store pointers die at the next write: keep a copy. */
		p = keep_copy(cs, p, n);
		/* Loops over many blocks in one transaction (verification). */
		store_read_release(r);
	}
	if (block_parse(p, n, b) != 0)
		return -1;
	*raw = p;
	*len = n;
	return 0;
}

int
disconnect_block_txn(struct chainstate *cs, struct store_wtxn *w, void *arg)
{
	int rc = disconnect_block(cs, w, arg);

	return rc == 1 ? STORE_ERROR : rc;
}

static int
coin_matches(const struct coin *c, const struct txout *o, int32_t height,
    int coinbase)
{
	return c->value == o->value && c->script_len == o->script_len &&
	    memcmp(c->script, o->script, o->script_len) == 0 &&
	    c->height == height && !!c->coinbase == !!coinbase;
}

int
disconnect_block(struct chainstate *cs, struct store_wtxn *w,
    struct bindex *bi)
{
	struct store_rtxn *r = store_wtxn_reader(w);
	struct consensus_coin *uc = NULL;
	const uint8_t *p;
	uint8_t *raw = NULL, *undo = NULL;
	size_t n, ulen, nin = 0, i, k, u;
	struct block b;
	struct outpoint op;
	struct coin c;
	int clean = 1, rc = -1;

	if (bi->parent == NULL)
		return -1;
	if (store_get_block(r, bi->e.hash, &p, &n) != STORE_OK)
		return -1;
	raw = xmemdup(p, n);
	if (block_parse(raw, n, &b) != 0) {
		free(raw);
		return -1;
	}
	if (store_get_undo(r, bi->e.hash, &p, &ulen) != STORE_OK)
		goto out;
	undo = xmemdup(p, ulen ? ulen : 1);
	if (consensus_undo_read(undo, ulen, &b, &uc, &nin) != 0)
		goto out;

	/* Newest first, so coins made and spent inside the block cancel. */
	u = nin;
	for (i = b.tx_count; i-- > 0;) {
		const struct tx *tx = &b.txs[i];

		memcpy(op.hash, tx->txid, 32);
		for (k = 0; k < tx->vout_count; k++) {
			if (script_is_unspendable(tx->vout[k].script,
				tx->vout[k].script_len))
				continue;
			op.n = (uint32_t)k;
			rc = store_get_coin(r, &op, &c);
			if (rc == STORE_NOTFOUND) {
				clean = 0;
				continue;
			}
			if (rc != STORE_OK)
				goto out_rc;
			if (!coin_matches(&c, &tx->vout[k], bi->e.height,
				i == 0))
				clean = 0;
			if ((rc = store_del_coin(w, &op)) != 0)
				goto out_rc;
		}
		if (i == 0)
			break;
		for (k = tx->vin_count; k-- > 0;) {
			struct consensus_coin *x = &uc[--u];

			rc = store_get_coin(r, &tx->vin[k].prevout, &c);
			if (rc == STORE_OK)
				clean = 0;
			else if (rc != STORE_NOTFOUND)
				goto out_rc;
			c.value = x->out.value;
			c.script = (uint8_t *)(uintptr_t)x->out.script;
			c.script_len = x->out.script_len;
			c.height = x->height;
			c.coinbase = x->coinbase;
			if ((rc = store_put_coin(w, &tx->vin[k].prevout,
				 &c)) != 0)
				goto out_rc;
		}
	}
	if ((rc = store_del_active_hash(w, bi->e.height)) != 0 ||
	    (rc = store_set_tip(w, bi->parent->e.hash,
		 bi->parent->e.height)) != 0 ||
	    (rc = txindex_disconnect(cs, w, bi, &b)) != 0)
		goto out_rc;
	rc = clean ? 0 : 1;
	goto out_rc;
out:
	rc = -1;
out_rc:
	block_free(&b);
	free(raw);
	free(undo);
	free(uc);
	return rc;
}
