/*
 * Chain parameters, with Bitcoin Core 30's values.
 *
 * Each chain is a static table row; chainparams_new() copies the row into a
 * fresh struct, builds the genesis block from its ingredients (coinbase
 * message, output key, time, nonce, bits, version, reward) and refuses to
 * go on unless it hashes to the known genesis hash, as Core asserts.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "crypto/hash.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* OP_CHECKSIG: the genesis outputs are pay-to-pubkey. */
#define OP_CHECKSIG 0xac
#define OP_PUSHDATA1 0x4c
#define OP_PUSHDATA2 0x4d

/* Every genesis coinbase pushes these two numbers before its message. */
#define GENESIS_PUSH_BITS 486604799 /* 0x1d00ffff as a script number */
#define GENESIS_PUSH_EXTRA 4

static const char MAIN_MSG[] =
    "The Times 03/Jan/2009 Chancellor on brink of second bailout for banks";
static const char SATOSHI_KEY[] =
    "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb6"
    "49f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f";
static const char TESTNET4_MSG[] =
    "03/May/2024 000000000000000000001ebd58c244970b3aa9d783bb001011fbe8ea"
    "8e98e00e";
static const char ZERO_KEY[] =
    "000000000000000000000000000000000000000000000000000000000000000000";
/* BIP325's default signet: a 1-of-2 multisig. */
static const char SIGNET_CHALLENGE[] =
    "512103ad5e0edad18cb1f0fc0d28a3d4f1f3e445640337489abb10404f2d1e086be4"
    "30210359ef5021964fe22d6f8e05b2463c9540ce96883fe3b278760f048f5189f2e6"
    "c452ae";
static const char GENESIS_MERKLE[] =
    "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b";

static const char POW_LIMIT_MAIN[] =
    "00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

struct genesis_spec {
	const char *msg;
	const char *pubkey; /* hex */
	uint32_t time;
	uint32_t nonce;
	uint32_t bits;
	int32_t version;
	int64_t reward;
	const char *hash;   /* display order */
	const char *merkle; /* display order */
};

struct bip9_spec {
	int64_t start_time;
	int64_t timeout;
	int32_t min_activation_height;
	int32_t period;
	int32_t threshold;
	int32_t active_height; /* where it did activate, or NO_HEIGHT */
};

/* An assumeutxo entry as Core writes it: hashes in display order. */
struct au_spec {
	int32_t height;
	const char *hash_serialized;
	uint64_t chain_tx;
	const char *blockhash;
};

#define MAX_AU_SPECS 4

struct chain_spec {
	enum chain_id id;
	const char *name;
	const char *subdir;
	uint8_t magic[4]; /* signet: derived from the challenge */
	uint16_t port;
	uint16_t rpc_port;
	struct genesis_spec genesis;
	const char *pow_limit;
	int64_t spacing;
	int64_t timespan;
	int min_difficulty;
	int no_retargeting;
	int bip94;
	int32_t halving;
	int32_t bip34, bip65, bip66, csv, segwit;
	struct bip9_spec testdummy;
	struct bip9_spec taproot;
	const char *min_chain_work;
	const char *assume_valid; /* RPC byte order; NULL: none */
	uint8_t p2pkh, p2sh, wif;
	uint32_t xpub, xprv; /* BIP32 extended key versions */
	const char *hrp;
	const char *signet_challenge;
	int mine_on_demand;
	struct au_spec assumeutxo[MAX_AU_SPECS]; /* ends at height 0 */
};

#define NEVER_BIP9 \
	{ \
		DEPLOYMENT_NEVER_ACTIVE, DEPLOYMENT_NO_TIMEOUT, 0, 2016, \
		    1815, DEPLOYMENT_NO_HEIGHT \
	}

static const struct chain_spec chains[] = {
	{
		.id = CHAIN_MAIN, .name = "main", .subdir = "",
		.magic = { 0xf9, 0xbe, 0xb4, 0xd9 },
		.port = 8333, .rpc_port = 8332,
		.genesis = { MAIN_MSG, SATOSHI_KEY, 1231006505, 2083236893,
		    0x1d00ffff, 1, 50 * COIN,
		    "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
		    GENESIS_MERKLE },
		.pow_limit = POW_LIMIT_MAIN,
		.spacing = 10 * 60, .timespan = 14 * 24 * 60 * 60,
		.halving = 210000,
		.bip34 = 227931, .bip65 = 388381, .bip66 = 363725,
		.csv = 419328, .segwit = 481824,
		.testdummy = NEVER_BIP9,
		/* Speedy Trial: locked in, enforced from its minimum height. */
		.taproot = { 1619222400, 1628640000, 709632, 2016, 1815,
		    709632 },
		.min_chain_work =
		    "0000000000000000000000000000000000000000dee8e2a309ad8a9820433c68",
		.assume_valid =
		    "000000000000000000011c5890365bdbe5d25b97ce0057589acaef4f1a57263f",
		.p2pkh = 0, .p2sh = 5, .wif = 128, .hrp = "bc",
		.xpub = 0x0488b21e, .xprv = 0x0488ade4,
		.assumeutxo = { { 840000,
		    "a2a5521b1b5ab65f67818e5e8eccabb7171a517f9e2382208f77687310768f96",
		    991032194,
		    "0000000000000000000320283a032748cef8227873ff4872689bf23f1cda83a5" } },
	},
	{
		.id = CHAIN_TESTNET3, .name = "test", .subdir = "testnet3",
		.magic = { 0x0b, 0x11, 0x09, 0x07 },
		.port = 18333, .rpc_port = 18332,
		.genesis = { MAIN_MSG, SATOSHI_KEY, 1296688602, 414098458,
		    0x1d00ffff, 1, 50 * COIN,
		    "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
		    GENESIS_MERKLE },
		.pow_limit = POW_LIMIT_MAIN,
		.spacing = 10 * 60, .timespan = 14 * 24 * 60 * 60,
		.min_difficulty = 1,
		.halving = 210000,
		.bip34 = 21111, .bip65 = 581885, .bip66 = 330776,
		.csv = 770112, .segwit = 834624,
		.testdummy = { DEPLOYMENT_NEVER_ACTIVE, DEPLOYMENT_NO_TIMEOUT,
		    0, 2016, 1512, DEPLOYMENT_NO_HEIGHT },
		.taproot = { 1619222400, 1628640000, 0, 2016, 1512, 2011968 },
		.min_chain_work =
		    "0000000000000000000000000000000000000000000016dd270dd94fac1d7632",
		.assume_valid =
		    "000000000000000465b1a66c9f386308e8c75acef9201f3f577811da09fc90ad",
		.p2pkh = 111, .p2sh = 196, .wif = 239, .hrp = "tb",
		.xpub = 0x043587cf, .xprv = 0x04358394,
		.assumeutxo = { { 2500000,
		    "f841584909f68e47897952345234e37fcd9128cd818f41ee6c3ca68db8071be7",
		    66484552,
		    "0000000000000093bcb68c03a9a168ae252572d348a2eaeba2cdf9231d73206f" } },
	},
	{
		.id = CHAIN_TESTNET4, .name = "testnet4", .subdir = "testnet4",
		.magic = { 0x1c, 0x16, 0x3f, 0x28 },
		.port = 48333, .rpc_port = 48332,
		.genesis = { TESTNET4_MSG, ZERO_KEY, 1714777860, 393743547,
		    0x1d00ffff, 1, 50 * COIN,
		    "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
		    "7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e" },
		.pow_limit = POW_LIMIT_MAIN,
		.spacing = 10 * 60, .timespan = 14 * 24 * 60 * 60,
		.min_difficulty = 1, .bip94 = 1,
		.halving = 210000,
		.bip34 = 1, .bip65 = 1, .bip66 = 1, .csv = 1, .segwit = 1,
		.testdummy = { DEPLOYMENT_NEVER_ACTIVE, DEPLOYMENT_NO_TIMEOUT,
		    0, 2016, 1512, DEPLOYMENT_NO_HEIGHT },
		.taproot = { DEPLOYMENT_ALWAYS_ACTIVE, DEPLOYMENT_NO_TIMEOUT, 0,
		    2016, 1512, 0 },
		.min_chain_work =
		    "00000000000000000000000000000000000000000000034a4690fe592dc49c7c",
		.assume_valid =
		    "000000005be348057db991fa5d89fe7c4695b667cfb311391a8db374b6f681fd",
		.p2pkh = 111, .p2sh = 196, .wif = 239, .hrp = "tb",
		.xpub = 0x043587cf, .xprv = 0x04358394,
	},
	{
		.id = CHAIN_SIGNET, .name = "signet", .subdir = "signet",
		.port = 38333, .rpc_port = 38332,
		.genesis = { MAIN_MSG, SATOSHI_KEY, 1598918400, 52613770,
		    0x1e0377ae, 1, 50 * COIN,
		    "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
		    GENESIS_MERKLE },
		.pow_limit =
		    "00000377ae000000000000000000000000000000000000000000000000000000",
		.spacing = 10 * 60, .timespan = 14 * 24 * 60 * 60,
		.halving = 210000,
		.bip34 = 1, .bip65 = 1, .bip66 = 1, .csv = 1, .segwit = 1,
		.testdummy = NEVER_BIP9,
		.taproot = { DEPLOYMENT_ALWAYS_ACTIVE, DEPLOYMENT_NO_TIMEOUT, 0,
		    2016, 1815, 0 },
		.min_chain_work =
		    "0000000000000000000000000000000000000000000000000000067d328e681a",
		.assume_valid =
		    "0000014aad1d58dddcb964dd749b073374c6306e716b22f573a2efe68d414539",
		.p2pkh = 111, .p2sh = 196, .wif = 239, .hrp = "tb",
		.xpub = 0x043587cf, .xprv = 0x04358394,
		.signet_challenge = SIGNET_CHALLENGE,
		/* Core keeps it for a custom signet too. */
		.assumeutxo = { { 160000,
		    "fe0a44309b74d6b5883d246cb419c6221bcccf0b308c9b59b7d70783dbdf928a",
		    2289496,
		    "0000003ca3c99aff040f2563c2ad8f8ec88bd0fd6b8f0895cfaf1ef90353a62c" } },
	},
	{
		.id = CHAIN_REGTEST, .name = "regtest", .subdir = "regtest",
		.magic = { 0xfa, 0xbf, 0xb5, 0xda },
		.port = 18444, .rpc_port = 18443,
		.genesis = { MAIN_MSG, SATOSHI_KEY, 1296688602, 2, 0x207fffff,
		    1, 50 * COIN,
		    "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
		    GENESIS_MERKLE },
		.pow_limit =
		    "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		.spacing = 10 * 60, .timespan = 24 * 60 * 60,
		.min_difficulty = 1, .no_retargeting = 1,
		.halving = 150,
		.bip34 = 1, .bip65 = 1, .bip66 = 1, .csv = 1, .segwit = 0,
		/* Core starts testdummy at time 0 on regtest, so it shows. */
		.testdummy = { 0, DEPLOYMENT_NO_TIMEOUT, 0, 144, 108,
		    DEPLOYMENT_NO_HEIGHT },
		.taproot = { DEPLOYMENT_ALWAYS_ACTIVE, DEPLOYMENT_NO_TIMEOUT, 0,
		    144, 108, 0 },
		.min_chain_work =
		    "0000000000000000000000000000000000000000000000000000000000000000",
		.p2pkh = 111, .p2sh = 196, .wif = 239, .hrp = "bcrt",
		.xpub = 0x043587cf, .xprv = 0x04358394,
		.mine_on_demand = 1,
		/*
		 * Core 28's: Core's unit-test chain (110), its fuzz chain
		 * (200) and feature_assumeutxo.py's chain (299).
		 */
		.assumeutxo = {
		    { 110,
		      "6657b736d4fe4db0cbc796789e812d5dba7f5c143764b1b6905612f1830609d1",
		      111,
		      "696e92821f65549c7ee134edceeeeaaa4105647a3c4fd9f298c0aec0ab50425c" },
		    { 200,
		      "4f34d431c3e482f6b0d67b64609ece3964dc8d7976d02ac68dd7c9c1421738f2",
		      201,
		      "5e93653318f294fb5aa339d00bbf8cf1c3515488ad99412c37608b139ea63b27" },
		    { 299,
		      "a4bf3407ccb2cc0145c49ebba8fa91199f8a3903daf0883875941497d2493c27",
		      334,
		      "3bb7ce5eba0be48939b7a521ac1ba9316afee2c7bada3a0cca24188e6d7d96c0" },
		},
	},
};

static const struct chain_spec *
spec_for(enum chain_id id)
{
	size_t i;

	for (i = 0; i < sizeof(chains) / sizeof(chains[0]); i++)
		if (chains[i].id == id)
			return &chains[i];
	return NULL;
}

int
chainparams_id_from_name(const char *name, enum chain_id *id)
{
	size_t i;

	for (i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		if (strcmp(chains[i].name, name) == 0) {
			*id = chains[i].id;
			return 0;
		}
	}
	return -1;
}

/* A minimal script push, as CScript's operator<< of a byte vector. */
static void
put_push(struct wbuf *w, const uint8_t *p, size_t n)
{
	if (n < OP_PUSHDATA1) {
		wbuf_put_u8(w, (uint8_t)n);
	} else if (n <= 0xff) {
		wbuf_put_u8(w, OP_PUSHDATA1);
		wbuf_put_u8(w, (uint8_t)n);
	} else {
		/* No genesis ingredient is near 64 KiB. */
		wbuf_put_u8(w, OP_PUSHDATA2);
		wbuf_put_le16(w, (uint16_t)n);
	}
	wbuf_put(w, p, n);
}

/* A positive script number's minimal little-endian bytes (CScriptNum). */
static size_t
scriptnum(int64_t v, uint8_t out[9])
{
	size_t n = 0;

	while (v > 0) {
		out[n++] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
	/* A set top bit would read as a sign: add a zero byte. */
	if (n > 0 && (out[n - 1] & 0x80))
		out[n++] = 0;
	return n;
}

static void
hex_or_die(const char *hex, uint8_t *out, size_t len, const char *what)
{
	if (hex_decode(hex, out, len) != (int)len)
		fatalx("%s: bad built-in %s", __func__, what);
}

/*
 * Serializes the genesis block: a header and one coinbase with the message
 * pushed after the two numbers every Bitcoin genesis block pushes, paying
 * the reward to a pay-to-pubkey output.
 */
static void
build_genesis(struct chainparams *p, const struct genesis_spec *g)
{
	struct wbuf sig, spk, tx, blk;
	struct block_header h;
	static const uint8_t null_prevout[32];
	uint8_t num[9], key[65], hdr[80], txid[32], want[32];
	size_t keylen = strlen(g->pubkey) / 2;

	if (keylen > sizeof(key))
		fatalx("%s: genesis key too long", __func__);
	hex_or_die(g->pubkey, key, keylen, "genesis key");

	wbuf_init(&sig);
	put_push(&sig, num, scriptnum(GENESIS_PUSH_BITS, num));
	put_push(&sig, num, scriptnum(GENESIS_PUSH_EXTRA, num));
	put_push(&sig, (const uint8_t *)g->msg, strlen(g->msg));

	wbuf_init(&spk);
	put_push(&spk, key, keylen);
	wbuf_put_u8(&spk, OP_CHECKSIG);

	wbuf_init(&tx);
	wbuf_put_le32(&tx, 1);	  /* version */
	wbuf_put_compact(&tx, 1); /* one input: null prevout */
	wbuf_put(&tx, null_prevout, sizeof(null_prevout));
	wbuf_put_le32(&tx, 0xffffffff);
	wbuf_put_compact(&tx, sig.len);
	wbuf_put(&tx, sig.p, sig.len);
	wbuf_put_le32(&tx, SEQUENCE_FINAL);
	wbuf_put_compact(&tx, 1); /* one output */
	wbuf_put_le64(&tx, (uint64_t)g->reward);
	wbuf_put_compact(&tx, spk.len);
	wbuf_put(&tx, spk.p, spk.len);
	wbuf_put_le32(&tx, 0); /* locktime */
	hash256(tx.p, tx.len, txid);

	memset(&h, 0, sizeof(h));
	h.version = g->version;
	/* One transaction: the merkle root is its txid. */
	memcpy(h.merkle, txid, 32);
	h.time = g->time;
	h.bits = g->bits;
	h.nonce = g->nonce;
	header_serialize(&h, hdr);
	header_hash(&h, p->genesis_hash);

	if (hash_from_hex(g->merkle, want) == -1 ||
	    memcmp(want, h.merkle, 32) != 0)
		fatalx("%s: %s genesis merkle root mismatch", __func__,
		    p->name);
	if (hash_from_hex(g->hash, want) == -1 ||
	    memcmp(want, p->genesis_hash, 32) != 0)
		fatalx("%s: %s genesis hash mismatch", __func__, p->name);

	wbuf_init(&blk);
	wbuf_put(&blk, hdr, sizeof(hdr));
	wbuf_put_compact(&blk, 1);
	wbuf_put(&blk, tx.p, tx.len);
	p->genesis_raw = wbuf_steal(&blk, &p->genesis_len);

	wbuf_free(&sig);
	wbuf_free(&spk);
	wbuf_free(&tx);
}

/* BIP325: the message start is the head of SHA256d(CompactSize || script). */
static void
signet_magic(struct chainparams *p)
{
	struct wbuf w;
	uint8_t h[32];

	wbuf_init(&w);
	wbuf_put_compact(&w, p->signet_challenge_len);
	wbuf_put(&w, p->signet_challenge, p->signet_challenge_len);
	hash256(w.p, w.len, h);
	memcpy(p->magic, h, 4);
	wbuf_free(&w);
}

struct chainparams *
chainparams_new(enum chain_id id)
{
	const struct chain_spec *s = spec_for(id);
	struct chainparams *p;
	size_t i;

	if (s == NULL)
		fatalx("%s: unknown chain %d", __func__, (int)id);
	p = xcalloc(1, sizeof(*p));
	p->id = s->id;
	p->name = s->name;
	p->subdir = s->subdir;
	memcpy(p->magic, s->magic, 4);
	p->default_port = s->port;
	p->rpc_port = s->rpc_port;
	hex_or_die(s->pow_limit, p->pow_limit, 32, "pow limit");
	p->target_spacing = s->spacing;
	p->target_timespan = s->timespan;
	p->pow_allow_min_difficulty = s->min_difficulty;
	p->pow_no_retargeting = s->no_retargeting;
	p->enforce_bip94 = s->bip94;
	p->halving_interval = s->halving;
	/* Core: 100,000 on main, 1,000 on the test chains (node.c: -fastprune). */
	p->prune_after_height = s->id == CHAIN_MAIN ? 100000 : 1000;
	p->bip34_height = s->bip34;
	p->bip65_height = s->bip65;
	p->bip66_height = s->bip66;
	p->csv_height = s->csv;
	p->segwit_height = s->segwit;
	p->taproot_height = s->taproot.active_height;
	hex_or_die(s->min_chain_work, p->minimum_chain_work, 32,
	    "minimum chain work");
	if (s->assume_valid != NULL &&
	    hash_from_hex(s->assume_valid, p->assume_valid) != 0)
		fatalx("%s: bad built-in assumevalid hash", __func__);
	p->max_tip_age = 24 * 60 * 60;
	p->p2pkh_prefix = s->p2pkh;
	p->p2sh_prefix = s->p2sh;
	p->wif_prefix = s->wif;
	p->ext_pub_prefix = s->xpub;
	p->ext_priv_prefix = s->xprv;
	p->bech32_hrp = s->hrp;
	p->mine_on_demand = s->mine_on_demand;
	for (i = 0; i < MAX_AU_SPECS && s->assumeutxo[i].height > 0; i++) {
		const struct au_spec *a = &s->assumeutxo[i];
		struct assumeutxo *au;

		p->assumeutxo = xreallocarray(p->assumeutxo,
		    p->n_assumeutxo + 1, sizeof(*p->assumeutxo));
		au = &p->assumeutxo[p->n_assumeutxo++];
		au->height = a->height;
		au->chain_tx = a->chain_tx;
		if (hash_from_hex(a->hash_serialized, au->hash_serialized) !=
			0 ||
		    hash_from_hex(a->blockhash, au->blockhash) != 0)
			fatalx("%s: bad built-in assumeutxo entry", __func__);
	}
	if (s->signet_challenge != NULL) {
		if (hex_decode_alloc(s->signet_challenge, &p->signet_challenge,
			&p->signet_challenge_len) == -1)
			fatalx("%s: bad built-in signet challenge", __func__);
		signet_magic(p);
	}
	build_genesis(p, &s->genesis);
	chainparams_set_seeds(p);
	return p;
}

void
chainparams_free(struct chainparams *p)
{
	if (p == NULL)
		return;
	free(p->genesis_raw);
	free(p->signet_challenge);
	free(p->assumeutxo);
	free(p);
}

static void
set_err(char *err, size_t errlen, const char *fmt, const char *arg)
{
	if (errlen > 0)
		snprintf(err, errlen, fmt, arg);
}

/*
 * Core's TryParseHex: pairs of hex digits, with white space allowed
 * between pairs but not inside one; the empty string is no bytes.
 */
static int
parse_spaced_hex(const char *s, uint8_t **out, size_t *len)
{
	uint8_t *b = xmalloc(strlen(s) / 2 + 1);
	size_t n = 0;
	int hi, lo;

	while (*s != '\0') {
		if (strchr(" \f\n\r\t\v", *s) != NULL) {
			s++;
			continue;
		}
		hi = hex_digit(*s++);
		if (*s == '\0' || hi < 0 || (lo = hex_digit(*s++)) < 0) {
			free(b);
			return -1;
		}
		b[n++] = (uint8_t)(hi << 4 | lo);
	}
	if (n == 0) {
		free(b);
		b = NULL;
	}
	*out = b;
	*len = n;
	return 0;
}

int
chainparams_set_signet_challenge(struct chainparams *p, const char *hex,
    char *err, size_t errlen)
{
	uint8_t *script;
	size_t len;

	if (p->id != CHAIN_SIGNET) {
		set_err(err, errlen,
		    "-signetchallenge (%s) is only allowed on "
		    "signet.",
		    hex);
		return -1;
	}
	if (parse_spaced_hex(hex, &script, &len) == -1) {
		set_err(err, errlen, "-signetchallenge must be hex, not '%s'.",
		    hex);
		return -1;
	}
	free(p->signet_challenge);
	p->signet_challenge = script;
	p->signet_challenge_len = len;
	/*
	 * A custom signet is a new network: no known work to demand, no block
	 * to vouch for (Core clears both), and no seeds (Core: only
	 * -signetseednode's).
	 */
	memset(p->minimum_chain_work, 0, sizeof(p->minimum_chain_work));
	memset(p->assume_valid, 0, sizeof(p->assume_valid));
	p->dns_seeds = NULL;
	p->n_dns_seeds = 0;
	p->fixed_seeds = NULL;
	p->fixed_seeds_len = 0;
	signet_magic(p);
	return 0;
}

/*
 * Core reads the height with ToIntegral<int32_t>: optional '-', digits,
 * nothing else, within range; then refuses negatives and INT_MAX.
 */
static int
parse_height(const char *s, int32_t *out)
{
	const char *q = s;
	long long v;
	char *end;

	if (*q == '-')
		q++;
	if (*q < '0' || *q > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v >= INT_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

int
chainparams_set_activation_err(struct chainparams *p, const char *spec,
    char *err, size_t errlen)
{
	const char *at;
	char name[16];
	size_t n;
	int32_t height;

	if (p->id != CHAIN_REGTEST) {
		set_err(err, errlen,
		    "-testactivationheight (%s) is only "
		    "allowed on regtest.",
		    spec);
		return -1;
	}
	if ((at = strchr(spec, '@')) == NULL) {
		set_err(err, errlen,
		    "Invalid format (%s) for "
		    "-testactivationheight=name@height.",
		    spec);
		return -1;
	}
	if (parse_height(at + 1, &height) == -1) {
		set_err(err, errlen,
		    "Invalid height value (%s) for "
		    "-testactivationheight=name@height.",
		    spec);
		return -1;
	}
	n = (size_t)(at - spec);
	if (n >= sizeof(name))
		goto badname;
	memcpy(name, spec, n);
	name[n] = '\0';
	if (strcmp(name, "segwit") == 0)
		p->segwit_height = height;
	else if (strcmp(name, "bip34") == 0)
		p->bip34_height = height;
	else if (strcmp(name, "dersig") == 0)
		p->bip66_height = height;
	else if (strcmp(name, "cltv") == 0)
		p->bip65_height = height;
	else if (strcmp(name, "csv") == 0)
		p->csv_height = height;
	else
		goto badname;
	return 0;
badname:
	set_err(err, errlen,
	    "Invalid name (%s) for "
	    "-testactivationheight=name@height.",
	    spec);
	return -1;
}

int
chainparams_set_activation(struct chainparams *p, const char *spec)
{
	return chainparams_set_activation_err(p, spec, NULL, 0);
}

static void
add_buried(struct chain_deployment *d, const char *name, int32_t height)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->type = DEPLOYMENT_BURIED;
	d->height = height;
}

static void
add_bip9(struct chain_deployment *d, const char *name, int bit,
    const struct bip9_spec *b, int32_t height)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->type = DEPLOYMENT_BIP9;
	d->height = height;
	d->bit = bit;
	d->start_time = b->start_time;
	d->timeout = b->timeout;
	d->min_activation_height = b->min_activation_height;
	d->period = b->period;
	d->threshold = b->threshold;
}

size_t
chainparams_deployments(const struct chainparams *p,
    struct chain_deployment *out, size_t cap)
{
	const struct chain_spec *s = spec_for(p->id);
	struct chain_deployment all[CHAIN_MAX_DEPLOYMENTS];
	size_t n = 0, i;

	if (s == NULL)
		fatalx("%s: unknown chain %d", __func__, (int)p->id);
	/* Heights come from p, which -testactivationheight may have changed. */
	add_buried(&all[n++], "bip34", p->bip34_height);
	add_buried(&all[n++], "bip66", p->bip66_height);
	add_buried(&all[n++], "bip65", p->bip65_height);
	add_buried(&all[n++], "csv", p->csv_height);
	add_buried(&all[n++], "segwit", p->segwit_height);
	if (s->testdummy.start_time != DEPLOYMENT_NEVER_ACTIVE)
		add_bip9(&all[n++], "testdummy", 28, &s->testdummy,
		    s->testdummy.active_height);
	if (s->taproot.start_time != DEPLOYMENT_NEVER_ACTIVE)
		add_bip9(&all[n++], "taproot", 2, &s->taproot,
		    p->taproot_height);
	for (i = 0; i < n && i < cap; i++)
		out[i] = all[i];
	return i;
}

int32_t
chainparams_retarget_interval(const struct chainparams *p)
{
	return (int32_t)(p->target_timespan / p->target_spacing);
}

/* ---- assumeutxo ---- */

const struct assumeutxo *
chainparams_assumeutxo_for_hash(const struct chainparams *p,
    const uint8_t hash[32])
{
	size_t i;

	for (i = 0; i < p->n_assumeutxo; i++)
		if (memcmp(p->assumeutxo[i].blockhash, hash, 32) == 0)
			return &p->assumeutxo[i];
	return NULL;
}

const struct assumeutxo *
chainparams_assumeutxo_for_height(const struct chainparams *p, int32_t height)
{
	size_t i;

	for (i = 0; i < p->n_assumeutxo; i++)
		if (p->assumeutxo[i].height == height)
			return &p->assumeutxo[i];
	return NULL;
}

/* The next ':'-separated field of *s into buf; -1 if too long or missing. */
static int
next_field(const char **s, char *buf, size_t cap)
{
	size_t n = strcspn(*s, ":");

	if (n == 0 || n >= cap)
		return -1;
	memcpy(buf, *s, n);
	buf[n] = '\0';
	*s += n;
	if (**s == ':')
		(*s)++;
	return 0;
}

int
chainparams_add_assumeutxo(struct chainparams *p, const char *spec, char *err,
    size_t errlen)
{
	struct assumeutxo au;
	char f[4][80], *end;
	const char *s = spec;
	unsigned long long tx;
	size_t i;

	if (p->id != CHAIN_REGTEST) {
		set_err(err, errlen,
		    "-testsnapshot (%s) is only allowed on "
		    "regtest.",
		    spec);
		return -1;
	}
	for (i = 0; i < 4; i++)
		if (next_field(&s, f[i], sizeof(f[i])) != 0)
			goto bad;
	if (*s != '\0' || parse_height(f[0], &au.height) != 0 ||
	    au.height <= 0 || hash_from_hex(f[1], au.blockhash) != 0 ||
	    hash_from_hex(f[2], au.hash_serialized) != 0 || f[3][0] < '0' ||
	    f[3][0] > '9')
		goto bad;
	errno = 0;
	tx = strtoull(f[3], &end, 10);
	if (errno != 0 || *end != '\0' || tx == 0)
		goto bad;
	au.chain_tx = tx;
	p->assumeutxo = xreallocarray(p->assumeutxo, p->n_assumeutxo + 1,
	    sizeof(*p->assumeutxo));
	p->assumeutxo[p->n_assumeutxo++] = au;
	return 0;
bad:
	set_err(err, errlen,
	    "Invalid format (%s) for -testsnapshot=height:"
	    "blockhash:hash_serialized_3:nchaintx.",
	    spec);
	return -1;
}

const char *
chainparams_network_for_magic(const uint8_t magic[4])
{
	struct chainparams sig;
	size_t i;

	for (i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		if (chains[i].id == CHAIN_SIGNET) {
			/* The default signet's start comes from its challenge. */
			memset(&sig, 0, sizeof(sig));
			if (hex_decode_alloc(SIGNET_CHALLENGE,
				&sig.signet_challenge,
				&sig.signet_challenge_len) == -1)
				fatalx("%s: bad built-in signet challenge",
				    __func__);
			signet_magic(&sig);
			free(sig.signet_challenge);
			if (memcmp(sig.magic, magic, 4) == 0)
				return chains[i].name;
		} else if (memcmp(chains[i].magic, magic, 4) == 0)
			return chains[i].name;
	}
	return NULL;
}

int32_t
chainparams_progress_back(const struct chainparams *p)
{
	return (int32_t)(30 * 24 * 3600 / p->target_spacing);
}

double
chainparams_progress(uint64_t tip_tx, int64_t tip_time, uint64_t old_tx,
    int64_t old_time, int64_t now)
{
	double rate = 0, total;

	if (tip_tx == 0)
		return 0;
	if (old_tx != 0 && tip_time - old_time > 0)
		rate = (double)(tip_tx - old_tx) /
		    (double)(tip_time - old_time);
	if (now <= tip_time)
		return 1.0;
	total = (double)tip_tx + (double)(now - tip_time) * rate;
	if (total <= 0 || (double)tip_tx / total > 1.0)
		return 1.0;
	return (double)tip_tx / total;
}
