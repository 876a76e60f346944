/* Helpers shared by the store tests (store_testutil.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_testutil.h"
#include "testenv.h"
#include "crypto/hash.h"
#include "util/buf.h"

const uint8_t REGTEST[4] = { 0xfa, 0xbf, 0xb5, 0xda };

void
tdir_make(struct tdir *t)
{
	if (testenv_tmpdir(t->base, sizeof(t->base), "br-test-store") != 0)
		exit(2);
	snprintf(t->cs, sizeof(t->cs), "%s/chainstate", t->base);
}

void
tdir_free(struct tdir *t)
{
	testenv_rm_rf(t->base);
}

void
mkhash(uint32_t i, uint8_t tag, uint8_t out[32])
{
	uint8_t b[5];

	le32_write(b, i);
	b[4] = tag;
	sha256(b, sizeof(b), out);
}

void
fill_entry(struct block_index_entry *e, uint32_t i)
{
	memset(e, 0, sizeof(*e));
	e->hdr.version = (int32_t)(0x20000000u | i);
	mkhash(i, 2, e->hdr.prev);
	mkhash(i, 3, e->hdr.merkle);
	e->hdr.time = 1700000000u + i;
	e->hdr.bits = 0x207fffff;
	e->hdr.nonce = 0xdeadbeefu ^ i;
	header_hash(&e->hdr, e->hash); /* block reads check it */
	e->height = (int32_t)i;
	mkhash(i, 5, e->chainwork);
	e->status = BLOCK_VALID_TREE | BLOCK_HAVE_DATA |
	    (i & 1 ? BLOCK_FAILED_CHILD : 0);
	e->tx_count = i * 3 + 1;
	e->chain_tx = 0x100000000ull + i;
	e->sequence_id = 1000 + i;
}

int
entry_equal(const struct block_index_entry *a,
    const struct block_index_entry *b)
{
	return memcmp(a->hash, b->hash, 32) == 0 &&
	    a->hdr.version == b->hdr.version &&
	    memcmp(a->hdr.prev, b->hdr.prev, 32) == 0 &&
	    memcmp(a->hdr.merkle, b->hdr.merkle, 32) == 0 &&
	    a->hdr.time == b->hdr.time && a->hdr.bits == b->hdr.bits &&
	    a->hdr.nonce == b->hdr.nonce && a->height == b->height &&
	    memcmp(a->chainwork, b->chainwork, 32) == 0 &&
	    a->status == b->status && a->tx_count == b->tx_count &&
	    a->chain_tx == b->chain_tx && a->sequence_id == b->sequence_id;
}

void
test_block(uint32_t i, const uint8_t *blob, uint8_t raw[20000],
    uint8_t hash[32])
{
	memcpy(raw, blob + (i % 64), 20000);
	le32_write(raw, i); /* the "version": blocks i and i + 64 differ */
	hash256(raw, 80, hash);
}

/* One "block": a 20 KiB raw block, 10 coins, its undo and the tip. */
int
write_block(struct store *s, uint32_t i, const uint8_t *blob)
{
	struct store_wtxn *w;
	struct outpoint op;
	struct coin c;
	uint8_t h[32];
	static uint8_t raw[20000];
	uint32_t k;
	int rc;

	if ((rc = store_write_begin(s, &w)) != 0)
		return rc;
	test_block(i, blob, raw, h);
	if ((rc = store_put_block(w, h, raw, 20000)) != 0)
		goto fail;
	if ((rc = store_put_undo(w, h, blob, 100 + i % 500)) != 0)
		goto fail;
	for (k = 0; k < 10; k++) {
		mkhash(i, 41, op.hash);
		op.n = k;
		c.value = (int64_t)(i * 10 + k);
		c.height = (int32_t)i;
		c.coinbase = k == 0;
		c.script = (uint8_t *)(uintptr_t)(blob + k);
		c.script_len = 25 + k;
		if ((rc = store_put_coin(w, &op, &c)) != 0)
			goto fail;
	}
	if ((rc = store_set_active_hash(w, (int32_t)i, h)) != 0 ||
	    (rc = store_set_tip(w, h, (int32_t)i)) != 0)
		goto fail;
	return store_write_commit(w);
fail:
	store_write_abort(w);
	return rc;
}

/* Writes block i, growing the map and redoing it as often as needed. */
int
write_block_grow(struct store *s, uint32_t i, const uint8_t *blob, int *grows)
{
	int rc, tries;

	for (tries = 0; tries < 20; tries++) {
		rc = write_block(s, i, blob);
		if (rc != STORE_MAPFULL)
			return rc;
		if ((rc = store_grow(s)) != 0)
			return rc;
		(*grows)++;
	}
	return STORE_ERROR;
}

int
verify_blocks(struct store *s, uint32_t n, const uint8_t *blob)
{
	struct store_rtxn *r;
	struct outpoint op;
	struct coin c;
	const uint8_t *p;
	uint8_t h[32], got[32];
	static uint8_t raw[20000];
	size_t len;
	uint32_t i, k;
	int32_t height;
	int ok = 1;

	if (store_read_begin(s, &r) != 0)
		return 0;
	if (store_get_tip(r, got, &height) != 0 || height != (int32_t)n - 1)
		ok = 0;
	for (i = 0; i < n && ok; i++) {
		test_block(i, blob, raw, h);
		if (store_get_block(r, h, &p, &len) != 0 || len != 20000 ||
		    memcmp(p, raw, len) != 0)
			ok = 0;
		if (store_get_undo(r, h, &p, &len) != 0 ||
		    len != 100 + i % 500 || memcmp(p, blob, len) != 0)
			ok = 0;
		if (store_get_active_hash(r, (int32_t)i, got) != 0 ||
		    memcmp(got, h, 32) != 0)
			ok = 0;
		for (k = 0; k < 10; k++) {
			mkhash(i, 41, op.hash);
			op.n = k;
			if (store_get_coin(r, &op, &c) != 0 ||
			    c.value != (int64_t)(i * 10 + k) ||
			    c.height != (int32_t)i || c.coinbase != (k == 0) ||
			    c.script_len != 25 + k ||
			    memcmp(c.script, blob + k, c.script_len) != 0)
				ok = 0;
		}
	}
	store_read_end(r);
	return ok;
}
