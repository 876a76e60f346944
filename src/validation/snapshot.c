/*
 * UTXO snapshot files (snapshot.h): the metadata both ways and
 * dumptxoutset's writer.
 *
 * The writer walks the coins in key order, which is outpoint order (txid,
 * then output index), the order Core's LevelDB cursor gives; so the groups
 * come out as Core's and the file is byte for byte Core's for the same
 * UTXO set. hash_serialized_3 is computed over the same walk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "crypto/hash.h"
#include "primitives/compress.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/time.h"
#include "util/xmalloc.h"
#include "validation/coinstats.h"
#include "validation/snapshot.h"

static const uint8_t snapshot_magic[5] = { 'u', 't', 'x', 'o', 0xff };

/* Written to the file whenever this much is buffered. */
#define DUMP_FLUSH_BYTES (1u << 20)

/* Core's std::ios_base::failure texts end so (libstdc++'s what()). */
#define IOS_SUFFIX ": iostream error"

void
snapshot_meta_put(struct wbuf *w, const uint8_t magic[4],
    const struct snapshot_meta *m)
{
	wbuf_put(w, snapshot_magic, sizeof(snapshot_magic));
	wbuf_put_le16(w, SNAPSHOT_VERSION);
	wbuf_put(w, magic, 4);
	wbuf_put(w, m->base_hash, 32);
	wbuf_put_le64(w, m->coins);
}

int
snapshot_meta_get(struct rbuf *r, const uint8_t magic[4],
    const char *node_network, struct snapshot_meta *m, char *err,
    size_t errlen)
{
	uint8_t got[5], net[4];
	uint16_t version;
	const char *name;

	/* Field by field, as Core reads them: a short file fails where it ends. */
	if (rbuf_get(r, got, sizeof(got)) == -1)
		goto eof;
	if (memcmp(got, snapshot_magic, sizeof(got)) != 0) {
		snprintf(err, errlen, "Invalid UTXO set snapshot magic bytes. "
		    "Please check if this is indeed a snapshot file or if you "
		    "are using an outdated snapshot format." IOS_SUFFIX);
		return -1;
	}
	if (rbuf_get_le16(r, &version) == -1)
		goto eof;
	if (version != SNAPSHOT_VERSION) {
		snprintf(err, errlen, "Version of snapshot %u does not match "
		    "any of the supported versions." IOS_SUFFIX,
		    (unsigned)version);
		return -1;
	}
	if (rbuf_get(r, net, 4) == -1)
		goto eof;
	if (memcmp(net, magic, 4) != 0) {
		if ((name = chainparams_network_for_magic(net)) != NULL)
			snprintf(err, errlen, "The network of the snapshot "
			    "(%s) does not match the network of this node "
			    "(%s)." IOS_SUFFIX, name, node_network);
		else
			snprintf(err, errlen, "This snapshot has been created "
			    "for an unrecognized network. This could be a "
			    "custom signet, a new testnet or possibly caused "
			    "by data corruption." IOS_SUFFIX);
		return -1;
	}
	if (rbuf_get(r, m->base_hash, 32) == -1 ||
	    rbuf_get_le64(r, &m->coins) == -1)
		goto eof;
	return 0;
eof:
	snprintf(err, errlen, "AutoFile::read: end of file" IOS_SUFFIX);
	return -1;
}

/* ---- dumptxoutset ---- */

struct dump_coin {
	uint32_t n;
	struct coin c;		/* script points into the map */
};

struct dump {
	FILE *f;
	struct wbuf out;	/* file bytes not yet written */
	struct wbuf ser;	/* one coin as hash_serialized_3 takes it */
	struct sha256_ctx h;
	uint8_t txid[32];
	struct dump_coin *group;	/* the coins of txid so far */
	size_t ngroup, capgroup;
	uint64_t written;
	int ioerr;
};

static void
dump_flush(struct dump *d)
{
	if (d->out.len == 0 || d->ioerr)
		return;
	if (fwrite(d->out.p, 1, d->out.len, d->f) != d->out.len)
		d->ioerr = 1;
	wbuf_reset(&d->out);
}

/* One transaction's coins: txid, count, then (index, coin) each. */
static void
dump_group(struct dump *d)
{
	size_t i;

	if (d->ngroup == 0)
		return;
	wbuf_put(&d->out, d->txid, 32);
	wbuf_put_compact(&d->out, d->ngroup);
	for (i = 0; i < d->ngroup; i++) {
		const struct coin *c = &d->group[i].c;

		wbuf_put_compact(&d->out, d->group[i].n);
		compress_coin_put(&d->out, (uint32_t)c->height, c->coinbase,
		    c->value, c->script, c->script_len);
	}
	d->written += d->ngroup;
	d->ngroup = 0;
	if (d->out.len >= DUMP_FLUSH_BYTES)
		dump_flush(d);
}

static int
dump_coin(void *arg, const struct outpoint *op, const struct coin *c)
{
	struct dump *d = arg;

	if (d->ngroup > 0 && memcmp(d->txid, op->hash, 32) != 0)
		dump_group(d);
	if (d->ioerr)
		return 1;
	if (d->ngroup == d->capgroup) {
		d->capgroup = d->capgroup ? d->capgroup * 2 : 16;
		d->group = xreallocarray(d->group, d->capgroup,
		    sizeof(*d->group));
	}
	memcpy(d->txid, op->hash, 32);
	d->group[d->ngroup].n = op->n;
	d->group[d->ngroup].c = *c;
	d->ngroup++;
	wbuf_reset(&d->ser);
	coinstats_serialize_coin(&d->ser, op, c);
	sha256_update(&d->h, d->ser.p, d->ser.len);
	return 0;
}

int
snapshot_dump(struct store *s, const struct chainparams *cp, FILE *f,
    struct snapshot_dump_result *out, char *err, size_t errlen)
{
	struct store_rtxn *t = NULL;
	struct block_index_entry e;
	struct snapshot_meta m;
	struct dump d;
	char hex[65];
	int64_t t0 = time_mono_micros();
	int rc = -1;

	memset(&d, 0, sizeof(d));
	memset(out, 0, sizeof(*out));
	d.f = f;
	wbuf_init(&d.out);
	wbuf_init(&d.ser);
	sha256_init(&d.h);
	if (store_read_begin(s, &t) != STORE_OK)
		goto store_fail;
	if (store_get_tip(t, out->base_hash, &out->base_height) != STORE_OK ||
	    out->base_height < 0 ||
	    store_get_index(t, out->base_hash, &e) != STORE_OK ||
	    store_count_coins(t, &out->coins) != STORE_OK)
		goto store_fail;
	out->chain_tx = e.chain_tx;
	hash_to_hex(out->base_hash, hex);
	log_info("writing UTXO snapshot at height %d (%s)", out->base_height,
	    hex);
	memcpy(m.base_hash, out->base_hash, 32);
	m.coins = out->coins;
	snapshot_meta_put(&d.out, cp->magic, &m);
	if (store_iter_coins(t, dump_coin, &d) < 0)
		goto store_fail;
	dump_group(&d);
	dump_flush(&d);
	if (d.ioerr || fflush(f) != 0 || ferror(f)) {
		snprintf(err, errlen, "AutoFile::write: write failed"
		    IOS_SUFFIX);
		goto done;
	}
	if (d.written != out->coins) {
		/* Core's CHECK_NONFATAL: the count and the walk disagree. */
		snprintf(err, errlen, "Internal bug detected: coins written "
		    "(%llu) differ from the coins counted (%llu)",
		    (unsigned long long)d.written,
		    (unsigned long long)out->coins);
		goto done;
	}
	hash256_final(&d.h, out->txoutset_hash);
	log_info("wrote UTXO snapshot: %llu coins in %.3f s",
	    (unsigned long long)d.written,
	    (double)(time_mono_micros() - t0) / 1e6);
	rc = 0;
	goto done;
store_fail:
	snprintf(err, errlen, "Unable to read UTXO set");
done:
	store_read_end(t);
	wbuf_free(&d.out);
	wbuf_free(&d.ser);
	free(d.group);
	return rc;
}
