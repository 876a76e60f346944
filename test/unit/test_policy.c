/*
 * Relay policy: the options with good and bad values, fee rounding, dust
 * thresholds, the solver's classes, and every standardness rule from both
 * sides (a transaction that passes, and one that fails it with Core's
 * reason).
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testenv.h"
#include "unit.h"
#include "consensus/consensus.h"
#include "mempool/policy.h"
#include "script/opcodes.h"
#include "script/script.h"
#include "util/args.h"
#include "util/xmalloc.h"

/* ---- Building transactions by hand ---- */

/* Small-number opcodes opcodes.h names only at the ends. */
#define OP_2 (OP_1 + 1)
#define OP_3 (OP_1 + 2)
#define OP_4 (OP_1 + 3)
#define OP_15 (OP_1 + 14)

#define TB_MAX 200
#define TB_WIT 128

/* A transaction whose arrays and scripts live in the struct itself. */
struct tb {
	struct tx tx;
	struct txin in[TB_MAX];
	struct txout out[TB_MAX];
	struct txout spent[TB_MAX];
	struct witem wit[TB_MAX][TB_WIT];
};

static const uint8_t p2pkh[25] = { OP_DUP, OP_HASH160, 20, 1, 2, 3, 4, 5, 6, 7,
	8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, OP_EQUALVERIFY,
	OP_CHECKSIG };
static const uint8_t p2wpkh[22] = { OP_0, 20, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
	9, 9, 9, 9, 9, 9, 9, 9, 9 };
static uint8_t p2sh[23] = { OP_HASH160, 20, [22] = OP_EQUAL };
static uint8_t p2wsh[34] = { OP_0, 32 };
static uint8_t p2tr[34] = { OP_1, 32 };
static const uint8_t anchor[4] = { OP_1, 2, 0x4e, 0x73 };
static const uint8_t optrue[1] = { OP_1 };
static uint8_t big[120000]; /* zeroes: pushes of OP_0, or raw bytes */

static struct tb *
tb_new(size_t nin, size_t nout)
{
	struct tb *t = xcalloc(1, sizeof(*t));
	size_t i;

	t->tx.version = 2;
	t->tx.vin = t->in;
	t->tx.vin_count = nin;
	t->tx.vout = t->out;
	t->tx.vout_count = nout;
	for (i = 0; i < TB_MAX; i++) {
		t->in[i].prevout.hash[0] = 1;
		t->in[i].prevout.n = (uint32_t)i;
		t->in[i].sequence = SEQUENCE_FINAL;
		t->in[i].wit = t->wit[i];
		t->out[i].value = 10000;
		t->out[i].script = p2wpkh;
		t->out[i].script_len = sizeof(p2wpkh);
		t->spent[i].value = 100000;
		t->spent[i].script = p2wpkh;
		t->spent[i].script_len = sizeof(p2wpkh);
	}
	return t;
}

/* Sizes and ids after the fields were filled in. */
static struct tx *
tb_tx(struct tb *t)
{
	tx_compute_ids(&t->tx);
	return &t->tx;
}

static void
set_wit(struct tb *t, size_t nin, size_t count, size_t item_len)
{
	size_t j;

	t->in[nin].wit_count = count;
	for (j = 0; j < count; j++) {
		t->wit[nin][j].p = big;
		t->wit[nin][j].len = item_len;
	}
}

/* ---- Options ---- */

static char *tmpdir;

static struct args *
make_args(char *err, size_t errlen, ...)
{
	char *argv[32], darg[300];
	int argc = 0;
	va_list ap;
	struct args *a = args_new();

	snprintf(darg, sizeof(darg), "-datadir=%s", tmpdir);
	argv[argc++] = "bitrootd";
	argv[argc++] = darg;
	argv[argc++] = "-regtest";
	va_start(ap, errlen);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	if (args_parse_argv(a, argc, argv, err, errlen) != 0 ||
	    args_read_config(a, err, errlen) != 0 ||
	    args_select_chain(a, err, errlen) != 0) {
		fprintf(stderr, "args: %s\n", err);
		exit(2);
	}
	return a;
}

/* policy_init over the given options; returns its result, err filled. */
static int
init_with(struct policy *p, int test_chain, char *err, size_t errlen,
    const char *o1, const char *o2)
{
	struct args *a;
	int rc;

	a = make_args(err, errlen, o1, o2, (char *)NULL);
	err[0] = '\0';
	rc = policy_init(p, a, test_chain, err, errlen);
	args_free(a);
	return rc;
}

static void
test_defaults(void)
{
	struct policy p;
	char err[256];

	CHECK_EQ_INT(policy_init(&p, NULL, 0, err, sizeof(err)), 0);
	CHECK_EQ_INT(p.require_standard, 1);
	CHECK_EQ_INT(p.min_relay_fee, 100);
	CHECK_EQ_INT(p.incremental_relay_fee, 100);
	CHECK_EQ_INT(p.dust_relay_fee, 3000);
	CHECK_EQ_INT(p.block_min_tx_fee, 1);
	CHECK_EQ_INT(p.bytes_per_sigop, 20);
	CHECK_EQ_INT(p.datacarrier, 1);
	CHECK_EQ_INT(p.max_datacarrier_bytes, 100000);
	CHECK_EQ_INT(p.permit_bare_multisig, 1);
	CHECK_EQ_INT(p.ancestor_limit, 25);
	CHECK_EQ_INT(p.ancestor_size, 101000);
	CHECK_EQ_INT(p.descendant_limit, 25);
	CHECK_EQ_INT(p.descendant_size, 101000);
	CHECK_EQ_INT(p.max_mempool_bytes, 300000000);
	CHECK_EQ_INT(p.expiry_seconds, 336 * 3600);
	CHECK_EQ_INT(p.persist, 1);

	/* The same through an args struct with nothing set. */
	CHECK_EQ_INT(init_with(&p, 0, err, sizeof(err), NULL, NULL), 0);
	CHECK_EQ_INT(p.min_relay_fee, 100);
	CHECK_EQ_INT(p.max_mempool_bytes, 300000000);
	CHECK_EQ_INT(p.require_standard, 1);
}

static void
test_options(void)
{
	struct policy p;
	char err[256];

	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err),
			 "-minrelaytxfee=0.00002", "-dustrelayfee=0.0001"),
	    0);
	CHECK_EQ_INT(p.min_relay_fee, 2000);
	CHECK_EQ_INT(p.dust_relay_fee, 10000);

	/* The increment alone raises the minimum, as in Core. */
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err),
			 "-incrementalrelayfee=0.00005", NULL),
	    0);
	CHECK_EQ_INT(p.incremental_relay_fee, 5000);
	CHECK_EQ_INT(p.min_relay_fee, 5000);
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err),
			 "-incrementalrelayfee=0.00005",
			 "-minrelaytxfee=0.00001"),
	    0);
	CHECK_EQ_INT(p.min_relay_fee, 1000);

	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err),
			 "-blockmintxfee=0.00000002", "-bytespersigop=7"),
	    0);
	CHECK_EQ_INT(p.block_min_tx_fee, 2);
	CHECK_EQ_INT(p.bytes_per_sigop, 7);

	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err), "-datacarriersize=83",
			 "-permitbaremultisig=0"),
	    0);
	CHECK_EQ_INT(p.max_datacarrier_bytes, 83);
	CHECK_EQ_INT(p.permit_bare_multisig, 0);
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err), "-datacarrier=0",
			 NULL),
	    0);
	CHECK_EQ_INT(p.datacarrier, 0);
	CHECK_EQ_INT(p.max_datacarrier_bytes, 0);

	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err),
			 "-limitancestorcount=5", "-limitancestorsize=10"),
	    0);
	CHECK_EQ_INT(p.ancestor_limit, 5);
	CHECK_EQ_INT(p.ancestor_size, 10000);
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err),
			 "-limitdescendantcount=6", "-limitdescendantsize=12"),
	    0);
	CHECK_EQ_INT(p.descendant_limit, 6);
	CHECK_EQ_INT(p.descendant_size, 12000);

	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err), "-maxmempool=5",
			 "-mempoolexpiry=2"),
	    0);
	CHECK_EQ_INT(p.max_mempool_bytes, 5000000);
	CHECK_EQ_INT(p.expiry_seconds, 7200);
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err), "-nopersistmempool",
			 NULL),
	    0);
	CHECK_EQ_INT(p.persist, 0);

	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err), "-acceptnonstdtxn",
			 NULL),
	    0);
	CHECK_EQ_INT(p.require_standard, 0);
}

static void
test_options_bad(void)
{
	struct policy p;
	char err[256];

	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err), "-minrelaytxfee=abc",
			 NULL),
	    -1);
	CHECK_EQ_STR(err, "Invalid amount for -minrelaytxfee=<amount>: 'abc'");
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err), "-minrelaytxfee",
			 NULL),
	    -1);
	CHECK_EQ_STR(err, "Invalid amount for -minrelaytxfee=<amount>: ''");
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err),
			 "-incrementalrelayfee=-1", NULL),
	    -1);
	CHECK_EQ_STR(err,
	    "Invalid amount for -incrementalrelayfee=<amount>: '-1'");
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err),
			 "-dustrelayfee=0.000000001", NULL),
	    -1);
	CHECK_EQ_STR(err,
	    "Invalid amount for -dustrelayfee=<amount>: '0.000000001'");
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err),
			 "-blockmintxfee=21000001", NULL),
	    -1);
	CHECK_EQ_STR(err,
	    "Invalid amount for -blockmintxfee=<amount>: '21000001'");

	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err), "-maxmempool=4", NULL),
	    -1);
	CHECK_EQ_STR(err, "-maxmempool must be at least 5 MB");
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err), "-maxmempool=-1",
			 NULL),
	    -1);
	CHECK_EQ_STR(err, "-maxmempool must be at least 5 MB");
	/* The floor follows the descendant size: 40 packages of 200 kvB. */
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err),
			 "-limitdescendantsize=200", "-maxmempool=7"),
	    -1);
	CHECK_EQ_STR(err, "-maxmempool must be at least 8 MB");
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err),
			 "-limitdescendantsize=200", "-maxmempool=8"),
	    0);

	CHECK_EQ_INT(init_with(&p, 0, err, sizeof(err), "-acceptnonstdtxn",
			 NULL),
	    -1);
	CHECK_EQ_STR(err,
	    "acceptnonstdtxn is not currently supported for main chain");
	CHECK_EQ_INT(init_with(&p, 0, err, sizeof(err), "-acceptnonstdtxn=0",
			 NULL),
	    0);

	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err), "-bytespersigop=-1",
			 NULL),
	    -1);
	CHECK_EQ_STR(err,
	    "-bytespersigop=-1 is out of range (0 to "
	    "1000000000)");
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err), "-datacarriersize=-5",
			 NULL),
	    -1);
	CHECK(strstr(err, "-datacarriersize=-5") != NULL);
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err),
			 "-limitancestorcount=-1", NULL),
	    -1);
	CHECK(strstr(err, "-limitancestorcount") != NULL);
	CHECK_EQ_INT(init_with(&p, 1, err, sizeof(err), "-mempoolexpiry=-1",
			 NULL),
	    -1);
	CHECK(strstr(err, "-mempoolexpiry") != NULL);
}

static void
test_parse_money(void)
{
	static const struct {
		const char *s;
		int ok;
		int64_t sat;
	} cases[] = {
		{ "0", 1, 0 },
		{ "1", 1, COIN },
		{ "0.00001", 1, 1000 },
		{ "0.00000001", 1, 1 },
		{ " 0.1 ", 1, 10000000 },
		{ "1.", 1, COIN },
		{ ".5", 1, 50000000 },
		{ "21000000", 1, MAX_MONEY },
		{ "21000000.00000001", 0, 0 },
		{ "0.000000001", 0, 0 },
		{ "", 0, 0 },
		{ "   ", 0, 0 },
		{ "-1", 0, 0 },
		{ "+1", 0, 0 },
		{ "1e3", 0, 0 },
		{ "1 2", 0, 0 },
		{ "1..2", 0, 0 },
		{ "12345678901", 0, 0 },
		{ "0x10", 0, 0 },
	};
	size_t i;
	int64_t sat;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sat = -7;
		if (cases[i].ok) {
			CHECK_EQ_INT(policy_parse_money(cases[i].s, &sat), 0);
			CHECK_EQ_INT(sat, cases[i].sat);
		} else {
			CHECK_EQ_INT(policy_parse_money(cases[i].s, &sat), -1);
		}
	}
	CHECK_EQ_INT(policy_parse_money(NULL, &sat), -1);
}

/* ---- Fees and dust ---- */

static void
test_fees(void)
{
	CHECK_EQ_INT(policy_fee_at(1000, 250), 250);
	CHECK_EQ_INT(policy_fee_at(100, 141), 15); /* 14.1 rounds up */
	CHECK_EQ_INT(policy_fee_at(100, 140), 14);
	CHECK_EQ_INT(policy_fee_at(1, 1), 1);
	CHECK_EQ_INT(policy_fee_at(1, 1000), 1);
	CHECK_EQ_INT(policy_fee_at(1, 1001), 2);
	CHECK_EQ_INT(policy_fee_at(0, 500), 0);
	CHECK_EQ_INT(policy_fee_at(3000, 0), 0);
	CHECK_EQ_INT(policy_fee_at(-1500, 1), -1);
	CHECK_EQ_INT(policy_fee_at(-1, 1), -1);
	CHECK_EQ_INT(policy_fee_at(-2500, 1), -2);
	CHECK_EQ_INT(policy_fee_at(3000, 182), 546);
	CHECK_EQ_INT(policy_fee_at(MAX_MONEY, 1000000),
	    MAX_MONEY / 1000 * 1000000);
	CHECK_EQ_INT(policy_fee_at(MAX_MONEY + 999, 1000), MAX_MONEY + 999);

	CHECK_EQ_INT(policy_vsize(400, 0, 20), 100);
	CHECK_EQ_INT(policy_vsize(401, 0, 20), 101);
	CHECK_EQ_INT(policy_vsize(400, 20, 20), 100);
	CHECK_EQ_INT(policy_vsize(400, 21, 20), 105);
	CHECK_EQ_INT(policy_vsize(400, 1000, 0), 100);
}

static void
test_dust(void)
{
	static const uint8_t opret[3] = { OP_RETURN, 1, 7 };
	struct policy p;
	struct txout o = { 0, NULL, 0 };
	char err[64];

	policy_init(&p, NULL, 0, err, sizeof(err));
	o.script = p2pkh;
	o.script_len = sizeof(p2pkh);
	CHECK_EQ_INT(policy_dust_threshold(&p, &o), 546);
	o.value = 545;
	CHECK(policy_is_dust(&p, &o));
	o.value = 546;
	CHECK(!policy_is_dust(&p, &o));
	o.script = p2wpkh;
	o.script_len = sizeof(p2wpkh);
	CHECK_EQ_INT(policy_dust_threshold(&p, &o), 294);
	o.script = p2tr;
	o.script_len = sizeof(p2tr);
	CHECK_EQ_INT(policy_dust_threshold(&p, &o), 330);
	o.script = p2wsh;
	o.script_len = sizeof(p2wsh);
	CHECK_EQ_INT(policy_dust_threshold(&p, &o), 330);
	o.script = p2sh;
	o.script_len = sizeof(p2sh);
	CHECK_EQ_INT(policy_dust_threshold(&p, &o), 540);
	o.script = anchor;
	o.script_len = sizeof(anchor);
	CHECK_EQ_INT(policy_dust_threshold(&p, &o), 240);
	o.script = opret;
	o.script_len = sizeof(opret);
	o.value = 0;
	CHECK_EQ_INT(policy_dust_threshold(&p, &o), 0);
	CHECK(!policy_is_dust(&p, &o));
	/* Over 10,000 bytes: unspendable, never dust. */
	o.script = big;
	o.script_len = MAX_SCRIPT_SIZE + 1;
	CHECK_EQ_INT(policy_dust_threshold(&p, &o), 0);

	p.dust_relay_fee = 0;
	o.script = p2pkh;
	o.script_len = sizeof(p2pkh);
	CHECK_EQ_INT(policy_dust_threshold(&p, &o), 0);
	p.dust_relay_fee = 1000; /* 182 bytes at 1 sat/vB */
	CHECK_EQ_INT(policy_dust_threshold(&p, &o), 182);
}

/* ---- Solver ---- */

static void
test_solver(void)
{
	uint8_t s[200];
	int m, n;

	CHECK_EQ_INT(policy_solve(p2pkh, sizeof(p2pkh)), TXOUT_PUBKEYHASH);
	CHECK_EQ_INT(policy_solve(p2sh, sizeof(p2sh)), TXOUT_SCRIPTHASH);
	CHECK_EQ_INT(policy_solve(p2wpkh, sizeof(p2wpkh)),
	    TXOUT_WITNESS_V0_KEYHASH);
	CHECK_EQ_INT(policy_solve(p2wsh, sizeof(p2wsh)),
	    TXOUT_WITNESS_V0_SCRIPTHASH);
	CHECK_EQ_INT(policy_solve(p2tr, sizeof(p2tr)),
	    TXOUT_WITNESS_V1_TAPROOT);
	CHECK_EQ_INT(policy_solve(anchor, sizeof(anchor)), TXOUT_ANCHOR);
	CHECK_EQ_INT(policy_solve(optrue, sizeof(optrue)), TXOUT_NONSTANDARD);
	CHECK_EQ_INT(policy_solve(s, 0), TXOUT_NONSTANDARD);

	/* Anchor-like with other bytes: an unknown v1 program. */
	memcpy(s, anchor, 4);
	s[3] = 0x74;
	CHECK_EQ_INT(policy_solve(s, 4), TXOUT_WITNESS_UNKNOWN);
	/* v0 programs of other lengths are nonstandard, v2 unknown. */
	memset(s, 5, sizeof(s));
	s[0] = OP_0;
	s[1] = 25;
	CHECK_EQ_INT(policy_solve(s, 27), TXOUT_NONSTANDARD);
	s[0] = OP_2;
	s[1] = 32;
	CHECK_EQ_INT(policy_solve(s, 34), TXOUT_WITNESS_UNKNOWN);
	s[0] = OP_1;
	s[1] = 20;
	CHECK_EQ_INT(policy_solve(s, 22), TXOUT_WITNESS_UNKNOWN);
	s[0] = OP_16;
	s[1] = 40;
	CHECK_EQ_INT(policy_solve(s, 42), TXOUT_WITNESS_UNKNOWN);
	s[1] = 41; /* program over 40 bytes: not a witness program */
	CHECK_EQ_INT(policy_solve(s, 43), TXOUT_NONSTANDARD);

	/* Null data: OP_RETURN then pushes only. */
	s[0] = OP_RETURN;
	CHECK_EQ_INT(policy_solve(s, 1), TXOUT_NULL_DATA);
	s[1] = 3;
	s[5] = OP_16;
	s[6] = OP_PUSHDATA1;
	s[7] = 1;
	CHECK_EQ_INT(policy_solve(s, 9), TXOUT_NULL_DATA);
	s[9] = OP_DUP;
	CHECK_EQ_INT(policy_solve(s, 10), TXOUT_NONSTANDARD);
	s[1] = 20; /* truncated push */
	CHECK_EQ_INT(policy_solve(s, 10), TXOUT_NONSTANDARD);

	/* Pay to pubkey: compressed, uncompressed, hybrid; bad headers. */
	memset(s, 0x11, sizeof(s));
	s[0] = 33;
	s[1] = 0x02;
	s[34] = OP_CHECKSIG;
	CHECK_EQ_INT(policy_solve(s, 35), TXOUT_PUBKEY);
	s[1] = 0x04;
	CHECK_EQ_INT(policy_solve(s, 35), TXOUT_NONSTANDARD);
	s[0] = 65;
	s[66] = OP_CHECKSIG;
	CHECK_EQ_INT(policy_solve(s, 67), TXOUT_PUBKEY);
	s[1] = 0x06;
	CHECK_EQ_INT(policy_solve(s, 67), TXOUT_PUBKEY);
	s[1] = 0x05;
	CHECK_EQ_INT(policy_solve(s, 67), TXOUT_NONSTANDARD);

	/* Bare multisig: 2-of-3 with valid-looking keys. */
	memset(s, 0x22, sizeof(s));
	s[0] = OP_2;
	s[1] = 33;
	s[2] = 0x02;
	s[35] = 33;
	s[36] = 0x03;
	s[69] = 65;
	s[70] = 0x04;
	s[135] = OP_3;
	s[136] = OP_CHECKMULTISIG;
	m = n = 0;
	CHECK_EQ_INT(policy_solve_multisig(s, 137, &m, &n), TXOUT_MULTISIG);
	CHECK_EQ_INT(m, 2);
	CHECK_EQ_INT(n, 3);
	s[135] = OP_2; /* key count disagrees */
	CHECK_EQ_INT(policy_solve(s, 137), TXOUT_NONSTANDARD);
	s[135] = OP_3;
	s[0] = OP_4; /* m > n */
	CHECK_EQ_INT(policy_solve(s, 137), TXOUT_NONSTANDARD);
	s[0] = OP_2;
	s[70] = 0x05; /* not a key: the key list ends early */
	CHECK_EQ_INT(policy_solve(s, 137), TXOUT_NONSTANDARD);
	s[70] = 0x04;
	s[136] = OP_CHECKMULTISIGVERIFY;
	CHECK_EQ_INT(policy_solve(s, 137), TXOUT_NONSTANDARD);
	/* 1-of-1; the count as a non-minimal push is refused. */
	memset(s, 0x22, sizeof(s));
	s[0] = OP_1;
	s[1] = 33;
	s[2] = 0x02;
	s[35] = OP_1;
	s[36] = OP_CHECKMULTISIG;
	CHECK_EQ_INT(policy_solve(s, 37), TXOUT_MULTISIG);
	memmove(s + 1, s, 37);
	s[0] = 1;
	s[1] = 1;
	CHECK_EQ_INT(policy_solve(s, 38), TXOUT_NONSTANDARD);
	/* Trailing bytes after the key count. */
	s[0] = OP_1;
	s[1] = OP_1;
	memmove(s + 1, s + 2, 36);
	s[37] = OP_CHECKMULTISIG;
	CHECK_EQ_INT(policy_solve(s, 38), TXOUT_NONSTANDARD);

	CHECK_EQ_STR(policy_type_name(TXOUT_NONSTANDARD), "nonstandard");
	CHECK_EQ_STR(policy_type_name(TXOUT_ANCHOR), "anchor");
	CHECK_EQ_STR(policy_type_name(TXOUT_PUBKEY), "pubkey");
	CHECK_EQ_STR(policy_type_name(TXOUT_PUBKEYHASH), "pubkeyhash");
	CHECK_EQ_STR(policy_type_name(TXOUT_SCRIPTHASH), "scripthash");
	CHECK_EQ_STR(policy_type_name(TXOUT_MULTISIG), "multisig");
	CHECK_EQ_STR(policy_type_name(TXOUT_NULL_DATA), "nulldata");
	CHECK_EQ_STR(policy_type_name(TXOUT_WITNESS_V0_SCRIPTHASH),
	    "witness_v0_scripthash");
	CHECK_EQ_STR(policy_type_name(TXOUT_WITNESS_V0_KEYHASH),
	    "witness_v0_keyhash");
	CHECK_EQ_STR(policy_type_name(TXOUT_WITNESS_V1_TAPROOT),
	    "witness_v1_taproot");
	CHECK_EQ_STR(policy_type_name(TXOUT_WITNESS_UNKNOWN),
	    "witness_unknown");
}

/* ---- IsStandardTx ---- */

/* Checks tx against p: standard (want NULL) or refused with want. */
static void
expect_std(const struct policy *p, struct tb *t, const char *want, int line)
{
	const char *reason = NULL;
	int ok = policy_is_standard_tx(p, tb_tx(t), &reason);

	if (want == NULL && !ok) {
		fprintf(stderr, "line %d: refused with %s\n", line, reason);
		CHECK(ok);
	} else if (want != NULL) {
		if (ok)
			fprintf(stderr, "line %d: accepted, want %s\n", line,
			    want);
		CHECK(!ok);
		CHECK_EQ_STR(reason, want);
	}
}
#define EXPECT_STD(p, t, want) expect_std(p, t, want, __LINE__)

static void
test_standard_version_size(void)
{
	struct policy p;
	struct tb *t = tb_new(1, 1);
	uint8_t sig[1700];
	char err[64];

	policy_init(&p, NULL, 0, err, sizeof(err));
	EXPECT_STD(&p, t, NULL);
	t->tx.version = 1;
	EXPECT_STD(&p, t, NULL);
	t->tx.version = 3;
	EXPECT_STD(&p, t, NULL);
	t->tx.version = 0;
	EXPECT_STD(&p, t, "version");
	t->tx.version = 4;
	EXPECT_STD(&p, t, "version");
	t->tx.version = -1;
	EXPECT_STD(&p, t, "version");
	t->tx.version = 2;

	/* Weight: a nonstandard huge output is found by size first. */
	t->out[0].script = big;
	t->out[0].script_len = 100000;
	EXPECT_STD(&p, t, "tx-size");
	t->out[0].script_len = 99000; /* under the weight: the type fails */
	EXPECT_STD(&p, t, "scriptpubkey");
	t->out[0].script = p2wpkh;
	t->out[0].script_len = sizeof(p2wpkh);

	/* scriptSig: 1650 bytes of pushes pass, 1651 fail. */
	memset(sig, 0, sizeof(sig));
	sig[0] = OP_PUSHDATA2;
	sig[1] = (1650 - 3) & 0xff;
	sig[2] = (1650 - 3) >> 8;
	t->in[0].script = sig;
	t->in[0].script_len = 1650;
	EXPECT_STD(&p, t, NULL);
	sig[1] = (1651 - 3) & 0xff;
	sig[2] = (1651 - 3) >> 8;
	t->in[0].script_len = 1651;
	EXPECT_STD(&p, t, "scriptsig-size");
	sig[0] = OP_1;
	sig[1] = OP_DUP;
	t->in[0].script_len = 2;
	EXPECT_STD(&p, t, "scriptsig-not-pushonly");
	sig[1] = OP_16;
	EXPECT_STD(&p, t, NULL);
	free(t);
}

static void
test_standard_outputs(void)
{
	struct policy p;
	struct tb *t = tb_new(1, 3);
	uint8_t ms[137], ms4[200], ret[120];
	char err[64];

	policy_init(&p, NULL, 0, err, sizeof(err));
	t->out[1].script = optrue;
	t->out[1].script_len = sizeof(optrue);
	EXPECT_STD(&p, t, "scriptpubkey");
	t->out[1].script = p2tr;
	t->out[1].script_len = sizeof(p2tr);
	t->out[2].script = anchor;
	t->out[2].script_len = sizeof(anchor);
	EXPECT_STD(&p, t, NULL);
	t->out[2].script = p2sh;
	t->out[2].script_len = sizeof(p2sh);
	EXPECT_STD(&p, t, NULL);
	t->out[2].script = p2pkh;
	t->out[2].script_len = sizeof(p2pkh);
	EXPECT_STD(&p, t, NULL);

	/* Unknown witness versions are standard to send to. */
	memset(ret, 3, sizeof(ret));
	ret[0] = OP_2;
	ret[1] = 32;
	t->out[2].script = ret;
	t->out[2].script_len = 34;
	EXPECT_STD(&p, t, NULL);

	/* Bare multisig: 2-of-3 when permitted; 1-of-4 never. */
	memset(ms, 0x22, sizeof(ms));
	ms[0] = OP_2;
	ms[1] = 33;
	ms[2] = 0x02;
	ms[35] = 33;
	ms[36] = 0x03;
	ms[69] = 65;
	ms[70] = 0x04;
	ms[135] = OP_3;
	ms[136] = OP_CHECKMULTISIG;
	t->out[2].script = ms;
	t->out[2].script_len = sizeof(ms);
	EXPECT_STD(&p, t, NULL);
	p.permit_bare_multisig = 0;
	EXPECT_STD(&p, t, "bare-multisig");
	p.permit_bare_multisig = 1;
	memset(ms4, 0x22, sizeof(ms4));
	ms4[0] = OP_1;
	ms4[1] = 33;
	ms4[2] = 0x02;
	ms4[35] = 33;
	ms4[36] = 0x02;
	ms4[69] = 33;
	ms4[70] = 0x02;
	ms4[103] = 33;
	ms4[104] = 0x02;
	ms4[137] = OP_4;
	ms4[138] = OP_CHECKMULTISIG;
	t->out[2].script = ms4;
	t->out[2].script_len = 139;
	CHECK_EQ_INT(policy_solve(ms4, 139), TXOUT_MULTISIG);
	EXPECT_STD(&p, t, "scriptpubkey");

	/* OP_RETURN: one budget over all outputs. */
	memset(ret, 0, sizeof(ret));
	ret[0] = OP_RETURN;
	ret[1] = 81; /* 83 bytes in all */
	t->out[1].script = ret;
	t->out[1].script_len = 83;
	t->out[1].value = 0;
	t->out[2].script = ret;
	t->out[2].script_len = 83;
	t->out[2].value = 0;
	EXPECT_STD(&p, t, NULL); /* two are fine in Core 30 */
	p.max_datacarrier_bytes = 166;
	EXPECT_STD(&p, t, NULL);
	p.max_datacarrier_bytes = 165;
	EXPECT_STD(&p, t, "datacarrier");
	p.max_datacarrier_bytes = 83;
	t->tx.vout_count = 2;
	EXPECT_STD(&p, t, NULL);
	p.max_datacarrier_bytes = 82;
	EXPECT_STD(&p, t, "datacarrier");
	p.max_datacarrier_bytes = 100000;
	p.datacarrier = 0;
	EXPECT_STD(&p, t, "datacarrier");
	free(t);
}

static void
test_standard_dust(void)
{
	struct policy p;
	struct tb *t = tb_new(1, 3);
	char err[64];

	policy_init(&p, NULL, 0, err, sizeof(err));
	CHECK_EQ_INT(policy_dust_count(&p, tb_tx(t)), 0);
	t->out[0].value = 293; /* P2WPKH threshold is 294 */
	CHECK_EQ_INT(policy_dust_count(&p, tb_tx(t)), 1);
	EXPECT_STD(&p, t, NULL); /* one: left to the pool's fee rule */
	t->out[2].script = p2pkh;
	t->out[2].script_len = sizeof(p2pkh);
	t->out[2].value = 545;
	CHECK_EQ_INT(policy_dust_count(&p, tb_tx(t)), 2);
	EXPECT_STD(&p, t, "dust");
	t->out[2].value = 546;
	EXPECT_STD(&p, t, NULL);
	t->out[0].value = 294;
	CHECK_EQ_INT(policy_dust_count(&p, tb_tx(t)), 0);
	free(t);
}

static void
test_tx_size_small(void)
{
	static const uint8_t ret[4] = { OP_RETURN, 2, 0, 0 };
	struct tb *t = tb_new(1, 1);

	/* 10 + 41 + 8 + 1 + 4 = 64 bytes without witness */
	t->out[0].script = ret;
	t->out[0].script_len = 4;
	CHECK(policy_tx_size_small(tb_tx(t)));
	CHECK_EQ_INT(t->tx.base_size, 64);
	t->in[0].script = optrue;
	t->in[0].script_len = 1;
	CHECK(!policy_tx_size_small(tb_tx(t)));
	CHECK_EQ_INT(t->tx.base_size, 65);
	/* A witness does not count. */
	t->in[0].script_len = 0;
	set_wit(t, 0, 2, 70);
	CHECK(policy_tx_size_small(tb_tx(t)));
	free(t);
}

/* ---- AreInputsStandard ---- */

/* A scriptSig that pushes the redeem script rs (under 76 bytes). */
static size_t
push_script(uint8_t *out, const uint8_t *rs, size_t len)
{
	out[0] = (uint8_t)len;
	memcpy(out + 1, rs, len);
	return len + 1;
}

static void
test_inputs_standard(void)
{
	struct tb *t = tb_new(2, 1);
	uint8_t rs[40], sig[60], v2[34];
	const char *reason, *debug;
	size_t i;

	t->spent[1].script = p2pkh;
	t->spent[1].script_len = sizeof(p2pkh);
	CHECK(policy_inputs_standard(tb_tx(t), t->spent, &reason, &debug));

	t->spent[1].script = optrue;
	t->spent[1].script_len = sizeof(optrue);
	reason = debug = NULL;
	CHECK(!policy_inputs_standard(tb_tx(t), t->spent, &reason, &debug));
	CHECK_EQ_STR(reason, "bad-txns-nonstandard-inputs");
	CHECK_EQ_STR(debug, "input script nonstandard");

	memset(v2, 1, sizeof(v2));
	v2[0] = OP_2;
	v2[1] = 32;
	t->spent[1].script = v2;
	t->spent[1].script_len = sizeof(v2);
	CHECK(!policy_inputs_standard(tb_tx(t), t->spent, &reason, &debug));
	CHECK_EQ_STR(reason, "bad-txns-nonstandard-inputs");
	CHECK_EQ_STR(debug, "input witness version unknown");

	/* Anchors, P2TR and P2WSH spends are fine here. */
	t->spent[1].script = anchor;
	t->spent[1].script_len = sizeof(anchor);
	CHECK(policy_inputs_standard(tb_tx(t), t->spent, &reason, NULL));

	/* P2SH: 15 sigops in the redeem script pass, 16 fail. */
	t->spent[1].script = p2sh;
	t->spent[1].script_len = sizeof(p2sh);
	memset(rs, OP_CHECKSIG, sizeof(rs));
	t->in[1].script = sig;
	t->in[1].script_len = push_script(sig, rs, 15);
	CHECK(policy_inputs_standard(tb_tx(t), t->spent, &reason, &debug));
	t->in[1].script_len = push_script(sig, rs, 16);
	CHECK(!policy_inputs_standard(tb_tx(t), t->spent, &reason, &debug));
	CHECK_EQ_STR(debug, "p2sh redeemscript sigops exceed limit");
	/* CHECKMULTISIG counts its keys: 1-of-16 is too many. */
	rs[0] = OP_16;
	rs[1] = OP_CHECKMULTISIG;
	t->in[1].script_len = push_script(sig, rs, 2);
	CHECK(!policy_inputs_standard(tb_tx(t), t->spent, &reason, &debug));
	rs[0] = OP_15;
	t->in[1].script_len = push_script(sig, rs, 2);
	CHECK(policy_inputs_standard(tb_tx(t), t->spent, &reason, &debug));

	/* No redeem script at all, or a scriptSig that cannot be read. */
	t->in[1].script_len = 0;
	CHECK(!policy_inputs_standard(tb_tx(t), t->spent, &reason, &debug));
	CHECK_EQ_STR(debug, "p2sh redeemscript missing");
	sig[0] = 20; /* push past the end */
	t->in[1].script_len = 5;
	CHECK(!policy_inputs_standard(tb_tx(t), t->spent, &reason, &debug));
	CHECK_EQ_STR(debug, "p2sh scriptsig malformed");
	sig[0] = OP_RESERVED;
	t->in[1].script_len = 1;
	CHECK(!policy_inputs_standard(tb_tx(t), t->spent, &reason, &debug));
	CHECK_EQ_STR(debug, "p2sh scriptsig malformed");
	/* A small-number top item is an (empty of sigops) redeem script. */
	sig[0] = OP_16;
	CHECK(policy_inputs_standard(tb_tx(t), t->spent, &reason, &debug));
	free(t);

	/* BIP54: 2500 legacy sigops over the whole tx, counted per input. */
	t = tb_new(167, 1);
	memset(rs, OP_CHECKSIG, sizeof(rs));
	t->in[0].script_len = push_script(sig, rs, 15);
	for (i = 0; i < 167; i++) {
		t->in[i].script = sig;
		t->in[i].script_len = 16;
		t->spent[i].script = p2sh;
		t->spent[i].script_len = sizeof(p2sh);
	}
	CHECK_EQ_INT(policy_legacy_sigops(tb_tx(t), t->spent), 167 * 15);
	CHECK(!policy_inputs_standard(tb_tx(t), t->spent, &reason, &debug));
	CHECK_EQ_STR(reason, "bad-txns-nonstandard-inputs");
	CHECK_EQ_STR(debug, "non-witness sigops exceed bip54 limit");
	t->tx.vin_count = 166;
	CHECK_EQ_INT(policy_legacy_sigops(tb_tx(t), t->spent), 166 * 15);
	CHECK(policy_inputs_standard(tb_tx(t), t->spent, &reason, &debug));
	/* Spent bare scripts count too (accurately). */
	t->tx.vin_count = 1;
	t->in[0].script_len = 0;
	t->spent[0].script = p2pkh;
	t->spent[0].script_len = sizeof(p2pkh);
	CHECK_EQ_INT(policy_legacy_sigops(tb_tx(t), t->spent), 1);
	t->in[0].script = rs; /* sigops in the scriptSig itself */
	t->in[0].script_len = 3;
	CHECK_EQ_INT(policy_legacy_sigops(tb_tx(t), t->spent), 4);
	free(t);

	/* A coinbase has no inputs to judge. */
	t = tb_new(1, 1);
	memset(t->in[0].prevout.hash, 0, 32);
	t->in[0].prevout.n = 0xffffffffu;
	t->in[0].script = optrue;
	t->in[0].script_len = 1;
	CHECK(policy_inputs_standard(tb_tx(t), NULL, &reason, &debug));
	CHECK_EQ_INT(policy_legacy_sigops(tb_tx(t), NULL), 0);
	free(t);
}

/* ---- IsWitnessStandard ---- */

static int
wit_ok(struct tb *t, const char **reason)
{
	*reason = NULL;
	return policy_witness_standard(tb_tx(t), t->spent, reason);
}

static void
test_witness_standard(void)
{
	struct tb *t = tb_new(2, 1);
	uint8_t sig[40], ctrl[64];
	const char *reason;

	/* No witness anywhere: nothing to judge. */
	t->spent[0].script = p2pkh;
	t->spent[0].script_len = sizeof(p2pkh);
	CHECK(wit_ok(t, &reason));
	set_wit(t, 1, 2, 72); /* P2WPKH spend */
	CHECK(wit_ok(t, &reason));
	/* A witness for a P2PKH input. */
	set_wit(t, 0, 1, 1);
	CHECK(!wit_ok(t, &reason));
	CHECK_EQ_STR(reason, "bad-witness-nonstandard");
	/* Witness stuffing on an anchor. */
	t->spent[0].script = anchor;
	t->spent[0].script_len = sizeof(anchor);
	CHECK(!wit_ok(t, &reason));
	t->in[0].wit_count = 0;
	CHECK(wit_ok(t, &reason));

	/* P2WSH: script 3600, 100 items of 80 bytes. */
	t->spent[1].script = p2wsh;
	t->spent[1].script_len = sizeof(p2wsh);
	set_wit(t, 1, 101, 80);
	t->wit[1][100].len = 3600;
	CHECK(wit_ok(t, &reason));
	t->wit[1][100].len = 3601;
	CHECK(!wit_ok(t, &reason));
	t->wit[1][100].len = 3600;
	t->wit[1][3].len = 81;
	CHECK(!wit_ok(t, &reason));
	t->wit[1][3].len = 80;
	set_wit(t, 1, 102, 80);
	CHECK(!wit_ok(t, &reason));

	/* P2SH-P2WSH: the same limits through the redeem script. */
	t->spent[1].script = p2sh;
	t->spent[1].script_len = sizeof(p2sh);
	t->in[1].script = sig;
	t->in[1].script_len = push_script(sig, p2wsh, sizeof(p2wsh));
	set_wit(t, 1, 3, 80);
	CHECK(wit_ok(t, &reason));
	t->wit[1][0].len = 81;
	CHECK(!wit_ok(t, &reason));
	t->wit[1][0].len = 80;
	/* P2SH whose redeem script is no witness program. */
	t->in[1].script_len = push_script(sig, optrue, 1);
	CHECK(!wit_ok(t, &reason));
	t->in[1].script_len = 0;
	CHECK(!wit_ok(t, &reason));
	sig[0] = OP_DUP;
	t->in[1].script_len = 1;
	CHECK(!wit_ok(t, &reason));

	/* Taproot key path: one item of any size. */
	t->in[1].script_len = 0;
	t->spent[1].script = p2tr;
	t->spent[1].script_len = sizeof(p2tr);
	set_wit(t, 1, 1, 100);
	CHECK(wit_ok(t, &reason));
	/* Annex: nonstandard. */
	set_wit(t, 1, 2, 64);
	memset(ctrl, 0, sizeof(ctrl));
	ctrl[0] = 0x50;
	t->wit[1][1].p = ctrl;
	CHECK(!wit_ok(t, &reason));
	/* Script path, tapscript leaf: items up to 80 bytes. */
	ctrl[0] = TAPROOT_LEAF_TAPSCRIPT;
	set_wit(t, 1, 4, 80);
	t->wit[1][2].len = 500; /* the script: no limit */
	t->wit[1][3].p = ctrl;
	t->wit[1][3].len = 33;
	CHECK(wit_ok(t, &reason));
	t->wit[1][1].len = 81;
	CHECK(!wit_ok(t, &reason));
	/* Other leaf versions have no item limit yet. */
	ctrl[0] = 0xc2;
	CHECK(wit_ok(t, &reason));
	/* An empty control block. */
	t->wit[1][3].len = 0;
	CHECK(!wit_ok(t, &reason));
	/* P2SH-wrapped v1 is not taproot: no taproot rules. */
	t->spent[1].script = p2sh;
	t->spent[1].script_len = sizeof(p2sh);
	t->in[1].script = sig;
	t->in[1].script_len = push_script(sig, p2tr, sizeof(p2tr));
	CHECK(wit_ok(t, &reason));
	free(t);
}

/* ---- Sigop cost and RBF ---- */

/* What the mempool asks: the cost under the standard flags. */
#define STD SCRIPT_STANDARD_VERIFY_FLAGS

static void
test_sigop_cost(void)
{
	struct tb *t = tb_new(3, 1);
	uint8_t ms[137], sig[140],
	    ws[3] = { OP_CHECKSIG, OP_CHECKSIG, OP_CHECKSIG };

	/* A P2WPKH spend: one witness sigop. */
	t->tx.vin_count = 1;
	set_wit(t, 0, 2, 33);
	CHECK_EQ_INT(consensus_tx_sigop_cost(tb_tx(t), t->spent, STD), 1);
	/* An output with CHECKSIG counts 4 (legacy, in this tx). */
	t->out[0].script = p2pkh;
	t->out[0].script_len = sizeof(p2pkh);
	CHECK_EQ_INT(consensus_tx_sigop_cost(tb_tx(t), t->spent, STD), 5);

	/* P2SH 2-of-3: three accurate sigops, times 4. */
	memset(ms, 0x22, sizeof(ms));
	ms[0] = OP_2;
	ms[1] = 33;
	ms[2] = 0x02;
	ms[35] = 33;
	ms[36] = 0x03;
	ms[69] = 65;
	ms[70] = 0x04;
	ms[135] = OP_3;
	ms[136] = OP_CHECKMULTISIG;
	t->tx.vin_count = 2;
	t->spent[1].script = p2sh;
	t->spent[1].script_len = sizeof(p2sh);
	sig[0] = OP_0;
	sig[1] = OP_PUSHDATA1;
	sig[2] = sizeof(ms);
	memcpy(sig + 3, ms, sizeof(ms));
	t->in[1].script = sig;
	t->in[1].script_len = 3 + sizeof(ms);
	CHECK_EQ_INT(consensus_tx_sigop_cost(tb_tx(t), t->spent, STD), 5 + 12);

	/* P2WSH: the witness script's sigops, unscaled. */
	t->tx.vin_count = 3;
	t->spent[2].script = p2wsh;
	t->spent[2].script_len = sizeof(p2wsh);
	set_wit(t, 2, 2, 10);
	t->wit[2][1].p = ws;
	t->wit[2][1].len = sizeof(ws);
	CHECK_EQ_INT(consensus_tx_sigop_cost(tb_tx(t), t->spent, STD),
	    5 + 12 + 3);
	/* The vsize rises with sigops at bytes_per_sigop. */
	CHECK_EQ_INT(policy_vsize(tx_weight(&t->tx), 20 * 5, 20), 500);
	free(t);

	/* A coinbase: legacy sigops only. */
	t = tb_new(1, 1);
	memset(t->in[0].prevout.hash, 0, 32);
	t->in[0].prevout.n = 0xffffffffu;
	t->in[0].script = ws;
	t->in[0].script_len = 2;
	t->out[0].script = p2pkh;
	t->out[0].script_len = sizeof(p2pkh);
	CHECK_EQ_INT(consensus_tx_sigop_cost(tb_tx(t), NULL, STD), 12);
	free(t);
}

static void
test_rbf(void)
{
	struct tb *t = tb_new(3, 1);

	CHECK(!policy_signals_rbf(tb_tx(t)));
	t->in[2].sequence = 0xfffffffeu;
	CHECK(!policy_signals_rbf(tb_tx(t)));
	t->in[1].sequence = 0xfffffffdu;
	CHECK(policy_signals_rbf(tb_tx(t)));
	t->in[1].sequence = 0;
	CHECK(policy_signals_rbf(tb_tx(t)));
	free(t);
}

static void
setup(void)
{
	char tmpl[64];
	size_t i;

	if (testenv_tmpdir(tmpl, sizeof(tmpl), "test_policy") != 0)
		exit(2);
	tmpdir = xstrdup(tmpl);
	for (i = 2; i < 22; i++)
		p2sh[i] = (uint8_t)(0x30 + i);
	for (i = 2; i < 34; i++) {
		p2wsh[i] = (uint8_t)(0x40 + i);
		p2tr[i] = (uint8_t)(0x50 + i);
	}
}

static void
teardown(void)
{
	testenv_rm_rf(tmpdir);
	free(tmpdir);
}

/* Core's IsChildWithParents / IsChildWithParentsTree over ids and prevouts. */
static void
test_child_with_parents(void)
{
	struct txin in[4];
	struct tx t[3];

	memset(t, 0, sizeof(t));
	memset(in, 0, sizeof(in));
	memset(t[0].txid, 1, 32);
	memset(t[1].txid, 2, 32);
	memset(t[2].txid, 3, 32);
	/* The child spends both parents. */
	memcpy(in[0].prevout.hash, t[0].txid, 32);
	memcpy(in[1].prevout.hash, t[1].txid, 32);
	t[2].vin = in;
	t[2].vin_count = 2;
	CHECK(policy_child_with_parents(t, 3, 0));
	CHECK(policy_child_with_parents(t, 3, 1));
	CHECK(!policy_child_with_parents(t, 1, 0));
	/* The second parent also spends the first: not a tree. */
	memcpy(in[2].prevout.hash, t[0].txid, 32);
	t[1].vin = &in[2];
	t[1].vin_count = 1;
	CHECK(policy_child_with_parents(t, 3, 0));
	CHECK(!policy_child_with_parents(t, 3, 1));
	/* The child leaves a parent out: not a child with its parents. */
	t[1].vin_count = 0;
	t[2].vin_count = 1;
	CHECK(!policy_child_with_parents(t, 3, 0));
}

UNIT_MAIN(UNIT_CASE(setup), UNIT_CASE(test_defaults), UNIT_CASE(test_options),
    UNIT_CASE(test_options_bad), UNIT_CASE(test_parse_money),
    UNIT_CASE(test_fees), UNIT_CASE(test_dust), UNIT_CASE(test_solver),
    UNIT_CASE(test_standard_version_size), UNIT_CASE(test_standard_outputs),
    UNIT_CASE(test_standard_dust), UNIT_CASE(test_tx_size_small),
    UNIT_CASE(test_inputs_standard), UNIT_CASE(test_witness_standard),
    UNIT_CASE(test_sigop_cost), UNIT_CASE(test_rbf),
    UNIT_CASE(test_child_with_parents), UNIT_CASE(teardown))
