/*
 * PSBT parsing and serialization as Bitcoin Core 28 does them
 * (PartiallySignedTransaction, PSBTInput and PSBTOutput's Unserialize and
 * Serialize in Core's psbt.h). See psbt.h for the representation.
 *
 * Core reads a PSBT from one stream and reports the first exception;
 * the errors here are its exception texts. A value Core reads with
 * UnserializeFromVector is read from the whole remaining input, not from
 * the value alone, and then its stated size is checked, as Core does, so
 * that a short value fails with the same message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/key.h"
#include "script/interpreter.h"
#include "script/psbt.h"
#include "script/psbt_int.h"
#include "script/script.h"
#include "util/xmalloc.h"

/* How a map's records are ordered and told apart (Core's containers). */
enum {
	KIND_BYKEY,   /* std::map keyed by the key bytes */
	KIND_SIG,     /* partial signatures: by the key's HASH160 */
	KIND_TAPLEAF, /* (script, leaf version), then control block */
	KIND_XPUB,    /* key origin, then the extended key */
};

static const char EOD[] = "DataStream::read(): end of data";
static const char SPAN_EOD[] = "SpanReader::read(): end of data";

struct pctx {
	struct rbuf r;
	char *err;
	size_t errlen;
};

static int
fail(struct pctx *c, const char *msg)
{
	/* libstdc++'s std::ios_base::failure appends this. */
	snprintf(c->err, c->errlen, "%s: iostream error", msg);
	return -1;
}

/* ReadCompactSize as Core words its failures. */
static int
rd_compact(struct pctx *c, struct rbuf *r, uint64_t *v, int cap,
    const char *eod)
{
	uint8_t b;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	if (rbuf_get_u8(r, &b) == -1)
		return fail(c, eod);
	if (b < 0xfd) {
		*v = b;
	} else if (b == 0xfd) {
		if (rbuf_get_le16(r, &v16) == -1)
			return fail(c, eod);
		if (v16 < 0xfd)
			return fail(c, "non-canonical ReadCompactSize()");
		*v = v16;
	} else if (b == 0xfe) {
		if (rbuf_get_le32(r, &v32) == -1)
			return fail(c, eod);
		if (v32 < 0x10000u)
			return fail(c, "non-canonical ReadCompactSize()");
		*v = v32;
	} else {
		if (rbuf_get_le64(r, &v64) == -1)
			return fail(c, eod);
		if (v64 < 0x100000000ull)
			return fail(c, "non-canonical ReadCompactSize()");
		*v = v64;
	}
	if (cap && *v > COMPACT_MAX_SIZE)
		return fail(c, "ReadCompactSize(): size too large");
	return 0;
}

/* Core's `s >> std::vector<unsigned char>`: borrows from r. */
static int
rd_vec(struct pctx *c, struct rbuf *r, const uint8_t **p, size_t *n,
    const char *eod)
{
	uint64_t len;

	if (rd_compact(c, r, &len, 1, eod) == -1)
		return -1;
	if ((*p = rbuf_ptr(r, len)) == NULL)
		return fail(c, eod);
	*n = len;
	return 0;
}

/* ---- Maps ---- */

static int
lexcmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int d = memcmp(a, b, alen < blen ? alen : blen);

	if (d != 0)
		return d;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* KeyOriginInfo's operator<: fingerprint, path length, path. */
static int
origin_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i;
	int d = memcmp(a, b, 4);

	if (d != 0)
		return d;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	for (i = 4; i + 4 <= alen; i += 4)
		if (le32_read(a + i) != le32_read(b + i))
			return le32_read(a + i) < le32_read(b + i) ? -1 : 1;
	return 0;
}

/* A record's bytes, borrowed (for probes made of parsed input). */
struct rview {
	const uint8_t *key;
	size_t klen;
	const uint8_t *val;
	size_t vlen;
};

static struct rview
view(const struct psbt_rec *r)
{
	struct rview v = { r->key, r->klen, r->val, r->vlen };

	return v;
}

static int
rec_cmp(int kind, const struct rview *a, const struct rview *b)
{
	uint8_t ha[20], hb[20];
	int d;

	switch (kind) {
	case KIND_SIG:
		hash160(a->key + 1, a->klen - 1, ha);
		hash160(b->key + 1, b->klen - 1, hb);
		return memcmp(ha, hb, 20);
	case KIND_TAPLEAF:
		/* value = script || leaf version; key = type || control. */
		d = lexcmp(a->val, a->vlen - 1, b->val, b->vlen - 1);
		if (d != 0)
			return d;
		if (a->val[a->vlen - 1] != b->val[b->vlen - 1])
			return a->val[a->vlen - 1] < b->val[b->vlen - 1] ? -1 :
									   1;
		/* ShortestVectorFirstComparator */
		if (a->klen != b->klen)
			return a->klen < b->klen ? -1 : 1;
		return memcmp(a->key, b->key, a->klen);
	case KIND_XPUB:
		d = origin_cmp(a->val, a->vlen, b->val, b->vlen);
		if (d != 0)
			return d;
		/* CExtPubKey: the public key, then the chain code. */
		d = memcmp(a->key + 1 + 45, b->key + 1 + 45, 33);
		if (d != 0)
			return d;
		return memcmp(a->key + 1 + 13, b->key + 1 + 13, 32);
	default: return lexcmp(a->key, a->klen, b->key, b->klen);
	}
}

/* Index of a record equal to probe under m's order, or -1. */
static long
map_find(const struct psbt_map *m, const struct rview *probe)
{
	struct rview v;
	size_t i;

	for (i = 0; i < m->n; i++)
		if ((v = view(&m->r[i]), rec_cmp(m->kind, &v, probe)) == 0)
			return (long)i;
	return -1;
}

static int
map_has_key(const struct psbt_map *m, const uint8_t *key, size_t klen)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->r[i].klen == klen &&
		    memcmp(m->r[i].key, key, klen) == 0)
			return 1;
	return 0;
}

/*
 * A copy of n bytes, never a zero-sized allocation (the source of an
 * empty value may point just past its buffer: nothing is read from it).
 */
uint8_t *
psbt_dup(const uint8_t *p, size_t n)
{
	uint8_t *d = xmalloc(n ? n : 1);

	if (n > 0)
		memcpy(d, p, n);
	return d;
}

int
psbt_map_add(struct psbt_map *m, const uint8_t *key, size_t klen,
    const uint8_t *val, size_t vlen)
{
	struct rview probe = { key, klen, val, vlen }, v;
	size_t i;
	int d;

	for (i = 0; i < m->n; i++) {
		v = view(&m->r[i]);
		d = rec_cmp(m->kind, &probe, &v);
		if (d == 0)
			return 0;
		if (d < 0)
			break;
	}
	m->r = xreallocarray(m->r, m->n + 1, sizeof(*m->r));
	memmove(&m->r[i + 1], &m->r[i], (m->n - i) * sizeof(*m->r));
	m->r[i].key = psbt_dup(key, klen);
	m->r[i].klen = klen;
	m->r[i].val = psbt_dup(val, vlen);
	m->r[i].vlen = vlen;
	m->n++;
	return 1;
}

void
psbt_map_clear(struct psbt_map *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->r[i].key);
		free(m->r[i].val);
	}
	free(m->r);
	m->r = NULL;
	m->n = 0;
}

/* std::map::insert of every record of src: those with a new key. */
void
psbt_map_merge(struct psbt_map *dst, const struct psbt_map *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		psbt_map_add(dst, src->r[i].key, src->r[i].klen, src->r[i].val,
		    src->r[i].vlen);
}

void
psbt_set_bytes(uint8_t **dst, size_t *dlen, const uint8_t *src, size_t len)
{
	free(*dst);
	*dst = psbt_dup(src, len);
	*dlen = len;
}

int
psbt_is_zero32(const uint8_t *p)
{
	static const uint8_t z[32];

	return memcmp(p, z, 32) == 0;
}

void
psbt_init_input(struct psbt_input *in)
{
	memset(in, 0, sizeof(*in));
	in->sigs.kind = KIND_SIG;
	in->tap_leaves.kind = KIND_TAPLEAF;
}

void
psbt_init_output(struct psbt_output *o)
{
	memset(o, 0, sizeof(*o));
}

/* ---- Parsing ---- */

/* UnserializeFromVector's size check. */
static int
check_stated(struct pctx *c, size_t start, uint64_t stated)
{
	if (c->r.off - start != stated)
		return fail(c, "Size of value was not the stated size");
	return 0;
}

/* A fixed-size value read through UnserializeFromVector. */
static int
rd_fixed_value(struct pctx *c, uint8_t *out, size_t n)
{
	uint64_t stated;
	size_t start;

	if (rd_compact(c, &c->r, &stated, 1, EOD) == -1)
		return -1;
	start = c->r.off;
	if (rbuf_get(&c->r, out, n) == -1)
		return fail(c, EOD);
	return check_stated(c, start, stated);
}

/* Transaction read from the stream, as UnserializeFromVector reads it. */
static int
rd_tx_value(struct pctx *c, struct tx *tx, int flags)
{
	uint64_t stated;
	size_t start;
	struct tx t;

	if (rd_compact(c, &c->r, &stated, 1, EOD) == -1)
		return -1;
	start = c->r.off;
	if (tx_parse(&c->r, &t, flags) == -1)
		return fail(c, EOD);
	if (check_stated(c, start, stated) == -1) {
		tx_free(&t);
		return -1;
	}
	/* Core keeps it as parsed and writes it back without witnesses. */
	{
		size_t i;
		size_t *wc = xcalloc(t.vin_count + 1, sizeof(*wc));

		for (i = 0; i < t.vin_count; i++) {
			wc[i] = t.vin[i].wit_count;
			t.vin[i].wit_count = 0;
		}
		tx_copy(tx, &t);
		for (i = 0; i < t.vin_count; i++)
			t.vin[i].wit_count = wc[i];
		free(wc);
	}
	tx_free(&t);
	return 0;
}

/* DeserializeKeyOrigin: length bytes of fingerprint and path. */
static int
rd_origin(struct pctx *c, uint64_t length, const uint8_t **p)
{
	if (length % 4 != 0 || length == 0)
		return fail(c, "Invalid length for HD key path");
	if ((*p = rbuf_ptr(&c->r, length)) == NULL)
		return fail(c, EOD);
	return 0;
}

/* DeserializeHDKeypaths: key is type || pubkey, value the origin. */
static int
rd_hd_keypath(struct pctx *c, struct psbt_map *m, const uint8_t *key,
    size_t klen)
{
	const uint8_t *p;
	uint64_t len;

	if (klen != 66 && klen != 34)
		return fail(c,
		    "Size of key was not the expected size for the "
		    "type BIP32 keypath");
	if (!key_pubkey_valid(key + 1, klen - 1))
		return fail(c, "Invalid pubkey");
	if (map_has_key(m, key, klen))
		return fail(c,
		    "Duplicate Key, pubkey derivation path already "
		    "provided");
	if (rd_compact(c, &c->r, &len, 1, EOD) == -1 ||
	    rd_origin(c, len, &p) == -1)
		return -1;
	psbt_map_add(m, key, klen, p, len);
	return 0;
}

/*
 * A taproot BIP32 derivation's value: leaf hashes (a set: sorted, without
 * duplicates, as Core re-encodes them) and the key origin.
 */
static int
rd_tap_keypath(struct pctx *c, struct psbt_map *m, const uint8_t *key,
    size_t klen, const char *badlen)
{
	uint64_t vlen, count, i;
	size_t before, hashes_len, n = 0, j;
	const uint8_t *h, *origin;
	uint8_t(*hs)[32] = NULL;
	struct wbuf w;
	int rc = -1;

	if (rd_compact(c, &c->r, &vlen, 1, EOD) == -1)
		return -1;
	before = c->r.off;
	if (rd_compact(c, &c->r, &count, 1, EOD) == -1)
		return -1;
	for (i = 0; i < count; i++) {
		if ((h = rbuf_ptr(&c->r, 32)) == NULL) {
			fail(c, EOD);
			goto out;
		}
		for (j = 0; j < n; j++)
			if (memcmp(hs[j], h, 32) >= 0)
				break;
		if (j < n && memcmp(hs[j], h, 32) == 0)
			continue;
		hs = xreallocarray(hs, n + 1, 32);
		memmove(hs[j + 1], hs[j], (n - j) * 32);
		memcpy(hs[j], h, 32);
		n++;
	}
	hashes_len = c->r.off - before;
	if (hashes_len > vlen) {
		fail(c, badlen);
		goto out;
	}
	if (rd_origin(c, vlen - hashes_len, &origin) == -1)
		goto out;
	wbuf_init(&w);
	wbuf_put_compact(&w, n);
	if (n > 0)
		wbuf_put(&w, hs, n * 32);
	wbuf_put(&w, origin, vlen - hashes_len);
	psbt_map_add(m, key, klen, w.p, w.len);
	wbuf_free(&w);
	rc = 0;
out:
	free(hs);
	return rc;
}

/* PSBTProprietary: identifier and subtype from the key, then the value. */
static int
rd_proprietary(struct pctx *c, struct psbt_map *m, const uint8_t *key,
    size_t klen, struct rbuf *skey)
{
	const uint8_t *id, *v;
	size_t idlen, vlen;
	uint64_t sub;

	if (rd_vec(c, skey, &id, &idlen, SPAN_EOD) == -1 ||
	    rd_compact(c, skey, &sub, 1, SPAN_EOD) == -1)
		return -1;
	if (map_has_key(m, key, klen))
		return fail(c, "Duplicate Key, proprietary key already found");
	if (rd_vec(c, &c->r, &v, &vlen, EOD) == -1)
		return -1;
	psbt_map_add(m, key, klen, v, vlen);
	return 0;
}

static int
rd_unknown(struct pctx *c, struct psbt_map *m, const uint8_t *key, size_t klen)
{
	const uint8_t *v;
	size_t vlen;

	if (map_has_key(m, key, klen))
		return fail(c,
		    "Duplicate Key, key for unknown value already "
		    "provided");
	if (rd_vec(c, &c->r, &v, &vlen, EOD) == -1)
		return -1;
	psbt_map_add(m, key, klen, v, vlen);
	return 0;
}

/* A script read with `s >> script`, copied into *dst. */
static int
rd_script(struct pctx *c, uint8_t **dst, size_t *dlen)
{
	const uint8_t *p;
	size_t n;

	if (rd_vec(c, &c->r, &p, &n, EOD) == -1)
		return -1;
	psbt_set_bytes(dst, dlen, p, n);
	return 0;
}

/*
 * A single-valued field: the duplicate check on the whole key (Core's
 * key_lookup), then the one-byte key check.
 */
static int
single(struct pctx *c, unsigned *seen, unsigned bit, size_t klen,
    const char *dup, const char *toolong)
{
	/*
	 * key_lookup holds whole keys: a second key of the same type but
	 * other bytes is no duplicate, and fails the size check instead.
	 */
	if (klen == 1 && (*seen & bit))
		return fail(c, dup);
	if (klen != 1)
		return fail(c, toolong);
	*seen |= bit;
	return 0;
}

/* Output Taproot tree: Core's checks, and TaprootBuilder's shape check. */
static int
check_tap_tree(struct pctx *c, const uint8_t *p, size_t n)
{
	struct rbuf t;
	/* have[d]: the builder's branch has a node waiting at depth d. */
	uint8_t have[TAPROOT_CONTROL_MAX_NODE_COUNT + 2];
	size_t branch = 0; /* m_branch.size() */
	const uint8_t *s;
	size_t slen;
	uint8_t depth, ver;
	int valid = 1;
	long d;

	rbuf_init(&t, p, n);
	if (n == 0)
		return fail(c, "Output Taproot tree must not be empty");
	memset(have, 0, sizeof(have));
	while (rbuf_left(&t) > 0) {
		if (rbuf_get_u8(&t, &depth) == -1 ||
		    rbuf_get_u8(&t, &ver) == -1)
			return fail(c, SPAN_EOD);
		if (rd_vec(c, &t, &s, &slen, SPAN_EOD) == -1)
			return -1;
		if (depth > TAPROOT_CONTROL_MAX_NODE_COUNT)
			return fail(c,
			    "Output Taproot tree has as leaf greater "
			    "than Taproot maximum depth");
		if ((ver & ~TAPROOT_LEAF_MASK) != 0)
			return fail(c,
			    "Output Taproot tree has a leaf with an "
			    "invalid leaf version");
		if (!valid)
			continue;
		/* TaprootBuilder::Insert, shapes only. */
		d = depth;
		if ((size_t)d + 1 < branch) {
			valid = 0;
			continue;
		}
		while (valid && branch > (size_t)d && have[d]) {
			have[d] = 0;
			branch--;
			if (d == 0)
				valid = 0;
			d--;
		}
		if (valid) {
			if (branch <= (size_t)d)
				branch = (size_t)d + 1;
			have[d] = 1;
		}
	}
	if (!valid || !(branch == 0 || (branch == 1 && have[0])))
		return fail(c, "Output Taproot tree is malformed");
	return 0;
}

enum {
	S_NWU = 1,
	S_WU = 2,
	S_SIGHASH = 4,
	S_REDEEM = 8,
	S_WSCRIPT = 16,
	S_FSIG = 32,
	S_FWIT = 64,
	S_TKSIG = 128,
	S_TINT = 256,
	S_TROOT = 512,
	S_TTREE = 1024,
};

static int
rd_preimage(struct pctx *c, struct psbt_map *m, const uint8_t *key,
    size_t klen, size_t hlen, const char *name)
{
	char msg[128];
	const uint8_t *v;
	size_t vlen;

	if (klen != hlen + 1) {
		snprintf(msg, sizeof(msg),
		    "Size of key was not the expected "
		    "size for the type %s preimage",
		    name);
		return fail(c, msg);
	}
	if (map_has_key(m, key, klen)) {
		snprintf(msg, sizeof(msg),
		    "Duplicate Key, input %s preimage "
		    "already provided",
		    name);
		return fail(c, msg);
	}
	if (rd_vec(c, &c->r, &v, &vlen, EOD) == -1)
		return -1;
	psbt_map_add(m, key, klen, v, vlen);
	return 0;
}

static int
rd_input(struct pctx *c, struct psbt_input *in)
{
	const uint8_t *key, *v;
	size_t klen, vlen, start;
	uint64_t type, stated;
	unsigned seen = 0;
	struct rbuf skey;
	uint8_t buf[12];

	for (;;) {
		if (rbuf_left(&c->r) == 0)
			return fail(c,
			    "Separator is missing at the end of an "
			    "input map");
		if (rd_vec(c, &c->r, &key, &klen, EOD) == -1)
			return -1;
		if (klen == 0)
			return 0;
		rbuf_init(&skey, key, klen);
		if (rd_compact(c, &skey, &type, 1, SPAN_EOD) == -1)
			return -1;
		switch (type) {
		case PSBT_IN_NON_WITNESS_UTXO:
			if (single(c, &seen, S_NWU, klen,
				"Duplicate Key, input "
				"non-witness utxo already provided",
				"Non-witness "
				"utxo key is more than one byte type") == -1 ||
			    rd_tx_value(c, &in->nwu, TX_ALLOW_WITNESS) == -1)
				return -1;
			in->have_nwu = 1;
			break;
		case PSBT_IN_WITNESS_UTXO:
			if (single(c, &seen, S_WU, klen,
				"Duplicate Key, input "
				"witness utxo already provided",
				"Witness utxo key "
				"is more than one byte type") == -1)
				return -1;
			if (rd_compact(c, &c->r, &stated, 1, EOD) == -1)
				return -1;
			start = c->r.off;
			if (rbuf_get(&c->r, buf, 8) == -1)
				return fail(c, EOD);
			if (rd_vec(c, &c->r, &v, &vlen, EOD) == -1 ||
			    check_stated(c, start, stated) == -1)
				return -1;
			in->have_wu = 1;
			in->wu_value = (int64_t)le64_read(buf);
			psbt_set_bytes(&in->wu_script, &in->wu_script_len, v,
			    vlen);
			break;
		case PSBT_IN_PARTIAL_SIG:
			if (klen != 66 && klen != 34)
				return fail(c,
				    "Size of key was not the expected "
				    "size for the type partial signature pubkey");
			if (!key_pubkey_valid(key + 1, klen - 1))
				return fail(c, "Invalid pubkey");
			{
				struct rview probe = { key, klen, NULL, 0 };

				if (map_find(&in->sigs, &probe) >= 0)
					return fail(c,
					    "Duplicate Key, input "
					    "partial signature for pubkey "
					    "already provided");
			}
			/* Core 28 takes the signature's bytes unchecked. */
			if (rd_vec(c, &c->r, &v, &vlen, EOD) == -1)
				return -1;
			psbt_map_add(&in->sigs, key, klen, v, vlen);
			break;
		case PSBT_IN_SIGHASH:
			if (single(c, &seen, S_SIGHASH, klen,
				"Duplicate Key, "
				"input sighash type already provided",
				"Sighash "
				"type key is more than one byte type") == -1 ||
			    rd_fixed_value(c, buf, 4) == -1)
				return -1;
			in->have_sighash = 1;
			in->sighash = (int32_t)le32_read(buf);
			break;
		case PSBT_IN_REDEEMSCRIPT:
			if (single(c, &seen, S_REDEEM, klen,
				"Duplicate Key, "
				"input redeemScript already provided",
				"Input "
				"redeemScript key is more than one byte type") ==
				-1 ||
			    rd_script(c, &in->redeem, &in->redeem_len) == -1)
				return -1;
			break;
		case PSBT_IN_WITNESSSCRIPT:
			if (single(c, &seen, S_WSCRIPT, klen,
				"Duplicate Key, "
				"input witnessScript already provided",
				"Input "
				"witnessScript key is more than one byte type") ==
				-1 ||
			    rd_script(c, &in->wscript, &in->wscript_len) == -1)
				return -1;
			break;
		case PSBT_IN_BIP32_DERIVATION:
			if (rd_hd_keypath(c, &in->keypaths, key, klen) == -1)
				return -1;
			break;
		case PSBT_IN_SCRIPTSIG:
			if (single(c, &seen, S_FSIG, klen,
				"Duplicate Key, input "
				"final scriptSig already provided",
				"Final "
				"scriptSig key is more than one byte type") ==
				-1 ||
			    rd_script(c, &in->final_sig, &in->final_sig_len) ==
				-1)
				return -1;
			break;
		case PSBT_IN_SCRIPTWITNESS: {
			uint64_t items, i;

			if (single(c, &seen, S_FWIT, klen,
				"Duplicate Key, input "
				"final scriptWitness already provided",
				"Final "
				"scriptWitness key is more than one byte type") ==
			    -1)
				return -1;
			if (rd_compact(c, &c->r, &stated, 1, EOD) == -1)
				return -1;
			start = c->r.off;
			if (rd_compact(c, &c->r, &items, 1, EOD) == -1)
				return -1;
			for (i = 0; i < items; i++)
				if (rd_vec(c, &c->r, &v, &vlen, EOD) == -1)
					return -1;
			if (check_stated(c, start, stated) == -1)
				return -1;
			/* CScriptWitness::IsNull: an empty stack is absent. */
			in->have_final_wit = items > 0;
			psbt_set_bytes(&in->final_wit, &in->final_wit_len,
			    c->r.p + start, c->r.off - start);
			break;
		}
		case PSBT_IN_RIPEMD160:
			if (rd_preimage(c, &in->ripemd160, key, klen, 20,
				"ripemd160") == -1)
				return -1;
			break;
		case PSBT_IN_SHA256:
			if (rd_preimage(c, &in->sha256, key, klen, 32,
				"sha256") == -1)
				return -1;
			break;
		case PSBT_IN_HASH160:
			if (rd_preimage(c, &in->hash160, key, klen, 20,
				"hash160") == -1)
				return -1;
			break;
		case PSBT_IN_HASH256:
			if (rd_preimage(c, &in->hash256, key, klen, 32,
				"hash256") == -1)
				return -1;
			break;
		case PSBT_IN_TAP_KEY_SIG:
			if (single(c, &seen, S_TKSIG, klen,
				"Duplicate Key, input "
				"Taproot key signature already provided",
				"Input "
				"Taproot key signature key is more than one byte "
				"type") == -1 ||
			    rd_vec(c, &c->r, &v, &vlen, EOD) == -1)
				return -1;
			if (vlen < 64)
				return fail(c,
				    "Input Taproot key path signature "
				    "is shorter than 64 bytes");
			if (vlen > 65)
				return fail(c,
				    "Input Taproot key path signature "
				    "is longer than 65 bytes");
			memcpy(in->tap_key_sig, v, vlen);
			in->tap_key_sig_len = vlen;
			break;
		case PSBT_IN_TAP_SCRIPT_SIG:
			if (map_has_key(&in->tap_sigs, key, klen))
				return fail(c,
				    "Duplicate Key, input Taproot "
				    "script signature already provided");
			if (klen != 65)
				return fail(c,
				    "Input Taproot script signature "
				    "key is not 65 bytes");
			if (rd_vec(c, &c->r, &v, &vlen, EOD) == -1)
				return -1;
			if (vlen < 64)
				return fail(c,
				    "Input Taproot script path "
				    "signature is shorter than 64 bytes");
			if (vlen > 65)
				return fail(c,
				    "Input Taproot script path "
				    "signature is longer than 65 bytes");
			psbt_map_add(&in->tap_sigs, key, klen, v, vlen);
			break;
		case PSBT_IN_TAP_LEAF_SCRIPT:
			if (map_has_key(&in->tap_leaves, key, klen))
				return fail(c,
				    "Duplicate Key, input Taproot leaf "
				    "script already provided");
			if (klen < 34)
				return fail(c,
				    "Taproot leaf script key is not "
				    "at least 34 bytes");
			if ((klen - 2) % 32 != 0)
				return fail(c,
				    "Input Taproot leaf script key's "
				    "control block size is not valid");
			if (rd_vec(c, &c->r, &v, &vlen, EOD) == -1)
				return -1;
			if (vlen == 0)
				return fail(c,
				    "Input Taproot leaf script must be "
				    "at least 1 byte");
			psbt_map_add(&in->tap_leaves, key, klen, v, vlen);
			break;
		case PSBT_IN_TAP_BIP32_DERIVATION:
			if (map_has_key(&in->tap_keypaths, key, klen))
				return fail(c,
				    "Duplicate Key, input Taproot "
				    "BIP32 keypath already provided");
			if (klen != 33)
				return fail(c,
				    "Input Taproot BIP32 keypath key "
				    "is not at 33 bytes");
			if (rd_tap_keypath(c, &in->tap_keypaths, key, klen,
				"Input Taproot BIP32 keypath has an invalid "
				"length") == -1)
				return -1;
			break;
		case PSBT_IN_TAP_INTERNAL_KEY:
			if (single(c, &seen, S_TINT, klen,
				"Duplicate Key, input "
				"Taproot internal key already provided",
				"Input "
				"Taproot internal key key is more than one byte "
				"type") == -1 ||
			    rd_fixed_value(c, in->tap_internal, 32) == -1)
				return -1;
			break;
		case PSBT_IN_TAP_MERKLE_ROOT:
			if (single(c, &seen, S_TROOT, klen,
				"Duplicate Key, input "
				"Taproot merkle root already provided",
				"Input "
				"Taproot merkle root key is more than one byte "
				"type") == -1 ||
			    rd_fixed_value(c, in->tap_merkle_root, 32) == -1)
				return -1;
			break;
		case PSBT_IN_PROPRIETARY:
			if (rd_proprietary(c, &in->proprietary, key, klen,
				&skey) == -1)
				return -1;
			break;
		default:
			if (rd_unknown(c, &in->unknown, key, klen) == -1)
				return -1;
			break;
		}
	}
}

static int
rd_output(struct pctx *c, struct psbt_output *o)
{
	const uint8_t *key, *v;
	size_t klen, vlen;
	uint64_t type;
	unsigned seen = 0;
	struct rbuf skey;

	for (;;) {
		if (rbuf_left(&c->r) == 0)
			return fail(c,
			    "Separator is missing at the end of an "
			    "output map");
		if (rd_vec(c, &c->r, &key, &klen, EOD) == -1)
			return -1;
		if (klen == 0)
			return 0;
		rbuf_init(&skey, key, klen);
		if (rd_compact(c, &skey, &type, 1, SPAN_EOD) == -1)
			return -1;
		switch (type) {
		case PSBT_OUT_REDEEMSCRIPT:
			if (single(c, &seen, S_REDEEM, klen,
				"Duplicate Key, "
				"output redeemScript already provided",
				"Output "
				"redeemScript key is more than one byte type") ==
				-1 ||
			    rd_script(c, &o->redeem, &o->redeem_len) == -1)
				return -1;
			break;
		case PSBT_OUT_WITNESSSCRIPT:
			if (single(c, &seen, S_WSCRIPT, klen,
				"Duplicate Key, "
				"output witnessScript already provided",
				"Output "
				"witnessScript key is more than one byte type") ==
				-1 ||
			    rd_script(c, &o->wscript, &o->wscript_len) == -1)
				return -1;
			break;
		case PSBT_OUT_BIP32_DERIVATION:
			if (rd_hd_keypath(c, &o->keypaths, key, klen) == -1)
				return -1;
			break;
		case PSBT_OUT_TAP_INTERNAL_KEY:
			if (single(c, &seen, S_TINT, klen,
				"Duplicate Key, output "
				"Taproot internal key already provided",
				"Output "
				"Taproot internal key key is more than one byte "
				"type") == -1 ||
			    rd_fixed_value(c, o->tap_internal, 32) == -1)
				return -1;
			break;
		case PSBT_OUT_TAP_TREE:
			if (single(c, &seen, S_TTREE, klen,
				"Duplicate Key, "
				"output Taproot tree already provided",
				"Output "
				"Taproot tree key is more than one byte type") ==
				-1 ||
			    rd_vec(c, &c->r, &v, &vlen, EOD) == -1 ||
			    check_tap_tree(c, v, vlen) == -1)
				return -1;
			psbt_set_bytes(&o->tap_tree, &o->tap_tree_len, v,
			    vlen);
			break;
		case PSBT_OUT_TAP_BIP32_DERIVATION:
			if (map_has_key(&o->tap_keypaths, key, klen))
				return fail(c,
				    "Duplicate Key, output Taproot "
				    "BIP32 keypath already provided");
			if (klen != 33)
				return fail(c,
				    "Output Taproot BIP32 keypath key "
				    "is not at 33 bytes");
			if (rd_tap_keypath(c, &o->tap_keypaths, key, klen,
				"Output Taproot BIP32 keypath has an invalid "
				"length") == -1)
				return -1;
			break;
		case PSBT_OUT_PROPRIETARY:
			if (rd_proprietary(c, &o->proprietary, key, klen,
				&skey) == -1)
				return -1;
			break;
		default:
			if (rd_unknown(c, &o->unknown, key, klen) == -1)
				return -1;
			break;
		}
	}
}

static int
rd_global(struct pctx *c, struct psbt *p, int *have_tx)
{
	const uint8_t *key, *v;
	size_t klen, i;
	uint64_t type, len;
	struct rbuf skey;
	uint8_t buf[4];

	for (;;) {
		if (rbuf_left(&c->r) == 0)
			return fail(c,
			    "Separator is missing at the end of the "
			    "global map");
		if (rd_vec(c, &c->r, &key, &klen, EOD) == -1)
			return -1;
		if (klen == 0)
			return 0;
		rbuf_init(&skey, key, klen);
		if (rd_compact(c, &skey, &type, 1, SPAN_EOD) == -1)
			return -1;
		switch (type) {
		case PSBT_GLOBAL_UNSIGNED_TX:
			if (klen == 1 && *have_tx)
				return fail(c,
				    "Duplicate Key, unsigned tx "
				    "already provided");
			if (klen != 1)
				return fail(c,
				    "Global unsigned tx key is more "
				    "than one byte type");
			if (rd_tx_value(c, &p->tx, 0) == -1)
				return -1;
			*have_tx = 1;
			for (i = 0; i < p->tx.vin_count; i++)
				if (p->tx.vin[i].script_len > 0)
					return fail(c,
					    "Unsigned tx does not have "
					    "empty scriptSigs and "
					    "scriptWitnesses.");
			break;
		case PSBT_GLOBAL_XPUB: {
			if (klen != 79)
				return fail(c,
				    "Size of key was not the expected "
				    "size for the type global xpub");
			if (!key_pubkey_valid(key + 1 + 45, 33))
				return fail(c, "Invalid pubkey");
			if (rd_compact(c, &c->r, &len, 1, EOD) == -1)
				return -1;
			/* Duplicates are found by key, before the path. */
			for (i = 0; i < p->xpubs.n; i++)
				if (memcmp(p->xpubs.r[i].key + 46, key + 46,
					33) == 0 &&
				    memcmp(p->xpubs.r[i].key + 14, key + 14,
					32) == 0)
					return fail(c,
					    "Duplicate key, global xpub "
					    "already provided");
			if (rd_origin(c, len, &v) == -1)
				return -1;
			psbt_map_add(&p->xpubs, key, klen, v, len);
			break;
		}
		case PSBT_GLOBAL_VERSION:
			if (klen == 1 && p->have_version)
				return fail(c,
				    "Duplicate Key, version already "
				    "provided");
			if (klen != 1)
				return fail(c,
				    "Global version key is more than "
				    "one byte type");
			if (rd_fixed_value(c, buf, 4) == -1)
				return -1;
			p->have_version = 1;
			p->version = le32_read(buf);
			if (p->version > PSBT_HIGHEST_VERSION)
				return fail(c, "Unsupported version number");
			break;
		case PSBT_GLOBAL_PROPRIETARY:
			if (rd_proprietary(c, &p->proprietary, key, klen,
				&skey) == -1)
				return -1;
			break;
		default:
			if (rd_unknown(c, &p->unknown, key, klen) == -1)
				return -1;
			break;
		}
	}
}

void
psbt_init(struct psbt *p)
{
	memset(p, 0, sizeof(*p));
	p->xpubs.kind = KIND_XPUB;
}

int
psbt_parse(const uint8_t *data, size_t len, struct psbt *p, char *err,
    size_t errlen)
{
	static const uint8_t magic[5] = { 'p', 's', 'b', 't', 0xff };
	struct pctx c;
	uint8_t m[5];
	size_t i, nin = 0, nout = 0;
	int have_tx = 0;
	const struct txin *txin;

	psbt_init(p);
	rbuf_init(&c.r, data, len);
	c.err = err;
	c.errlen = errlen;
	if (rbuf_get(&c.r, m, 5) == -1) {
		fail(&c, EOD);
		goto bad;
	}
	if (memcmp(m, magic, 5) != 0) {
		fail(&c, "Invalid PSBT magic bytes");
		goto bad;
	}
	if (rd_global(&c, p, &have_tx) == -1)
		goto bad;
	if (!have_tx) {
		fail(&c, "No unsigned transaction was provided");
		goto bad;
	}
	p->in = xcalloc(p->tx.vin_count + 1, sizeof(*p->in));
	p->out = xcalloc(p->tx.vout_count + 1, sizeof(*p->out));
	for (i = 0; i < p->tx.vin_count; i++)
		psbt_init_input(&p->in[i]);
	for (i = 0; i < p->tx.vout_count; i++)
		psbt_init_output(&p->out[i]);
	while (rbuf_left(&c.r) > 0 && nin < p->tx.vin_count) {
		if (rd_input(&c, &p->in[nin]) == -1)
			goto bad;
		txin = &p->tx.vin[nin];
		if (p->in[nin].have_nwu) {
			if (memcmp(p->in[nin].nwu.txid, txin->prevout.hash,
				32) != 0) {
				fail(&c,
				    "Non-witness UTXO does not match "
				    "outpoint hash");
				goto bad;
			}
			if (txin->prevout.n >= p->in[nin].nwu.vout_count) {
				fail(&c,
				    "Input specifies output index that "
				    "does not exist");
				goto bad;
			}
		}
		nin++;
	}
	if (nin != p->tx.vin_count) {
		fail(&c,
		    "Inputs provided does not match the number of inputs "
		    "in transaction.");
		goto bad;
	}
	while (rbuf_left(&c.r) > 0 && nout < p->tx.vout_count) {
		if (rd_output(&c, &p->out[nout]) == -1)
			goto bad;
		nout++;
	}
	if (nout != p->tx.vout_count) {
		fail(&c,
		    "Outputs provided does not match the number of "
		    "outputs in transaction.");
		goto bad;
	}
	if (rbuf_left(&c.r) > 0) {
		snprintf(err, errlen, "extra data after PSBT");
		goto bad;
	}
	return 0;
bad:
	psbt_free(p);
	return -1;
}
