/*
 * libFuzzer target for UTXO snapshot files: the metadata
 * (snapshot_meta_get, validation/snapshot.h) and Core's compact coin
 * encodings (primitives/compress.h), which loadtxoutset reads from a file
 * anyone may hand it.
 *
 * Input: the bytes of a snapshot file. The metadata is read for regtest;
 * whatever it says, the bytes after the first SNAPSHOT_META_LEN are then
 * read as coin records (txid, CompactSize count, then CompactSize index and
 * a coin each) until one does not read. Properties:
 *  - the metadata either reads exactly SNAPSHOT_META_LEN bytes and writes
 *    back to them, or fails with a message and the cursor where the short
 *    read left it;
 *  - a failed read leaves the cursor where it was;
 *  - a coin that reads and is in range (amount in the money range, script
 *    not over MAX_SCRIPT_SIZE) writes back to bytes that read to the same
 *    coin and are no longer than what was read;
 *  - compressing a script and reading it back gives the script (an
 *    oversized one: OP_RETURN).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "primitives/compress.h"
#include "primitives/tx.h"
#include "script/opcodes.h"
#include "util/buf.h"
#include "validation/snapshot.h"

#define FUZZ_NAME "fuzz_snapshot"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t REGTEST[4] = { 0xfa, 0xbf, 0xb5, 0xda };

static void
check_meta(const uint8_t *data, size_t size)
{
	struct snapshot_meta m;
	struct rbuf r;
	struct wbuf w;
	char err[256];

	err[0] = '\0';
	rbuf_init(&r, data, size);
	if (snapshot_meta_get(&r, REGTEST, "regtest", &m, err, sizeof(err)) !=
	    0) {
		PROP(err[0] != '\0');
		PROP(strstr(err, ": iostream error") != NULL);
		return;
	}
	PROP(r.off == SNAPSHOT_META_LEN);
	wbuf_init(&w);
	snapshot_meta_put(&w, REGTEST, &m);
	PROP(w.len == SNAPSHOT_META_LEN);
	PROP(memcmp(w.p, data, SNAPSHOT_META_LEN) == 0);
	wbuf_free(&w);
}

/* The script as compressed and read back. */
static void
check_script(const uint8_t *s, size_t len)
{
	struct wbuf w, out;
	struct rbuf r;

	wbuf_init(&w);
	wbuf_init(&out);
	compress_script_put(&w, s, len);
	rbuf_init(&r, w.p, w.len);
	PROP(compress_script_get(&r, &out) == 0);
	PROP(rbuf_left(&r) == 0);
	if (len > MAX_SCRIPT_SIZE)
		PROP(out.len == 1 && out.p[0] == OP_RETURN);
	else
		PROP(out.len == len &&
		    (len == 0 || memcmp(out.p, s, len) == 0));
	wbuf_free(&w);
	wbuf_free(&out);
}

static void
check_coin(const struct compressed_coin *c, size_t consumed)
{
	struct compressed_coin again;
	struct wbuf w;
	struct rbuf r;

	if (c->value < 0 || c->value > MAX_MONEY ||
	    c->script.len > MAX_SCRIPT_SIZE)
		return;
	wbuf_init(&w);
	memset(&again, 0, sizeof(again));
	wbuf_init(&again.script);
	compress_coin_put(&w, c->height, c->coinbase, c->value, c->script.p,
	    c->script.len);
	rbuf_init(&r, w.p, w.len);
	PROP(compress_coin_get(&r, &again) == 0);
	PROP(rbuf_left(&r) == 0);
	PROP(again.height == c->height && again.coinbase == c->coinbase &&
	    again.value == c->value);
	PROP(again.script.len == c->script.len &&
	    (c->script.len == 0 ||
		memcmp(again.script.p, c->script.p, c->script.len) == 0));
	/* The canonical form is never longer than any that reads. */
	PROP(w.len <= consumed);
	check_script(c->script.p, c->script.len);
	wbuf_free(&w);
	wbuf_free(&again.script);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct compressed_coin c;
	struct rbuf r;
	uint64_t n, k, idx;
	size_t before;
	int coins = 0;

	check_meta(data, size);
	if (size < SNAPSHOT_META_LEN)
		return 0;
	memset(&c, 0, sizeof(c));
	wbuf_init(&c.script);
	rbuf_init(&r, data + SNAPSHOT_META_LEN, size - SNAPSHOT_META_LEN);
	while (coins < 1000 && rbuf_skip(&r, 32) == 0) {
		before = r.off;
		if (rbuf_get_compact(&r, &n) == -1) {
			PROP(r.off == before);
			break;
		}
		for (k = 0; k < n && coins < 1000; k++, coins++) {
			if (rbuf_get_compact(&r, &idx) == -1)
				goto out;
			before = r.off;
			if (compress_coin_get(&r, &c) == -1) {
				PROP(r.off == before);
				goto out;
			}
			check_coin(&c, r.off - before);
		}
	}
out:
	/* Any bytes as a script. */
	check_script(data, size < 2 * MAX_SCRIPT_SIZE ? size : 0);
	wbuf_free(&c.script);
	return 0;
}
