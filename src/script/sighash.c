/*
 * Signature hashes: legacy, BIP143 (segwit v0) and BIP341/342 (taproot),
 * and the per-transaction data that lets every input of a transaction share
 * one pass over its prevouts, amounts, scripts, sequences and outputs.
 *
 * Everything is streamed into SHA256 through a small buffer; no
 * serialization of the transaction is ever built in memory.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "script/interpreter.h"
#include "script/opcodes.h"
#include "script/script.h"
#include "util/xmalloc.h"

/* A SHA256 writer that batches the many small fields of a transaction. */
struct hw {
	struct sha256_ctx c;
	size_t n;
	uint8_t buf[256];
};

static void
hw_init(struct hw *h)
{
	sha256_init(&h->c);
	h->n = 0;
}

static void
hw_init_tagged(struct hw *h, const char *tag)
{
	tagged_hash_init(&h->c, tag);
	h->n = 0;
}

static void
hw_flush(struct hw *h)
{
	if (h->n > 0)
		sha256_update(&h->c, h->buf, h->n);
	h->n = 0;
}

static void
hw_put(struct hw *h, const void *p, size_t n)
{
	if (n == 0) /* p may be NULL for an empty script */
		return;
	if (h->n + n > sizeof(h->buf)) {
		hw_flush(h);
		if (n >= sizeof(h->buf)) {
			sha256_update(&h->c, p, n);
			return;
		}
	}
	memcpy(h->buf + h->n, p, n);
	h->n += n;
}

static void
hw_u8(struct hw *h, uint8_t v)
{
	hw_put(h, &v, 1);
}

static void
hw_le32(struct hw *h, uint32_t v)
{
	uint8_t b[4];

	le32_write(b, v);
	hw_put(h, b, 4);
}

static void
hw_le64(struct hw *h, uint64_t v)
{
	uint8_t b[8];

	le64_write(b, v);
	hw_put(h, b, 8);
}

static void
hw_compact(struct hw *h, uint64_t v)
{
	uint8_t b[9];

	if (v < 0xfd) {
		b[0] = (uint8_t)v;
		hw_put(h, b, 1);
	} else if (v <= 0xffff) {
		b[0] = 0xfd;
		b[1] = (uint8_t)v;
		b[2] = (uint8_t)(v >> 8);
		hw_put(h, b, 3);
	} else if (v <= 0xffffffffu) {
		b[0] = 0xfe;
		le32_write(b + 1, (uint32_t)v);
		hw_put(h, b, 5);
	} else {
		b[0] = 0xff;
		le64_write(b + 1, v);
		hw_put(h, b, 9);
	}
}

static void
hw_bytes(struct hw *h, const uint8_t *p, size_t n)
{
	hw_compact(h, n);
	hw_put(h, p, n);
}

static void
hw_final(struct hw *h, uint8_t out[32])
{
	hw_flush(h);
	sha256_final(&h->c, out);
}

static void
hw_final2(struct hw *h, uint8_t out[32])
{
	hw_flush(h);
	hash256_final(&h->c, out);
}

static void
hw_outpoint(struct hw *h, const struct outpoint *o)
{
	hw_put(h, o->hash, 32);
	hw_le32(h, o->n);
}

static void
hw_txout(struct hw *h, const struct txout *o)
{
	hw_le64(h, (uint64_t)o->value);
	hw_bytes(h, o->script, o->script_len);
}

/* Single SHA256 of all prevouts, sequences and outputs. */
static void
hash_prevouts(const struct tx *tx, uint8_t out[32])
{
	struct hw h;
	size_t i;

	hw_init(&h);
	for (i = 0; i < tx->vin_count; i++)
		hw_outpoint(&h, &tx->vin[i].prevout);
	hw_final(&h, out);
}

static void
hash_sequences(const struct tx *tx, uint8_t out[32])
{
	struct hw h;
	size_t i;

	hw_init(&h);
	for (i = 0; i < tx->vin_count; i++)
		hw_le32(&h, tx->vin[i].sequence);
	hw_final(&h, out);
}

static void
hash_outputs(const struct tx *tx, uint8_t out[32])
{
	struct hw h;
	size_t i;

	hw_init(&h);
	for (i = 0; i < tx->vout_count; i++)
		hw_txout(&h, &tx->vout[i]);
	hw_final(&h, out);
}

static void
hash_amounts(const struct tx *tx, const struct txout *spent, uint8_t out[32])
{
	struct hw h;
	size_t i;

	hw_init(&h);
	for (i = 0; i < tx->vin_count; i++)
		hw_le64(&h, (uint64_t)spent[i].value);
	hw_final(&h, out);
}

static void
hash_scripts(const struct tx *tx, const struct txout *spent, uint8_t out[32])
{
	struct hw h;
	size_t i;

	hw_init(&h);
	for (i = 0; i < tx->vin_count; i++)
		hw_bytes(&h, spent[i].script, spent[i].script_len);
	hw_final(&h, out);
}

static void
fill_bip143(struct script_txdata *td)
{
	sha256(td->sha_prevouts, 32, td->hash_prevouts);
	sha256(td->sha_sequences, 32, td->hash_sequence);
	sha256(td->sha_outputs, 32, td->hash_outputs);
	td->bip143_ready = 1;
}

static void
fill_bip341(struct script_txdata *td)
{
	hash_amounts(td->tx, td->spent, td->sha_amounts);
	hash_scripts(td->tx, td->spent, td->sha_scripts);
	td->bip341_ready = 1;
}

/* Hashes only what the inputs' kinds of spend need, as Core does. */
static void
txdata_init(struct script_txdata *td, const struct tx *tx,
    const struct txout *spent, int force)
{
	const struct txout *o;
	int v0 = force, v1 = force;
	size_t i;

	memset(td, 0, sizeof(*td));
	td->tx = tx;
	td->spent = spent;
	for (i = 0; i < tx->vin_count && !(v0 && v1); i++) {
		o = spent != NULL ? &spent[i] : NULL;
		/*
		 * Anything spending a 34-byte OP_1 output may need BIP341
		 * hashes; any other witness spend is treated as v0. Being
		 * generous here costs a hash, never a wrong answer.
		 */
		if (o != NULL && o->script_len == 34 && o->script[0] == OP_1)
			v1 = 1;
		else if (tx->vin[i].wit_count > 0)
			v0 = 1;
	}
	if (!v0 && !v1)
		return;
	hash_prevouts(tx, td->sha_prevouts);
	hash_sequences(tx, td->sha_sequences);
	hash_outputs(tx, td->sha_outputs);
	if (v0)
		fill_bip143(td);
	if (v1 && spent != NULL)
		fill_bip341(td);
}

struct script_txdata *
script_txdata_new(const struct tx *tx, const struct txout *spent)
{
	struct script_txdata *td;

	td = xmalloc(sizeof(*td));
	txdata_init(td, tx, spent, 0);
	return td;
}

void
script_txdata_free(struct script_txdata *td)
{
	free(td);
}

/*
 * The script code as the legacy hash serializes it: without its
 * OP_CODESEPARATORs. The length prefix counts every byte but the
 * separators, and after a truncated push the bytes up to where the reader
 * stopped are written, exactly as Core's serializer does; a script whose
 * evaluation reached a CHECKSIG with such a tail fails anyway, but the hash
 * stays identical for sighash.json and for the fuzzer.
 */
static void
put_legacy_script_code(struct hw *h, const uint8_t *code, size_t len)
{
	const uint8_t *d;
	size_t pc, begin, dl, nsep = 0;
	unsigned op;

	if (memchr(code, OP_CODESEPARATOR, len) == NULL) {
		hw_bytes(h, code, len);
		return;
	}
	pc = 0;
	while (script_get_op(code, len, &pc, &op, &d, &dl))
		if (op == OP_CODESEPARATOR)
			nsep++;
	hw_compact(h, len - nsep);
	pc = 0;
	begin = 0;
	while (script_get_op(code, len, &pc, &op, &d, &dl)) {
		if (op == OP_CODESEPARATOR) {
			hw_put(h, code + begin, pc - 1 - begin);
			begin = pc;
		}
	}
	if (begin != len)
		hw_put(h, code + begin, pc - begin);
}

void
script_sighash_legacy(const struct tx *tx, size_t nin,
    const uint8_t *script_code, size_t code_len, int32_t hash_type,
    uint8_t out[32])
{
	struct hw h;
	size_t i, idx, nins, nouts;
	int base = hash_type & 0x1f;
	int anyone = (hash_type & SIGHASH_ANYONECANPAY) != 0;
	uint32_t seq;

	if (nin >= tx->vin_count ||
	    (base == SIGHASH_SINGLE && nin >= tx->vout_count)) {
		memset(out, 0, 32);
		out[0] = 1;
		return;
	}
	hw_init(&h);
	hw_le32(&h, (uint32_t)tx->version);
	nins = anyone ? 1 : tx->vin_count;
	hw_compact(&h, nins);
	for (i = 0; i < nins; i++) {
		idx = anyone ? nin : i;
		hw_outpoint(&h, &tx->vin[idx].prevout);
		if (idx == nin)
			put_legacy_script_code(&h, script_code, code_len);
		else
			hw_compact(&h, 0);
		seq = tx->vin[idx].sequence;
		if (idx != nin &&
		    (base == SIGHASH_NONE || base == SIGHASH_SINGLE))
			seq = 0;
		hw_le32(&h, seq);
	}
	if (base == SIGHASH_NONE)
		nouts = 0;
	else if (base == SIGHASH_SINGLE)
		nouts = nin + 1;
	else
		nouts = tx->vout_count;
	hw_compact(&h, nouts);
	for (i = 0; i < nouts; i++) {
		if (base == SIGHASH_SINGLE && i != nin) {
			/* A "null" output: value -1, empty script. */
			hw_le64(&h, UINT64_MAX);
			hw_compact(&h, 0);
		} else
			hw_txout(&h, &tx->vout[i]);
	}
	hw_le32(&h, tx->locktime);
	hw_le32(&h, (uint32_t)hash_type);
	hw_final2(&h, out);
}

void
script_sighash_v0(const struct tx *tx, size_t nin, const uint8_t *script_code,
    size_t code_len, int64_t amount, int32_t hash_type,
    const struct script_txdata *td, uint8_t out[32])
{
	struct script_txdata local;
	struct hw h;
	uint8_t zero[32], single[32];
	int base = hash_type & 0x1f;
	int anyone = (hash_type & SIGHASH_ANYONECANPAY) != 0;
	const struct txin *in = &tx->vin[nin];

	if (td == NULL || !td->bip143_ready) {
		txdata_init(&local, tx, NULL, 1);
		td = &local;
	}
	memset(zero, 0, 32);
	hw_init(&h);
	hw_le32(&h, (uint32_t)tx->version);
	hw_put(&h, anyone ? zero : td->hash_prevouts, 32);
	hw_put(&h,
	    (anyone || base == SIGHASH_SINGLE || base == SIGHASH_NONE) ?
		zero :
		td->hash_sequence,
	    32);
	hw_outpoint(&h, &in->prevout);
	hw_bytes(&h, script_code, code_len);
	hw_le64(&h, (uint64_t)amount);
	hw_le32(&h, in->sequence);
	if (base != SIGHASH_SINGLE && base != SIGHASH_NONE)
		hw_put(&h, td->hash_outputs, 32);
	else if (base == SIGHASH_SINGLE && nin < tx->vout_count) {
		struct hw o;

		hw_init(&o);
		hw_txout(&o, &tx->vout[nin]);
		hw_final2(&o, single);
		hw_put(&h, single, 32);
	} else
		hw_put(&h, zero, 32);
	hw_le32(&h, tx->locktime);
	hw_le32(&h, (uint32_t)hash_type);
	hw_final2(&h, out);
}

int
script_sighash_taproot(const struct script_txdata *td, size_t nin,
    uint8_t hash_type, const uint8_t annex_hash[32],
    const uint8_t tapleaf_hash[32], uint32_t codesep_pos, uint8_t out[32])
{
	struct script_txdata local;
	const struct tx *tx;
	struct hw h;
	uint8_t out_type, single[32];
	int anyone;

	if (td == NULL || td->spent == NULL || nin >= td->tx->vin_count)
		return -1;
	if (!(hash_type <= 0x03 || (hash_type >= 0x81 && hash_type <= 0x83)))
		return -1;
	tx = td->tx;
	if (!td->bip341_ready) {
		txdata_init(&local, tx, td->spent, 1);
		td = &local;
	}
	out_type = hash_type == SIGHASH_DEFAULT ? SIGHASH_ALL :
						  (hash_type & 3);
	anyone = (hash_type & SIGHASH_ANYONECANPAY) != 0;
	if (out_type == SIGHASH_SINGLE && nin >= tx->vout_count)
		return -1;

	hw_init_tagged(&h, "TapSighash");
	hw_u8(&h, 0); /* epoch */
	hw_u8(&h, hash_type);
	hw_le32(&h, (uint32_t)tx->version);
	hw_le32(&h, tx->locktime);
	if (!anyone) {
		hw_put(&h, td->sha_prevouts, 32);
		hw_put(&h, td->sha_amounts, 32);
		hw_put(&h, td->sha_scripts, 32);
		hw_put(&h, td->sha_sequences, 32);
	}
	if (out_type != SIGHASH_NONE && out_type != SIGHASH_SINGLE)
		hw_put(&h, td->sha_outputs, 32);
	hw_u8(&h,
	    (uint8_t)((tapleaf_hash != NULL ? 2 : 0) +
		(annex_hash != NULL ? 1 : 0)));
	if (anyone) {
		hw_outpoint(&h, &tx->vin[nin].prevout);
		hw_txout(&h, &td->spent[nin]);
		hw_le32(&h, tx->vin[nin].sequence);
	} else
		hw_le32(&h, (uint32_t)nin);
	if (annex_hash != NULL)
		hw_put(&h, annex_hash, 32);
	if (out_type == SIGHASH_SINGLE) {
		struct hw o;

		hw_init(&o);
		hw_txout(&o, &tx->vout[nin]);
		hw_final(&o, single);
		hw_put(&h, single, 32);
	}
	if (tapleaf_hash != NULL) {
		hw_put(&h, tapleaf_hash, 32);
		hw_u8(&h, 0); /* key_version */
		hw_le32(&h, codesep_pos);
	}
	hw_final(&h, out);
	return 0;
}

void
sig_annex_hash(const uint8_t *annex, size_t len, uint8_t out[32])
{
	struct hw h;

	hw_init(&h);
	hw_bytes(&h, annex, len);
	hw_final(&h, out);
}

void
script_tapleaf_hash(uint8_t leaf_version, const uint8_t *script, size_t len,
    uint8_t out[32])
{
	struct hw h;

	hw_init_tagged(&h, "TapLeaf");
	hw_u8(&h, leaf_version);
	hw_bytes(&h, script, len);
	hw_final(&h, out);
}

void
script_tapbranch_hash(const uint8_t a[32], const uint8_t b[32],
    uint8_t out[32])
{
	struct hw h;

	hw_init_tagged(&h, "TapBranch");
	if (memcmp(a, b, 32) < 0) {
		hw_put(&h, a, 32);
		hw_put(&h, b, 32);
	} else {
		hw_put(&h, b, 32);
		hw_put(&h, a, 32);
	}
	hw_final(&h, out);
}
