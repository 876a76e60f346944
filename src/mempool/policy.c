/*
 * Relay policy, part one: the options (Core's node/mempool_args.cpp), fee
 * arithmetic, dust and the output script solver. The per-transaction
 * standardness rules are in policy_standard.c.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mempool/policy.h"
#include "script/opcodes.h"
#include "script/script.h"
#include "util/args.h"
#include "util/errbuf.h"

/* The digits of the whole part Core's ParseMoney accepts (63-bit guard). */
#define MONEY_MAX_WHOLE_DIGITS 10

/*
 * Core's ParseMoney: "[digits][.digits]" in BTC, surrounding white space
 * allowed, no sign, at most 8 decimals and 10 whole digits, within
 * MAX_MONEY. Returns 0 with *sat, or -1.
 */
int
policy_parse_money(const char *s, int64_t *sat)
{
	const char *p, *end;
	int64_t whole = 0, units = 0, mult = COIN / 10;
	size_t nwhole = 0;

	if (s == NULL)
		return -1;
	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if (end == s)
		return -1;
	for (p = s; p < end && *p != '.'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (++nwhole > MONEY_MAX_WHOLE_DIGITS)
			return -1;
		whole = whole * 10 + (*p - '0');
	}
	if (p < end) {
		/* Past the point: digits only, up to 1e-8. */
		for (p++; p < end; p++) {
			if (*p < '0' || *p > '9' || mult == 0)
				return -1;
			units += mult * (*p - '0');
			mult /= 10;
		}
	}
	if (whole > MAX_MONEY / COIN)
		return -1;
	*sat = whole * COIN + units;
	if (*sat > MAX_MONEY)
		return -1;
	return 0;
}

/* An amount option: untouched *out when unset, Core's message when bad. */
static int
get_amount(const struct args *a, const char *name, int64_t *out, int *set,
    char *err, size_t errlen)
{
	const char *v;

	if (set != NULL)
		*set = 0;
	if (!args_is_known(name) || (v = args_get(a, name)) == NULL)
		return 0;
	if (policy_parse_money(v, out) == -1) {
		errbuf_printf(err, errlen,
		    "Invalid amount for -%s=<amount>: '%s'", name, v);
		return -1;
	}
	if (set != NULL)
		*set = 1;
	return 0;
}

/* A non-negative integer option no larger than max. */
static int
get_count(const struct args *a, const char *name, int64_t def, int64_t max,
    int64_t *out, char *err, size_t errlen)
{
	int64_t v;

	*out = def;
	if (!args_is_known(name) || args_get(a, name) == NULL)
		return 0;
	v = args_get_int(a, name, def);
	if (v < 0 || v > max) {
		errbuf_printf(err, errlen,
		    "-%s=%lld is out of range (0 to %lld)", name, (long long)v,
		    (long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

static void
policy_defaults(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	p->require_standard = 1;
	p->min_relay_fee = POLICY_DEFAULT_MIN_RELAY_FEE;
	p->incremental_relay_fee = POLICY_DEFAULT_INCREMENTAL_RELAY_FEE;
	p->dust_relay_fee = POLICY_DEFAULT_DUST_RELAY_FEE;
	p->block_min_tx_fee = POLICY_DEFAULT_BLOCK_MIN_TX_FEE;
	p->bytes_per_sigop = POLICY_DEFAULT_BYTES_PER_SIGOP;
	p->datacarrier = 1;
	p->max_datacarrier_bytes = POLICY_DEFAULT_DATACARRIER_SIZE;
	p->permit_bare_multisig = 1;
	p->ancestor_limit = POLICY_DEFAULT_ANCESTOR_LIMIT;
	p->ancestor_size = POLICY_DEFAULT_ANCESTOR_SIZE_KVB * 1000;
	p->descendant_limit = POLICY_DEFAULT_DESCENDANT_LIMIT;
	p->descendant_size = POLICY_DEFAULT_DESCENDANT_SIZE_KVB * 1000;
	p->max_mempool_bytes = (size_t)POLICY_DEFAULT_MAX_MEMPOOL_MB * 1000000;
	p->expiry_seconds = (int64_t)POLICY_DEFAULT_MEMPOOL_EXPIRY_HOURS *
	    3600;
	p->persist = 1;
}

/* Bounds that keep the products below (kvB * 1000, MB * 1e6) in range. */
#define OPT_MAX_COUNT 1000000000LL
#define OPT_MAX_KVB 1000000000LL
#define OPT_MAX_MB 1000000000LL
#define OPT_MAX_HOURS 1000000000LL

int
policy_init(struct policy *p, const struct args *a, int test_chain, char *err,
    size_t errlen)
{
	int64_t v, min_floor;
	int min_set;

	policy_defaults(p);
	if (a == NULL)
		return 0;

	if (args_is_known("acceptnonstdtxn"))
		p->require_standard = !args_get_bool(a, "acceptnonstdtxn", 0);
	if (!test_chain && !p->require_standard) {
		errbuf_printf(err, errlen,
		    "acceptnonstdtxn is not currently supported for main "
		    "chain");
		return -1;
	}

	/* Core reads the increment first: it may raise the minimum. */
	if (get_amount(a, "incrementalrelayfee", &p->incremental_relay_fee,
		NULL, err, errlen) == -1)
		return -1;
	if (get_amount(a, "minrelaytxfee", &p->min_relay_fee, &min_set, err,
		errlen) == -1)
		return -1;
	if (!min_set && p->incremental_relay_fee > p->min_relay_fee)
		p->min_relay_fee = p->incremental_relay_fee;
	if (get_amount(a, "dustrelayfee", &p->dust_relay_fee, NULL, err,
		errlen) == -1)
		return -1;
	if (get_amount(a, "blockmintxfee", &p->block_min_tx_fee, NULL, err,
		errlen) == -1)
		return -1;

	if (get_count(a, "bytespersigop", POLICY_DEFAULT_BYTES_PER_SIGOP,
		OPT_MAX_COUNT, &v, err, errlen) == -1)
		return -1;
	p->bytes_per_sigop = (unsigned)v;
	if (args_is_known("datacarrier"))
		p->datacarrier = args_get_bool(a, "datacarrier", 1);
	if (get_count(a, "datacarriersize", POLICY_DEFAULT_DATACARRIER_SIZE,
		OPT_MAX_COUNT, &v, err, errlen) == -1)
		return -1;
	/* -nodatacarrier leaves no budget for OP_RETURN outputs at all. */
	p->max_datacarrier_bytes = p->datacarrier ? (size_t)v : 0;
	if (args_is_known("permitbaremultisig"))
		p->permit_bare_multisig = args_get_bool(a,
		    "permitbaremultisig", 1);

	if (get_count(a, "limitancestorcount", POLICY_DEFAULT_ANCESTOR_LIMIT,
		OPT_MAX_COUNT, &v, err, errlen) == -1)
		return -1;
	p->ancestor_limit = (size_t)v;
	if (get_count(a, "limitancestorsize", POLICY_DEFAULT_ANCESTOR_SIZE_KVB,
		OPT_MAX_KVB, &v, err, errlen) == -1)
		return -1;
	p->ancestor_size = (size_t)v * 1000;
	if (get_count(a, "limitdescendantcount",
		POLICY_DEFAULT_DESCENDANT_LIMIT, OPT_MAX_COUNT, &v, err,
		errlen) == -1)
		return -1;
	p->descendant_limit = (size_t)v;
	if (get_count(a, "limitdescendantsize",
		POLICY_DEFAULT_DESCENDANT_SIZE_KVB, OPT_MAX_KVB, &v, err,
		errlen) == -1)
		return -1;
	p->descendant_size = (size_t)v * 1000;

	if (args_is_known("maxmempool") && args_get(a, "maxmempool") != NULL) {
		v = args_get_int(a, "maxmempool",
		    POLICY_DEFAULT_MAX_MEMPOOL_MB);
		if (v > OPT_MAX_MB) {
			errbuf_printf(err, errlen,
			    "-maxmempool=%lld is out of "
			    "range (at most %lld MB)",
			    (long long)v, (long long)OPT_MAX_MB);
			return -1;
		}
		/* Room for 40 full descendant packages, as Core asks. */
		min_floor = ((int64_t)p->descendant_size * 40 + 999999) /
		    1000000;
		if (v < 0 ||
		    (uint64_t)v * 1000000 <
			(uint64_t)p->descendant_size * 40) {
			errbuf_printf(err, errlen,
			    "-maxmempool must be at least %lld MB",
			    (long long)min_floor);
			return -1;
		}
		p->max_mempool_bytes = (size_t)v * 1000000;
	} else if (p->max_mempool_bytes < p->descendant_size * 40) {
		errbuf_printf(err, errlen,
		    "-maxmempool must be at least %lld MB",
		    (long long)(((int64_t)p->descendant_size * 40 + 999999) /
			1000000));
		return -1;
	}
	if (get_count(a, "mempoolexpiry", POLICY_DEFAULT_MEMPOOL_EXPIRY_HOURS,
		OPT_MAX_HOURS, &v, err, errlen) == -1)
		return -1;
	p->expiry_seconds = v * 3600;
	if (args_is_known("persistmempool"))
		p->persist = args_get_bool(a, "persistmempool", 1);
	return 0;
}

/* ---- Fees ---- */

int64_t
policy_vsize(size_t weight, int64_t sigop_cost, unsigned bytes_per_sigop)
{
	int64_t w = (int64_t)weight, s = sigop_cost * (int64_t)bytes_per_sigop;

	if (s > w)
		w = s;
	return (w + WITNESS_SCALE_FACTOR - 1) / WITNESS_SCALE_FACTOR;
}

/*
 * rate * vsize / 1000 rounded towards +infinity, as Core 30's
 * FeeFrac::EvaluateFeeUp; split so that rate * vsize cannot overflow for
 * any rate up to MAX_MONEY per kvB and any vsize a transaction can have.
 * Core returns -1, not 0, for a negative rate that rounds to zero.
 */
int64_t
policy_fee_at(int64_t rate, int64_t vsize)
{
	int64_t q, r, fee, part;

	if (vsize <= 0)
		return 0;
	q = rate / 1000;
	r = rate % 1000; /* same sign as rate */
	fee = q * vsize;
	part = r * vsize; /* |r| < 1000: no overflow */
	if (part > 0)
		fee += (part + 999) / 1000;
	else
		fee += part / 1000; /* C truncates towards zero: up */
	if (fee == 0 && rate < 0)
		return -1;
	return fee;
}

/* ---- Dust ---- */

/* Bytes of a typical input spending o, as Core's GetDustThreshold. */
#define DUST_INPUT_SIZE (32 + 4 + 1 + 107 + 4)
#define DUST_WITNESS_INPUT_SIZE (32 + 4 + 1 + 107 / WITNESS_SCALE_FACTOR + 4)

int64_t
policy_dust_threshold(const struct policy *p, const struct txout *o)
{
	const uint8_t *prog;
	size_t size, plen;
	int version;

	if (script_is_unspendable(o->script, o->script_len))
		return 0;
	size = 8 + compact_size_len(o->script_len) + o->script_len;
	if (script_is_witness_program(o->script, o->script_len, &version,
		&prog, &plen))
		size += DUST_WITNESS_INPUT_SIZE;
	else
		size += DUST_INPUT_SIZE;
	return policy_fee_at(p->dust_relay_fee, (int64_t)size);
}

int
policy_is_dust(const struct policy *p, const struct txout *o)
{
	return o->value < policy_dust_threshold(p, o);
}

size_t
policy_dust_count(const struct policy *p, const struct tx *tx)
{
	size_t i, n = 0;

	for (i = 0; i < tx->vout_count; i++)
		if (policy_is_dust(p, &tx->vout[i]))
			n++;
	return n;
}

/* ---- Solver ---- */

#define PUBKEY_SIZE 65
#define PUBKEY_COMPRESSED_SIZE 33

/* Core's CPubKey::ValidSize: the header byte announces this length. */
static int
pubkey_valid_size(const uint8_t *d, size_t len)
{
	if (len == 0)
		return 0;
	if (d[0] == 2 || d[0] == 3)
		return len == PUBKEY_COMPRESSED_SIZE;
	if (d[0] == 4 || d[0] == 6 || d[0] == 7)
		return len == PUBKEY_SIZE;
	return 0;
}

/*
 * Core's GetScriptNumber for the multisig counts: OP_1..OP_16, or a
 * minimal push of a minimally encoded number of up to 4 bytes, within
 * [min, max]. Returns the number or -1.
 */
static int
script_number(unsigned op, const uint8_t *d, size_t len, int min, int max)
{
	int64_t v = 0;
	size_t i;

	if (op >= OP_1 && op <= OP_16)
		v = op - (OP_1 - 1);
	else if (op > OP_0 && op <= OP_PUSHDATA4) {
		if (!script_minimal_push(op, d, len) || len > 4)
			return -1;
		if (len > 0 && (d[len - 1] & 0x7f) == 0 &&
		    (len == 1 || !(d[len - 2] & 0x80)))
			return -1;
		for (i = 0; i < len; i++)
			v |= (int64_t)d[i] << (8 * i);
		if (len > 0 && d[len - 1] & 0x80)
			v = -(v & ~((int64_t)0x80 << (8 * (len - 1))));
	} else
		return -1;
	if (v < min || v > max)
		return -1;
	return (int)v;
}

/* Core's MatchMultisig: m <keys...> n OP_CHECKMULTISIG. */
static int
match_multisig(const uint8_t *s, size_t len, int *m, int *n)
{
	const uint8_t *d;
	size_t pc = 0, dl, nkeys = 0;
	unsigned op;
	int ok;

	if (len < 1 || s[len - 1] != OP_CHECKMULTISIG)
		return 0;
	if (!script_get_op(s, len, &pc, &op, &d, &dl))
		return 0;
	if ((*m = script_number(op, d, dl, 1, MAX_PUBKEYS_PER_MULTISIG)) < 0)
		return 0;
	for (;;) {
		ok = script_get_op(s, len, &pc, &op, &d, &dl);
		if (!ok || !pubkey_valid_size(d, dl))
			break;
		nkeys++;
	}
	if ((*n = script_number(op, d, dl, *m, MAX_PUBKEYS_PER_MULTISIG)) < 0)
		return 0;
	if ((size_t)*n != nkeys)
		return 0;
	return pc + 1 == len;
}

static int
is_anchor(const uint8_t *s, size_t len)
{
	return len == 4 && s[0] == OP_1 && s[1] == 2 && s[2] == 0x4e &&
	    s[3] == 0x73;
}

/* Solver with the multisig counts (*m, *n set only for TXOUT_MULTISIG). */
enum txout_type
policy_solve_multisig(const uint8_t *s, size_t len, int *m, int *n)
{
	const uint8_t *prog;
	size_t plen;
	int version, mm, nn;

	if (script_is_p2sh(s, len))
		return TXOUT_SCRIPTHASH;
	if (script_is_witness_program(s, len, &version, &prog, &plen)) {
		if (version == 0 && plen == 20)
			return TXOUT_WITNESS_V0_KEYHASH;
		if (version == 0 && plen == 32)
			return TXOUT_WITNESS_V0_SCRIPTHASH;
		if (version == 1 && plen == 32)
			return TXOUT_WITNESS_V1_TAPROOT;
		if (is_anchor(s, len))
			return TXOUT_ANCHOR;
		if (version != 0)
			return TXOUT_WITNESS_UNKNOWN;
		return TXOUT_NONSTANDARD;
	}
	if (len >= 1 && s[0] == OP_RETURN &&
	    script_is_push_only(s + 1, len - 1))
		return TXOUT_NULL_DATA;
	if ((len == PUBKEY_SIZE + 2 || len == PUBKEY_COMPRESSED_SIZE + 2) &&
	    (size_t)s[0] == len - 2 && s[len - 1] == OP_CHECKSIG &&
	    pubkey_valid_size(s + 1, len - 2))
		return TXOUT_PUBKEY;
	if (len == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 && s[2] == 20 &&
	    s[23] == OP_EQUALVERIFY && s[24] == OP_CHECKSIG)
		return TXOUT_PUBKEYHASH;
	if (match_multisig(s, len, &mm, &nn)) {
		if (m != NULL)
			*m = mm;
		if (n != NULL)
			*n = nn;
		return TXOUT_MULTISIG;
	}
	return TXOUT_NONSTANDARD;
}

enum txout_type
policy_solve(const uint8_t *script, size_t len)
{
	return policy_solve_multisig(script, len, NULL, NULL);
}

const char *
policy_type_name(enum txout_type t)
{
	switch (t) {
	case TXOUT_NONSTANDARD: return "nonstandard";
	case TXOUT_ANCHOR: return "anchor";
	case TXOUT_PUBKEY: return "pubkey";
	case TXOUT_PUBKEYHASH: return "pubkeyhash";
	case TXOUT_SCRIPTHASH: return "scripthash";
	case TXOUT_MULTISIG: return "multisig";
	case TXOUT_NULL_DATA: return "nulldata";
	case TXOUT_WITNESS_V0_SCRIPTHASH: return "witness_v0_scripthash";
	case TXOUT_WITNESS_V0_KEYHASH: return "witness_v0_keyhash";
	case TXOUT_WITNESS_V1_TAPROOT: return "witness_v1_taproot";
	case TXOUT_WITNESS_UNKNOWN: return "witness_unknown";
	}
	return "nonstandard";
}

/* Whether tx spends an output of the transaction with this txid. */
static int
spends_txid(const struct tx *tx, const uint8_t txid[32])
{
	size_t k;

	for (k = 0; k < tx->vin_count; k++)
		if (memcmp(tx->vin[k].prevout.hash, txid, 32) == 0)
			return 1;
	return 0;
}

int
policy_child_with_parents(const struct tx *txs, size_t n, int tree)
{
	size_t i, j;

	if (n < 2)
		return 0;
	for (i = 0; i + 1 < n; i++) {
		if (!spends_txid(&txs[n - 1], txs[i].txid))
			return 0;
		/* The tree: parents stand side by side, none above another. */
		for (j = 0; tree && j + 1 < n; j++)
			if (j != i && spends_txid(&txs[i], txs[j].txid))
				return 0;
	}
	return 1;
}
