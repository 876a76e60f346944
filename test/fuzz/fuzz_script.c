/*
 * libFuzzer target for the script interpreter and the signature hashes:
 * no crash, no undefined behaviour, and the same answer twice for the same
 * input (with and without the signature cache).
 *
 * Input: flags (4 bytes), amount (8), hash type (4), input index (1),
 * mode (1), then either a serialized transaction preceded by a
 * CompactSize-prefixed scriptPubKey (mode even), or (mode odd) a
 * one-input transaction built from length-prefixed pieces: scriptSig,
 * scriptPubKey, then witness items, which reaches the interpreter without
 * having to produce a valid serialization first.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/consensus.h"
#include "primitives/tx.h"
#include "script/script.h"
#include "script/sigcache.h"
#include "util/buf.h"
#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WIT 64

static struct sigcache *cache;

/* A length-prefixed piece: one byte of length, or 0xff then two. */
static int
get_piece(struct rbuf *r, const uint8_t **p, size_t *n)
{
	uint8_t b;
	uint16_t l;

	if (rbuf_get_u8(r, &b) != 0)
		return -1;
	if (b == 0xff) {
		if (rbuf_get_le16(r, &l) != 0)
			return -1;
		*n = l;
	} else
		*n = b;
	*p = rbuf_ptr(r, *n);
	return *p == NULL ? -1 : 0;
}

static void
same(int a, int b)
{
	if (a != b)
		abort();
}

static void
check_tx(const struct tx *tx, const struct txout *spent1, uint32_t flags,
    int32_t hash_type, size_t nin)
{
	struct script_txdata *td;
	struct txout *spent;
	uint8_t h1[32], h2[32];
	size_t i;
	int ok1, ok2, ok3, err1, err2, err3, r1, r2;

	if (tx->vin_count == 0)
		return;
	nin %= tx->vin_count;
	spent = xcalloc(tx->vin_count, sizeof(*spent));
	for (i = 0; i < tx->vin_count; i++)
		spent[i] = *spent1;
	td = script_txdata_new(tx, spent);

	ok1 = script_verify_input(tx, nin, spent1, flags, td, &err1);
	ok2 = script_verify_input(tx, nin, spent1, flags, td, &err2);
	same(ok1, ok2);
	same(err1, err2);
	same(ok1, err1 == SCRIPT_ERR_OK);
	/* Without precomputed data only taproot spends may differ. */
	ok3 = script_verify_input(tx, nin, spent1, flags, NULL, &err3);
	if (!(flags & SCRIPT_VERIFY_TAPROOT))
		same(ok1, ok3);
	/* The cache never changes an answer. */
	ok3 = script_verify_input_cached(tx, nin, spent1, flags, td, cache, 1,
	    &err3);
	same(ok1, ok3);
	same(err1, err3);
	ok3 = script_verify_input_cached(tx, nin, spent1, flags, td, cache, 0,
	    &err3);
	same(ok1, ok3);
	same(err1, err3);

	script_sighash_legacy(tx, nin, spent1->script, spent1->script_len,
	    hash_type, h1);
	script_sighash_legacy(tx, nin, spent1->script, spent1->script_len,
	    hash_type, h2);
	same(memcmp(h1, h2, 32), 0);
	script_sighash_v0(tx, nin, spent1->script, spent1->script_len,
	    spent1->value, hash_type, td, h1);
	script_sighash_v0(tx, nin, spent1->script, spent1->script_len,
	    spent1->value, hash_type, NULL, h2);
	same(memcmp(h1, h2, 32), 0);
	r1 = script_sighash_taproot(td, nin, (uint8_t)hash_type, NULL, NULL,
	    UINT32_MAX, h1);
	r2 = script_sighash_taproot(td, nin, (uint8_t)hash_type, NULL, NULL,
	    UINT32_MAX, h2);
	same(r1, r2);
	if (r1 == 0)
		same(memcmp(h1, h2, 32), 0);

	(void)script_sigops(spent1->script, spent1->script_len, 1);
	(void)script_p2sh_sigops(spent1->script, spent1->script_len,
	    tx->vin[nin].script, tx->vin[nin].script_len);
	(void)script_witness_sigops(tx->vin[nin].script,
	    tx->vin[nin].script_len, spent1->script, spent1->script_len,
	    tx->vin[nin].wit, tx->vin[nin].wit_count, flags);
	(void)consensus_check_tx(tx, NULL);

	script_txdata_free(td);
	free(spent);
}

static void
run_built(struct rbuf *r, uint32_t flags, int64_t amount, int32_t hash_type,
    size_t nin)
{
	static const uint8_t empty[1];
	struct witem wit[MAX_WIT];
	struct txin in;
	struct txout out, spent;
	struct tx tx;
	const uint8_t *p;
	size_t n;

	memset(&in, 0, sizeof(in));
	memset(&tx, 0, sizeof(tx));
	if (get_piece(r, &p, &n) != 0)
		return;
	in.script = n ? p : empty;
	in.script_len = n;
	if (get_piece(r, &p, &n) != 0)
		return;
	spent.script = n ? p : empty;
	spent.script_len = n;
	spent.value = amount;
	while (in.wit_count < MAX_WIT && get_piece(r, &p, &n) == 0) {
		wit[in.wit_count].p = n ? p : empty;
		wit[in.wit_count].len = n;
		in.wit_count++;
	}
	in.wit = wit;
	in.prevout.n = 1;
	in.sequence = (uint32_t)amount;
	out.value = amount;
	out.script = empty;
	out.script_len = 0;
	tx.version = (int32_t)(hash_type >> 8);
	tx.locktime = (uint32_t)(amount >> 32);
	tx.vin_count = 1;
	tx.vin = &in;
	tx.vout_count = 1;
	tx.vout = &out;
	tx_compute_ids(&tx);
	check_tx(&tx, &spent, flags, hash_type, nin);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rbuf r;
	struct txout spent;
	struct tx tx;
	uint64_t amount, slen;
	uint32_t flags, ht;
	uint8_t nin, mode;

	if (cache == NULL)
		cache = sigcache_new(1 << 20);
	rbuf_init(&r, data, size);
	if (rbuf_get_le32(&r, &flags) != 0 ||
	    rbuf_get_le64(&r, &amount) != 0 || rbuf_get_le32(&r, &ht) != 0 ||
	    rbuf_get_u8(&r, &nin) != 0 || rbuf_get_u8(&r, &mode) != 0)
		return 0;
	if (mode & 1) {
		run_built(&r, flags, (int64_t)amount, (int32_t)ht, nin);
		return 0;
	}
	if (rbuf_get_compact(&r, &slen) != 0 ||
	    (spent.script = rbuf_ptr(&r, (size_t)slen)) == NULL)
		return 0;
	spent.script_len = (size_t)slen;
	spent.value = (int64_t)amount;
	if (tx_parse(&r, &tx, TX_ALLOW_WITNESS) != 0)
		return 0;
	check_tx(&tx, &spent, flags, (int32_t)ht, nin);
	tx_free(&tx);
	return 0;
}
