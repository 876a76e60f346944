/*
 * Reads, writes and iteration over the store's databases. Reads borrow
 * LMDB's pointers into the map (valid until the transaction ends); writes
 * map MDB_MAP_FULL to STORE_MAPFULL so the caller can grow and redo.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

static int
get(struct store_rtxn *t, MDB_dbi dbi, const void *key, size_t klen,
    MDB_val *v, const char *what)
{
	MDB_val k;
	int rc;

	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = klen;
	if ((rc = mdb_get(t->txn, dbi, &k, v)) != 0)
		return store_lmdb_err(what, rc);
	return STORE_OK;
}

static int
put(struct store_wtxn *t, MDB_dbi dbi, const void *key, size_t klen,
    const void *data, size_t dlen, const char *what)
{
	MDB_val k, v;
	int rc;

	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = klen;
	v.mv_data = (void *)(uintptr_t)data;
	v.mv_size = dlen;
	if ((rc = mdb_put(t->r.txn, dbi, &k, &v, 0)) != 0)
		return store_lmdb_err(what, rc);
	return STORE_OK;
}

/* STORE_NOTFOUND when there was nothing to delete. */
static int
del(struct store_wtxn *t, MDB_dbi dbi, const void *key, size_t klen,
    const char *what)
{
	MDB_val k;
	int rc;

	k.mv_data = (void *)(uintptr_t)key;
	k.mv_size = klen;
	if ((rc = mdb_del(t->r.txn, dbi, &k, NULL)) != 0)
		return store_lmdb_err(what, rc);
	return STORE_OK;
}

static void
height_key(int32_t height, uint8_t key[4])
{
	key[0] = (uint8_t)((uint32_t)height >> 24);
	key[1] = (uint8_t)((uint32_t)height >> 16);
	key[2] = (uint8_t)((uint32_t)height >> 8);
	key[3] = (uint8_t)height;
}

/* ---- checksums (format 3) ---- */

/*
 * Checks the CRC-32C at the end of a coin or index value and strips it
 * from v. A mismatch is damage on disk (bit rot, a bad copy): serving the
 * value would spread wrong data, and nothing in the process can repair
 * it, so the node stops and says what to do.
 */
static void
check_sum(const struct store *s, const void *key, size_t klen, MDB_val *v,
    const char *what)
{
	char hex[2 * 36 + 1];
	const uint8_t *k = key;
	size_t i, n;

	if (!s->sums)
		return;
	n = v->mv_size;
	if (n >= VALUE_SUM_LEN &&
	    le32_read((const uint8_t *)v->mv_data + n - VALUE_SUM_LEN) ==
		codec_sum(key, klen, v->mv_data, n - VALUE_SUM_LEN)) {
		v->mv_size = n - VALUE_SUM_LEN;
		return;
	}
	for (i = 0; i < klen && i < 36; i++)
		snprintf(hex + 2 * i, 3, "%02x", k[i]);
	fatalx(
	    "store: %s/data.mdb is damaged: the %s with key %s fails its "
	    "checksum (bit rot, or a bad copy of the file). Stop using this "
	    "copy: restart with -reindex-chainstate to rebuild the UTXO set "
	    "from the stored blocks if it is a coin, or restore the chainstate "
	    "directory from a backup, or move it away and sync again",
	    s->dir, what, hex);
}

/* Size of a value with its checksum, and the checksum written after it. */
static size_t
sum_len(const struct store *s)
{
	return s->sums ? VALUE_SUM_LEN : 0;
}

static void
put_sum(const struct store *s, const void *key, size_t klen, uint8_t *val,
    size_t vlen)
{
	if (s->sums)
		le32_write(val + vlen, codec_sum(key, klen, val, vlen));
}

/* ---- block index ---- */

int
store_get_index(struct store_rtxn *t, const uint8_t hash[32],
    struct block_index_entry *out)
{
	MDB_val v;
	int rc;

	if ((rc = get(t, t->s->db_index, hash, 32, &v, "get index")) != 0)
		return rc;
	check_sum(t->s, hash, 32, &v, "block index entry");
	if (codec_index_decode(v.mv_data, v.mv_size, hash, out) == -1) {
		log_warnx("store: corrupt block index entry (%zu bytes)",
		    v.mv_size);
		return STORE_ERROR;
	}
	return STORE_OK;
}

int
store_put_index(struct store_wtxn *t, const struct block_index_entry *e)
{
	uint8_t v[INDEX_VALUE_LEN + VALUE_SUM_LEN];
	int rc;

	codec_index_encode(e, v);
	put_sum(t->r.s, e->hash, 32, v, INDEX_VALUE_LEN);
	if ((rc = put(t, t->r.s->db_index, e->hash, 32, v,
		 INDEX_VALUE_LEN + sum_len(t->r.s), "put index")) != 0)
		return rc;
	/* The block's file learns its height (pruning goes by heights). */
	return store_blocks_note_height(t, e->hash, e->height);
}

int
store_iter_index(struct store_rtxn *t,
    int (*cb)(void *arg, const struct block_index_entry *e), void *arg)
{
	MDB_cursor *cur;
	MDB_val k, v;
	struct block_index_entry e;
	int rc, ret = 0;

	if ((rc = mdb_cursor_open(t->txn, t->s->db_index, &cur)) != 0)
		return store_lmdb_err("index cursor", rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		if (k.mv_size == 32)
			check_sum(t->s, k.mv_data, 32, &v,
			    "block index entry");
		if (k.mv_size != 32 ||
		    codec_index_decode(v.mv_data, v.mv_size, k.mv_data, &e) ==
			-1) {
			log_warnx("store: corrupt block index entry");
			ret = STORE_ERROR;
			break;
		}
		if ((ret = cb(arg, &e)) != 0)
			break;
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		ret = store_lmdb_err("index iteration", rc);
	mdb_cursor_close(cur);
	return ret;
}

/* Raw blocks and undo data: store_blocks.c (block files). */

/* ---- active chain, tip, best header ---- */

int
store_get_active_hash(struct store_rtxn *t, int32_t height, uint8_t hash[32])
{
	uint8_t key[4];
	MDB_val v;
	int rc;

	if (height < 0)
		return STORE_NOTFOUND;
	height_key(height, key);
	if ((rc = get(t, t->s->db_active[t->slot], key, 4, &v,
		 "get active")) != 0)
		return rc;
	if (v.mv_size != 32) {
		log_warnx("store: corrupt active chain entry at %d", height);
		return STORE_ERROR;
	}
	memcpy(hash, v.mv_data, 32);
	return STORE_OK;
}

int
store_set_active_hash(struct store_wtxn *t, int32_t height,
    const uint8_t hash[32])
{
	uint8_t key[4];

	if (height < 0) {
		log_warnx("store: %s: negative height %d", __func__, height);
		return STORE_ERROR;
	}
	height_key(height, key);
	return put(t, t->r.s->db_active[t->r.slot], key, 4, hash, 32,
	    "put active");
}

int
store_del_active_hash(struct store_wtxn *t, int32_t height)
{
	uint8_t key[4];

	if (height < 0)
		return STORE_NOTFOUND;
	height_key(height, key);
	return del(t, t->r.s->db_active[t->r.slot], key, 4, "delete active");
}

int
store_get_tip(struct store_rtxn *t, uint8_t hash[32], int32_t *height)
{
	const char *key = t->slot ? META_TIP1 : META_TIP;
	MDB_val v;
	int rc;

	rc = get(t, t->s->db_meta, key, strlen(key), &v, "get tip");
	if (rc == STORE_NOTFOUND) {
		memset(hash, 0, 32);
		*height = -1;
		return STORE_OK;
	}
	if (rc != 0)
		return rc;
	if (v.mv_size != 36) {
		log_warnx("store: corrupt tip record");
		return STORE_ERROR;
	}
	memcpy(hash, v.mv_data, 32);
	*height = (int32_t)le32_read((uint8_t *)v.mv_data + 32);
	return STORE_OK;
}

int
store_set_tip(struct store_wtxn *t, const uint8_t hash[32], int32_t height)
{
	const char *key = t->r.slot ? META_TIP1 : META_TIP;
	uint8_t v[36];
	int rc;

	if (height < -1) {
		log_warnx("store: %s: bad height %d", __func__, height);
		return STORE_ERROR;
	}
	if (height == -1) {
		rc = del(t, t->r.s->db_meta, key, strlen(key), "clear tip");
		return rc == STORE_NOTFOUND ? STORE_OK : rc;
	}
	memcpy(v, hash, 32);
	le32_write(v + 32, (uint32_t)height);
	return put(t, t->r.s->db_meta, key, strlen(key), v, 36, "put tip");
}

int
store_get_best_header(struct store_rtxn *t, uint8_t hash[32])
{
	MDB_val v;
	int rc;

	if ((rc = get(t, t->s->db_meta, META_BEST_HEADER,
		 strlen(META_BEST_HEADER), &v, "get best header")) != 0)
		return rc;
	if (v.mv_size != 32) {
		log_warnx("store: corrupt best header record");
		return STORE_ERROR;
	}
	memcpy(hash, v.mv_data, 32);
	return STORE_OK;
}

int
store_set_best_header(struct store_wtxn *t, const uint8_t hash[32])
{
	return put(t, t->r.s->db_meta, META_BEST_HEADER,
	    strlen(META_BEST_HEADER), hash, 32, "put best header");
}

/* ---- coins ---- */

int
store_get_coin(struct store_rtxn *t, const struct outpoint *op,
    struct coin *out)
{
	uint8_t key[COIN_KEY_LEN];
	MDB_val v;
	int rc;

	codec_coin_key(op, key);
	if ((rc = get(t, t->s->db_coins[t->slot], key, sizeof(key), &v,
		 "get coin")) != 0)
		return rc;
	check_sum(t->s, key, sizeof(key), &v, "coin");
	if (codec_coin_decode(v.mv_data, v.mv_size, out) == -1) {
		log_warnx("store: corrupt coin record (%zu bytes)", v.mv_size);
		return STORE_ERROR;
	}
	return STORE_OK;
}

int
store_get_coin_by_txid(struct store_rtxn *t, const uint8_t txid[32],
    struct outpoint *op, struct coin *out)
{
	struct outpoint first;
	uint8_t key[COIN_KEY_LEN];
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, ret;

	memcpy(first.hash, txid, 32);
	first.n = 0;
	codec_coin_key(&first, key);
	if ((rc = mdb_cursor_open(t->txn, t->s->db_coins[t->slot], &cur)) != 0)
		return store_lmdb_err("coins cursor", rc);
	k.mv_data = key;
	k.mv_size = sizeof(key);
	/* Keys sort by txid, then index: the first at or after (txid, 0). */
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	if (rc == MDB_NOTFOUND ||
	    (rc == 0 &&
		(k.mv_size != COIN_KEY_LEN ||
		    memcmp(k.mv_data, txid, 32) != 0)))
		ret = STORE_NOTFOUND;
	else if (rc != 0)
		ret = store_lmdb_err("coins seek", rc);
	else {
		check_sum(t->s, k.mv_data, k.mv_size, &v, "coin");
		if (codec_coin_decode(v.mv_data, v.mv_size, out) == -1) {
			log_warnx("store: corrupt coin record (%zu bytes)",
			    v.mv_size);
			ret = STORE_ERROR;
		} else {
			codec_coin_key_parse(k.mv_data, op);
			ret = STORE_OK;
		}
	}
	mdb_cursor_close(cur);
	return ret;
}

static int
put_coin(struct store_wtxn *t, const struct outpoint *op, const struct coin *c,
    unsigned int flags)
{
	uint8_t key[COIN_KEY_LEN], hdr[COIN_HDR_MAX];
	size_t hlen;
	MDB_val k, v;
	int rc;

	if (codec_coin_encode_hdr(c, hdr, &hlen) == -1) {
		log_warnx("store: %s: invalid coin (height %d, value %lld)",
		    __func__, c->height, (long long)c->value);
		return STORE_ERROR;
	}
	codec_coin_key(op, key);
	k.mv_data = key;
	k.mv_size = sizeof(key);
	v.mv_data = NULL;
	v.mv_size = hlen + c->script_len + sum_len(t->r.s);
	/* Reserve the value in the page and fill it: no staging copy. */
	rc = mdb_put(t->r.txn, t->r.s->db_coins[t->r.slot], &k, &v,
	    MDB_RESERVE | flags);
	if (rc == MDB_KEYEXIST && (flags & MDB_NOOVERWRITE))
		return STORE_EXISTS;
	if (rc != 0)
		return store_lmdb_err("put coin", rc);
	memcpy(v.mv_data, hdr, hlen);
	if (c->script_len > 0)
		memcpy((uint8_t *)v.mv_data + hlen, c->script, c->script_len);
	put_sum(t->r.s, key, sizeof(key), v.mv_data, hlen + c->script_len);
	return STORE_OK;
}

int
store_put_coin(struct store_wtxn *t, const struct outpoint *op,
    const struct coin *c)
{
	return put_coin(t, op, c, 0);
}

int
store_add_coin(struct store_wtxn *t, const struct outpoint *op,
    const struct coin *c)
{
	return put_coin(t, op, c, MDB_NOOVERWRITE);
}

int
store_del_coin(struct store_wtxn *t, const struct outpoint *op)
{
	uint8_t key[COIN_KEY_LEN];

	codec_coin_key(op, key);
	return del(t, t->r.s->db_coins[t->r.slot], key, sizeof(key),
	    "delete coin");
}

int
store_iter_coins(struct store_rtxn *t,
    int (*cb)(void *arg, const struct outpoint *op, const struct coin *c),
    void *arg)
{
	MDB_cursor *cur;
	MDB_val k, v;
	struct outpoint op;
	struct coin c;
	int rc, ret = 0;

	if ((rc = mdb_cursor_open(t->txn, t->s->db_coins[t->slot], &cur)) != 0)
		return store_lmdb_err("coins cursor", rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		if (k.mv_size == COIN_KEY_LEN)
			check_sum(t->s, k.mv_data, COIN_KEY_LEN, &v, "coin");
		if (k.mv_size != COIN_KEY_LEN ||
		    codec_coin_decode(v.mv_data, v.mv_size, &c) == -1) {
			log_warnx("store: corrupt coin record");
			ret = STORE_ERROR;
			break;
		}
		codec_coin_key_parse(k.mv_data, &op);
		if ((ret = cb(arg, &op, &c)) != 0)
			break;
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		ret = store_lmdb_err("coins iteration", rc);
	mdb_cursor_close(cur);
	return ret;
}

int
store_count_coins(struct store_rtxn *t, uint64_t *n)
{
	MDB_stat st;
	int rc;

	if ((rc = mdb_stat(t->txn, t->s->db_coins[t->slot], &st)) != 0)
		return store_lmdb_err("coins count", rc);
	*n = st.ms_entries;
	return STORE_OK;
}

int
store_coins_pages(struct store_rtxn *t, uint64_t *leaf, uint64_t *branch,
    uint64_t *page_size)
{
	MDB_stat st;
	int rc;

	if ((rc = mdb_stat(t->txn, t->s->db_coins[t->slot], &st)) != 0)
		return store_lmdb_err("coins pages", rc);
	*leaf = st.ms_leaf_pages;
	*branch = st.ms_branch_pages;
	*page_size = st.ms_psize;
	return STORE_OK;
}

/* ---- reindex and other modules' metadata ---- */

int
store_reset_chainstate(struct store_wtxn *t)
{
	struct store *s = t->r.s;
	int rc;

	if ((rc = mdb_drop(t->r.txn, s->db_coins[t->r.slot], 0)) != 0 ||
	    (rc = mdb_drop(t->r.txn, s->db_undopos, 0)) != 0 ||
	    (rc = mdb_drop(t->r.txn, s->db_active[t->r.slot], 0)) != 0)
		return store_lmdb_err("reset chainstate", rc);
	return store_set_tip(t, NULL, -1);
}

/* ---- the second chainstate ---- */

int
store_txn_use(struct store_rtxn *t, enum store_cs cs)
{
	if (cs != STORE_CS_TIP && cs != STORE_CS_OTHER) {
		log_warnx("store: %s: unknown chainstate %d", __func__, cs);
		return STORE_ERROR;
	}
	t->slot = t->tipslot ^ (cs == STORE_CS_OTHER);
	return STORE_OK;
}

int
store_clear_chainstate(struct store_wtxn *t)
{
	struct store *s = t->r.s;
	int rc;

	if ((rc = mdb_drop(t->r.txn, s->db_coins[t->r.slot], 0)) != 0 ||
	    (rc = mdb_drop(t->r.txn, s->db_active[t->r.slot], 0)) != 0)
		return store_lmdb_err("clear chainstate", rc);
	return store_set_tip(t, NULL, -1);
}

int
store_swap_chainstates(struct store_wtxn *t)
{
	uint8_t slot = (uint8_t)(t->r.tipslot ^ 1), fmt[4];
	int rc;

	/* Format 2 or above admits the second chainstate: never lower it. */
	le32_write(fmt,
	    t->r.s->format > STORE_FORMAT_SLOTS ? t->r.s->format :
						  STORE_FORMAT_SLOTS);
	if ((rc = put(t, t->r.s->db_meta, META_TIPSLOT, strlen(META_TIPSLOT),
		 &slot, 1, "put tipslot")) != 0 ||
	    (rc = put(t, t->r.s->db_meta, META_FORMAT, strlen(META_FORMAT),
		 fmt, 4, "put format")) != 0)
		return rc;
	t->r.tipslot = slot;
	return STORE_OK;
}

static int
user_key(const char *key,
    char buf[sizeof(META_USER_PREFIX) + STORE_META_KEY_MAX], size_t *len)
{
	size_t n = strlen(key);

	if (n == 0 || n > STORE_META_KEY_MAX) {
		log_warnx("store: bad meta key length %zu", n);
		return STORE_ERROR;
	}
	memcpy(buf, META_USER_PREFIX, sizeof(META_USER_PREFIX) - 1);
	memcpy(buf + sizeof(META_USER_PREFIX) - 1, key, n);
	*len = sizeof(META_USER_PREFIX) - 1 + n;
	return STORE_OK;
}

int
store_put_meta(struct store_wtxn *t, const char *key, const uint8_t *data,
    size_t len)
{
	char k[sizeof(META_USER_PREFIX) + STORE_META_KEY_MAX];
	size_t klen;

	if (user_key(key, k, &klen) != 0)
		return STORE_ERROR;
	if (len > STORE_META_VALUE_MAX) {
		log_warnx("store: meta value for %s too long (%zu)", key, len);
		return STORE_ERROR;
	}
	return put(t, t->r.s->db_meta, k, klen, data, len, "put meta");
}

int
store_del_meta(struct store_wtxn *t, const char *key)
{
	char k[sizeof(META_USER_PREFIX) + STORE_META_KEY_MAX];
	size_t klen;

	if (user_key(key, k, &klen) != 0)
		return STORE_ERROR;
	return del(t, t->r.s->db_meta, k, klen, "delete meta");
}

int
store_get_meta(struct store_rtxn *t, const char *key, const uint8_t **data,
    size_t *len)
{
	char k[sizeof(META_USER_PREFIX) + STORE_META_KEY_MAX];
	size_t klen;
	MDB_val v;
	int rc;

	if (user_key(key, k, &klen) != 0)
		return STORE_ERROR;
	if ((rc = get(t, t->s->db_meta, k, klen, &v, "get meta")) != 0)
		return rc;
	*data = v.mv_data;
	*len = v.mv_size;
	return STORE_OK;
}

/* ---- transaction index ---- */

int
store_get_txindex_marker(struct store_rtxn *t, uint8_t hash[32],
    int32_t *height)
{
	const uint8_t *v;
	size_t len;
	int rc;

	if ((rc = store_get_meta(t, STORE_TXINDEX_META, &v, &len)) != STORE_OK)
		return rc;
	if (len != STORE_TXINDEX_META_LEN)
		return STORE_ERROR;
	memcpy(hash, v, 32);
	*height = (int32_t)le32_read(v + 32);
	return STORE_OK;
}

int
store_put_txindex(struct store_wtxn *t, const uint8_t txid[32],
    const uint8_t block[32], uint32_t pos)
{
	uint8_t v[TXINDEX_VALUE_LEN];

	memcpy(v, block, 32);
	le32_write(v + 32, pos);
	return put(t, t->r.s->db_txindex, txid, 32, v, sizeof(v),
	    "put txindex");
}

int
store_del_txindex(struct store_wtxn *t, const uint8_t txid[32])
{
	return del(t, t->r.s->db_txindex, txid, 32, "del txindex");
}

int
store_get_txindex(struct store_rtxn *t, const uint8_t txid[32],
    uint8_t block[32], uint32_t *pos)
{
	MDB_val v;
	int rc;

	if ((rc = get(t, t->s->db_txindex, txid, 32, &v, "get txindex")) != 0)
		return rc;
	if (v.mv_size != TXINDEX_VALUE_LEN) {
		log_warnx("store: corrupt txindex entry (%zu bytes)",
		    v.mv_size);
		return STORE_ERROR;
	}
	memcpy(block, v.mv_data, 32);
	*pos = le32_read((const uint8_t *)v.mv_data + 32);
	return STORE_OK;
}

int
store_clear_txindex(struct store_wtxn *t)
{
	int rc;

	if ((rc = mdb_drop(t->r.txn, t->r.s->db_txindex, 0)) != 0)
		return store_lmdb_err("clear txindex", rc);
	return STORE_OK;
}

/* ---- compact block filters ---- */

int
store_put_blockfilter(struct store_wtxn *t, uint8_t type,
    const uint8_t block[32], const struct store_filter *f)
{
	uint8_t key[BLOCKFILTER_KEY_LEN], *v;
	int rc;

	key[0] = type;
	memcpy(key + 1, block, 32);
	v = xmalloc(BLOCKFILTER_VALUE_MIN + f->len);
	memcpy(v, f->filter_hash, 32);
	memcpy(v + 32, f->header, 32);
	if (f->len > 0)
		memcpy(v + BLOCKFILTER_VALUE_MIN, f->filter, f->len);
	rc = put(t, t->r.s->db_blockfilter, key, sizeof(key), v,
	    BLOCKFILTER_VALUE_MIN + f->len, "put blockfilter");
	free(v);
	return rc;
}

int
store_get_blockfilter(struct store_rtxn *t, uint8_t type,
    const uint8_t block[32], struct store_filter *out)
{
	uint8_t key[BLOCKFILTER_KEY_LEN];
	const uint8_t *p;
	MDB_val v;
	int rc;

	key[0] = type;
	memcpy(key + 1, block, 32);
	if ((rc = get(t, t->s->db_blockfilter, key, sizeof(key), &v,
		 "get blockfilter")) != 0)
		return rc;
	/* An encoded filter is at least its CompactSize count. */
	if (v.mv_size <= BLOCKFILTER_VALUE_MIN) {
		log_warnx("store: corrupt block filter entry (%zu bytes)",
		    v.mv_size);
		return STORE_ERROR;
	}
	p = v.mv_data;
	memcpy(out->filter_hash, p, 32);
	memcpy(out->header, p + 32, 32);
	out->filter = p + BLOCKFILTER_VALUE_MIN;
	out->len = v.mv_size - BLOCKFILTER_VALUE_MIN;
	return STORE_OK;
}
