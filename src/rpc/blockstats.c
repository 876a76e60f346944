/*
 * getblockstats: per-block statistics from a block and its undo record, as
 * Bitcoin Core computes them (amounts in satoshis, fee rates in sat/vB).
 * The figures are computed into a plain struct by blockstats_compute, which
 * knows nothing of JSON; the handler reads the chain in one short read
 * transaction, then formats the struct, all of it or the statistics asked
 * for. Runs on an RPC worker.
 */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "consensus/consensus.h"
#include "primitives/block.h"
#include "rpc/rpc_int.h"
#include "script/script.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

#define NPERCENTILES 5
/* An outpoint, a height and a coinbase flag: Core's PER_UTXO_OVERHEAD. */
#define PER_UTXO_OVERHEAD (36 + 4 + 1)

struct blockstats {
	uint8_t hash[32];
	int32_t height;
	int64_t time, mediantime, subsidy;
	int64_t txs, ins, outs;
	int64_t total_out, totalfee, minfee, maxfee, medianfee, avgfee;
	int64_t minfeerate, maxfeerate, avgfeerate;
	int64_t feerate_percentiles[NPERCENTILES];
	int64_t total_size, mintxsize, maxtxsize, mediantxsize, avgtxsize;
	int64_t total_weight;
	int64_t swtxs, swtotal_size, swtotal_weight;
	int64_t utxo_increase, utxo_size_inc;
	int64_t utxo_increase_actual, utxo_size_inc_actual;
};

/* A fee rate and the weight it applies to, for the percentiles. */
struct rate_weight {
	int64_t rate, weight;
};

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int
cmp_rate_weight(const void *a, const void *b)
{
	const struct rate_weight *x = a, *y = b;

	if (x->rate != y->rate)
		return (x->rate > y->rate) - (x->rate < y->rate);
	return (x->weight > y->weight) - (x->weight < y->weight);
}

/* Core's CalculateTruncatedMedian: the mean of the middle two, truncated. */
static int64_t
truncated_median(int64_t *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_i64);
	if (n % 2 == 0)
		return (v[n / 2 - 1] + v[n / 2]) / 2;
	return v[n / 2];
}

/*
 * Core's CalculatePercentilesByWeight: the fee rate at which the cumulative
 * weight (in rate order) first reaches each tenth and quarter of the total.
 * The thresholds are doubles in Core; so they are here.
 */
static void
percentiles_by_weight(struct rate_weight *v, size_t n, int64_t total_weight,
    int64_t out[NPERCENTILES])
{
	const double marks[NPERCENTILES] = {
		total_weight / 10.0,
		total_weight / 4.0,
		total_weight / 2.0,
		(total_weight * 3.0) / 4.0,
		(total_weight * 9.0) / 10.0,
	};
	int64_t cumulative = 0;
	size_t i, next = 0;

	memset(out, 0, NPERCENTILES * sizeof(*out));
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_rate_weight);
	for (i = 0; i < n; i++) {
		cumulative += v[i].weight;
		while (next < NPERCENTILES && cumulative >= marks[next])
			out[next++] = v[i].rate;
	}
	for (; next < NPERCENTILES; next++)
		out[next] = v[n - 1].rate;
}

/* Serialized size of an output: value, script length, script. */
static int64_t
txout_size(const struct txout *o)
{
	return 8 + (int64_t)compact_size_len(o->script_len) +
	    (int64_t)o->script_len;
}

/*
 * The statistics of block b at height. spent holds the coins spent by the
 * inputs after the coinbase, in block order (none for a block without
 * them, the genesis block). The outputs of the genesis block (all_neutral)
 * and the coinbases of the two historic BIP30 repeats (coinbase_neutral)
 * never entered the UTXO set, so they are not counted as added to it.
 */
static void
blockstats_compute(const struct block *b, const struct consensus_coin *spent,
    int coinbase_neutral, int all_neutral, struct blockstats *st)
{
	int64_t *fees, *sizes, utxos = 0;
	struct rate_weight *rates;
	size_t i, j, k = 0, nfees = 0, nsizes = 0, nrates = 0;

	fees = xcalloc(b->tx_count, sizeof(*fees));
	sizes = xcalloc(b->tx_count, sizeof(*sizes));
	rates = xcalloc(b->tx_count, sizeof(*rates));
	st->minfee = st->minfeerate = MAX_MONEY;
	st->mintxsize = MAX_BLOCK_SERIALIZED_SIZE;
	st->txs = (int64_t)b->tx_count;
	for (i = 0; i < b->tx_count; i++) {
		const struct tx *tx = &b->txs[i];
		int64_t tx_out = 0, tx_in = 0, size, weight, fee, rate;
		int coinbase = i == 0;

		st->outs += (int64_t)tx->vout_count;
		for (j = 0; j < tx->vout_count; j++) {
			const struct txout *o = &tx->vout[j];

			tx_out += o->value;
			st->utxo_size_inc += txout_size(o);
			if (all_neutral || (coinbase && coinbase_neutral))
				continue;
			if (script_is_unspendable(o->script, o->script_len))
				continue;
			utxos++;
			st->utxo_size_inc_actual += txout_size(o);
		}
		if (coinbase)
			continue;
		st->ins += (int64_t)tx->vin_count;
		st->total_out += tx_out;
		size = (int64_t)tx->total_size;
		sizes[nsizes++] = size;
		if (size > st->maxtxsize)
			st->maxtxsize = size;
		if (size < st->mintxsize)
			st->mintxsize = size;
		st->total_size += size;
		weight = (int64_t)tx_weight(tx);
		st->total_weight += weight;
		if (tx_has_witness(tx)) {
			st->swtxs++;
			st->swtotal_size += size;
			st->swtotal_weight += weight;
		}
		for (j = 0; j < tx->vin_count; j++, k++) {
			tx_in += spent[k].out.value;
			st->utxo_size_inc -= txout_size(&spent[k].out) +
			    PER_UTXO_OVERHEAD;
			st->utxo_size_inc_actual -= txout_size(&spent[k].out) +
			    PER_UTXO_OVERHEAD;
		}
		fee = tx_in - tx_out;
		fees[nfees++] = fee;
		if (fee > st->maxfee)
			st->maxfee = fee;
		if (fee < st->minfee)
			st->minfee = fee;
		st->totalfee += fee;
		rate = weight ? fee * WITNESS_SCALE_FACTOR / weight : 0;
		rates[nrates].rate = rate;
		rates[nrates++].weight = weight;
		if (rate > st->maxfeerate)
			st->maxfeerate = rate;
		if (rate < st->minfeerate)
			st->minfeerate = rate;
	}
	/* Each output added above also carries the per-coin overhead. */
	st->utxo_size_inc += st->outs * PER_UTXO_OVERHEAD;
	st->utxo_size_inc_actual += utxos * PER_UTXO_OVERHEAD;
	percentiles_by_weight(rates, nrates, st->total_weight,
	    st->feerate_percentiles);
	st->medianfee = truncated_median(fees, nfees);
	st->mediantxsize = truncated_median(sizes, nsizes);
	if (st->minfee == MAX_MONEY)
		st->minfee = 0;
	if (st->minfeerate == MAX_MONEY)
		st->minfeerate = 0;
	if (st->mintxsize == MAX_BLOCK_SERIALIZED_SIZE)
		st->mintxsize = 0;
	st->avgfee = b->tx_count > 1 ?
	    st->totalfee / (int64_t)(b->tx_count - 1) :
	    0;
	st->avgtxsize = b->tx_count > 1 ?
	    st->total_size / (int64_t)(b->tx_count - 1) :
	    0;
	st->avgfeerate = st->total_weight ?
	    st->totalfee * WITNESS_SCALE_FACTOR / st->total_weight :
	    0;
	st->utxo_increase = st->outs - st->ins;
	st->utxo_increase_actual = utxos - st->ins;
	free(fees);
	free(sizes);
	free(rates);
}

/* ---- Formatting ---- */

/* One statistic by name, in Core's order (the order of the full answer). */
enum stat_kind { ST_INT, ST_HASH, ST_ARRAY };
struct stat_def {
	const char *name;
	enum stat_kind kind;
	size_t off;
};

#define STAT(n, f) \
	{ \
		n, ST_INT, offsetof(struct blockstats, f) \
	}
static const struct stat_def stat_defs[] = {
	STAT("avgfee", avgfee),
	STAT("avgfeerate", avgfeerate),
	STAT("avgtxsize", avgtxsize),
	{ "blockhash", ST_HASH, 0 },
	{ "feerate_percentiles", ST_ARRAY, 0 },
	{ "height", ST_INT, 0 },
	STAT("ins", ins),
	STAT("maxfee", maxfee),
	STAT("maxfeerate", maxfeerate),
	STAT("maxtxsize", maxtxsize),
	STAT("medianfee", medianfee),
	STAT("mediantime", mediantime),
	STAT("mediantxsize", mediantxsize),
	STAT("minfee", minfee),
	STAT("minfeerate", minfeerate),
	STAT("mintxsize", mintxsize),
	STAT("outs", outs),
	STAT("subsidy", subsidy),
	STAT("swtotal_size", swtotal_size),
	STAT("swtotal_weight", swtotal_weight),
	STAT("swtxs", swtxs),
	STAT("time", time),
	STAT("total_out", total_out),
	STAT("total_size", total_size),
	STAT("total_weight", total_weight),
	STAT("totalfee", totalfee),
	STAT("txs", txs),
	STAT("utxo_increase", utxo_increase),
	STAT("utxo_size_inc", utxo_size_inc),
	STAT("utxo_increase_actual", utxo_increase_actual),
	STAT("utxo_size_inc_actual", utxo_size_inc_actual),
};
#undef STAT

static const struct stat_def *
stat_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(stat_defs) / sizeof(stat_defs[0]); i++)
		if (strcmp(stat_defs[i].name, name) == 0)
			return &stat_defs[i];
	return NULL;
}

static json_t *
stat_json(const struct blockstats *st, const struct stat_def *d)
{
	char hex[65];
	json_t *a;
	size_t i;

	switch (d->kind) {
	case ST_HASH: hash_to_hex(st->hash, hex); return json_string(hex);
	case ST_ARRAY:
		a = json_array();
		for (i = 0; i < NPERCENTILES; i++)
			json_array_append_new(a,
			    json_integer(st->feerate_percentiles[i]));
		return a;
	case ST_INT:
		if (strcmp(d->name, "height") == 0)
			return json_integer(st->height);
		break;
	}
	return json_integer(
	    *(const int64_t *)(const void *)((const char *)st + d->off));
}

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- The method ---- */

/*
 * Core's ParseHashOrHeight: a height on the active chain, or any known
 * block by hash. 0 with the block's index entry, or -1 with err.
 */
static int
hash_or_height(struct store_rtxn *t, const json_t *v,
    struct block_index_entry *e, struct rpc_error *err)
{
	uint8_t h[32];
	int32_t tip;
	json_int_t n;

	if (json_is_number(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < INT_MIN ||
		    json_integer_value(v) > INT_MAX) {
			rpc_fail(err, RPC_MISC_ERROR,
			    "JSON integer out of range");
			return -1;
		}
		n = json_integer_value(v);
		if (n < 0) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Target block height %lld is negative",
			    (long long)n);
			return -1;
		}
		if (store_get_tip(t, h, &tip) != STORE_OK)
			tip = -1;
		if (n > tip) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Target block "
			    "height %lld after current tip %d",
			    (long long)n, (int)tip);
			return -1;
		}
		if (store_get_active_hash(t, (int32_t)n, h) != STORE_OK ||
		    store_get_index(t, h, e) != STORE_OK) {
			rpc_fail(err, RPC_DATABASE_ERROR,
			    "Database read failed");
			return -1;
		}
		return 0;
	}
	if (rpc_parse_hash(v, "hash_or_height", h, err) == -1)
		return -1;
	if (store_get_index(t, h, e) != STORE_OK) {
		rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
		return -1;
	}
	return 0;
}

/*
 * Reads block e and, above the genesis block, its undo record, as Core
 * 28.1's GetBlockChecked and GetUndoChecked word their failures (a block
 * known by its header only is "not found on disk" there). Copies both.
 */
static int
read_block_and_undo(struct store_rtxn *t, const struct block_index_entry *e,
    uint8_t **raw, size_t *len, uint8_t **undo, size_t *ulen,
    struct rpc_error *err)
{
	const uint8_t *p;

	*raw = *undo = NULL;
	*ulen = 0;
	if (!(e->status & BLOCK_HAVE_DATA) ||
	    store_get_block(t, e->hash, &p, len) != STORE_OK) {
		rpc_fail(err, RPC_MISC_ERROR, "Block not found on disk");
		return -1;
	}
	*raw = xmemdup(p, *len);
	if (e->height == 0)
		return 0;
	/* Core 28.1 words a block never connected (no undo) this way too. */
	if (store_get_undo(t, e->hash, &p, ulen) != STORE_OK) {
		free(*raw);
		*raw = NULL;
		rpc_fail(err, RPC_MISC_ERROR,
		    "Can't read undo data from disk");
		return -1;
	}
	*undo = *ulen ? xmemdup(p, *ulen) : xmalloc(1);
	return 0;
}

static json_t *
m_getblockstats(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	json_t *sel = rpc_param(c, 1), *v, *res;
	struct block_index_entry e;
	struct store_rtxn *t;
	struct consensus_coin *spent = NULL;
	struct blockstats st;
	struct block b;
	const char **names = NULL;
	uint8_t *raw, *undo;
	size_t len, ulen, n = 0, i, j;
	int64_t mtp;
	int rc;

	if (rpc_read_begin(c->rpc, &t, err) == -1)
		return NULL;
	if (hash_or_height(t, json_array_get(c->params, 0), &e, err) == -1) {
		store_read_end(t);
		return NULL;
	}
	if (sel) {
		names = xcalloc(json_array_size(sel) + 1, sizeof(*names));
		json_array_foreach (sel, i, v) {
			if (!json_is_string(v)) {
				store_read_end(t);
				free(names);
				return rpc_fail_type(err, v, "string");
			}
			names[n++] = json_string_value(v);
		}
	}
	if (read_block_and_undo(t, &e, &raw, &len, &undo, &ulen, err) == -1) {
		store_read_end(t);
		free(names);
		return NULL;
	}
	mtp = rpc_median_time(t, e.hash);
	store_read_end(t);
	rc = rpc_block_spent(raw, len, undo, ulen, e.height, &b, &spent);
	if (rc != 0) {
		free(raw);
		free(undo);
		free(names);
		return rpc_fail(err, RPC_MISC_ERROR, "%s",
		    rc == RPC_BLOCK_UNREADABLE ?
			"Block not found on disk" :
			"Can't read undo data from disk");
	}
	memset(&st, 0, sizeof(st));
	memcpy(st.hash, e.hash, 32);
	st.height = e.height;
	st.time = e.hdr.time;
	st.mediantime = mtp;
	st.subsidy = consensus_block_subsidy(cp, e.height);
	blockstats_compute(&b, spent,
	    consensus_is_bip30_repeat(e.height, e.hash), e.height == 0, &st);
	block_free(&b);
	free(spent);
	free(undo);
	free(raw);

	res = json_object();
	if (n == 0) {
		for (i = 0; i < sizeof(stat_defs) / sizeof(stat_defs[0]); i++)
			json_object_set_new(res, stat_defs[i].name,
			    stat_json(&st, &stat_defs[i]));
		free(names);
		return res;
	}
	/* Core keeps the names in a set: sorted, each once. */
	qsort(names, n, sizeof(*names), cmp_cstr);
	for (i = 0; i < n; i = j) {
		const struct stat_def *d = stat_find(names[i]);

		for (j = i + 1; j < n && strcmp(names[i], names[j]) == 0; j++)
			;
		if (d == NULL) {
			rpc_fail(err, RPC_INVALID_PARAMETER,
			    "Invalid selected statistic '%s'", names[i]);
			json_decref(res);
			free(names);
			return NULL;
		}
		json_object_set_new(res, d->name, stat_json(&st, d));
	}
	free(names);
	return res;
}

const struct rpc_method rpc_blockstats_methods[] = {
	{ "getblockstats", "blockchain", m_getblockstats, 0,
	    { { "hash_or_height", RPC_ARG_STR_OR_NUM, 1, NULL,
		  "The block hash or height of the target block" },
		{ "stats", RPC_ARG_ARR, 0, "all values",
		    "Values to plot (see result below)" } },
	    "Compute per block statistics for a given window. All amounts are "
	    "in satoshis.\nIt won't work for some heights with pruning.",
	    "{                                (json object)\n"
	    "  \"avgfee\" : n,                  (numeric, optional) Average fee in the block\n"
	    "  \"avgfeerate\" : n,              (numeric, optional) Average feerate (in satoshis per virtual byte)\n"
	    "  \"avgtxsize\" : n,               (numeric, optional) Average transaction size\n"
	    "  \"blockhash\" : \"hex\",           (string, optional) The block hash (to check for potential reorgs)\n"
	    "  \"feerate_percentiles\" : [      (json array, optional) Feerates at the 10th, 25th, 50th, 75th, and 90th percentile weight unit (in satoshis per virtual byte)\n"
	    "    n,                           (numeric) The 10th percentile feerate\n"
	    "    n,                           (numeric) The 25th percentile feerate\n"
	    "    n,                           (numeric) The 50th percentile feerate\n"
	    "    n,                           (numeric) The 75th percentile feerate\n"
	    "    n                            (numeric) The 90th percentile feerate\n"
	    "  ],\n"
	    "  \"height\" : n,                  (numeric, optional) The height of the block\n"
	    "  \"ins\" : n,                     (numeric, optional) The number of inputs (excluding coinbase)\n"
	    "  \"maxfee\" : n,                  (numeric, optional) Maximum fee in the block\n"
	    "  \"maxfeerate\" : n,              (numeric, optional) Maximum feerate (in satoshis per virtual byte)\n"
	    "  \"maxtxsize\" : n,               (numeric, optional) Maximum transaction size\n"
	    "  \"medianfee\" : n,               (numeric, optional) Truncated median fee in the block\n"
	    "  \"mediantime\" : n,              (numeric, optional) The block median time past\n"
	    "  \"mediantxsize\" : n,            (numeric, optional) Truncated median transaction size\n"
	    "  \"minfee\" : n,                  (numeric, optional) Minimum fee in the block\n"
	    "  \"minfeerate\" : n,              (numeric, optional) Minimum feerate (in satoshis per virtual byte)\n"
	    "  \"mintxsize\" : n,               (numeric, optional) Minimum transaction size\n"
	    "  \"outs\" : n,                    (numeric, optional) The number of outputs\n"
	    "  \"subsidy\" : n,                 (numeric, optional) The block subsidy\n"
	    "  \"swtotal_size\" : n,            (numeric, optional) Total size of all segwit transactions\n"
	    "  \"swtotal_weight\" : n,          (numeric, optional) Total weight of all segwit transactions\n"
	    "  \"swtxs\" : n,                   (numeric, optional) The number of segwit transactions\n"
	    "  \"time\" : n,                    (numeric, optional) The block time\n"
	    "  \"total_out\" : n,               (numeric, optional) Total amount in all outputs (excluding coinbase and thus reward [ie subsidy + totalfee])\n"
	    "  \"total_size\" : n,              (numeric, optional) Total size of all non-coinbase transactions\n"
	    "  \"total_weight\" : n,            (numeric, optional) Total weight of all non-coinbase transactions\n"
	    "  \"totalfee\" : n,                (numeric, optional) The fee total\n"
	    "  \"txs\" : n,                     (numeric, optional) The number of transactions (including coinbase)\n"
	    "  \"utxo_increase\" : n,           (numeric, optional) The increase/decrease in the number of unspent outputs (not discounting op_return and similar)\n"
	    "  \"utxo_size_inc\" : n,           (numeric, optional) The increase/decrease in size for the utxo index (not discounting op_return and similar)\n"
	    "  \"utxo_increase_actual\" : n,    (numeric, optional) The increase/decrease in the number of unspent outputs, not counting unspendables\n"
	    "  \"utxo_size_inc_actual\" : n     (numeric, optional) The increase/decrease in size for the utxo index, not counting unspendables\n"
	    "}\n",
	    "1000 '[\"minfeerate\",\"avgfeerate\"]'", RPC_ON_RPC },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
