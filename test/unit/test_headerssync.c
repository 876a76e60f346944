/*
 * The low-work headers sync (net/headerssync.c) driven without sockets: a
 * regtest header chain built here, fed in batches as a peer would send
 * them. A chain short of the work releases nothing; one that reaches it is
 * released, whole and in order, after the redownload; a redownload that
 * differs from the presynced chain is aborted before any header past the
 * change is released; bad difficulty changes, gaps and chains longer than
 * the clock allows end the sync; memory stays within the bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chain/arith256.h"
#include "chain/chainparams.h"
#include "chain/pow.h"
#include "net/headerssync.h"
#include "primitives/block.h"
#include "unit.h"
#include "util/buf.h"

#define BATCH 2000

struct chain {
	struct block_header *h;
	uint8_t (*hash)[32];
	size_t n;
};

static struct chainparams *cp;
static struct hdrsync_start genesis;
static const struct hdrsync_params small = { 10, 50 };
static const uint8_t salt[24] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
	14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 };

static void
setup(void)
{
	struct rbuf r;

	if (cp != NULL)
		return;
	cp = chainparams_new(CHAIN_REGTEST);
	rbuf_init(&r, cp->genesis_raw, cp->genesis_len);
	header_parse(&r, &genesis.hdr);
	header_hash(&genesis.hdr, genesis.hash);
	genesis.height = 0;
	memset(genesis.chainwork, 0, 32);
	genesis.chainwork[31] = 2; /* regtest: 2 per block */
	genesis.mtp = genesis.hdr.time;
}

/*
 * n headers on the genesis block, real regtest proof of work; from height
 * fork on, a different branch (other timestamps) when fork > 0.
 */
static void
make_chain(struct chain *c, size_t n, size_t fork, uint32_t tshift)
{
	const uint8_t *prev = genesis.hash;
	size_t i;

	c->n = n;
	c->h = calloc(n, sizeof(*c->h));
	c->hash = calloc(n, 32);
	for (i = 0; i < n; i++) {
		struct block_header *h = &c->h[i];

		h->version = 0x20000000;
		memcpy(h->prev, prev, 32);
		memset(h->merkle, (int)(i & 0xff), 32);
		h->time = genesis.hdr.time + (uint32_t)i + 1 +
		    (fork && i + 1 >= fork ? tshift : 0);
		h->bits = 0x207fffff;
		for (h->nonce = 0;; h->nonce++) {
			header_hash(h, c->hash[i]);
			if (pow_check(cp, c->hash[i], h->bits) == 0)
				break;
		}
		prev = c->hash[i];
	}
}

static void
free_chain(struct chain *c)
{
	free(c->h);
	free(c->hash);
}

/* Work of genesis plus k regtest headers, big-endian. */
static void
work_at(size_t k, uint8_t out[32])
{
	struct arith256 a;

	arith256_set_u64(&a, 2 * (uint64_t)(k + 1));
	arith256_to_be(&a, out);
}

/* A sync from genesis towards the work of reach headers, a day after it. */
static struct hdrsync *
new_sync(const struct hdrsync_params *prm, size_t reach)
{
	uint8_t min[32];

	work_at(reach, min);
	return hdrsync_new(cp, prm, 1, &genesis, min, genesis.mtp + 86400,
	    salt);
}

/* Feeds c[from, to) in batches as a peer would; stops at a failure. */
static int
feed(struct hdrsync *hs, const struct chain *c, size_t from, size_t to,
    struct hdrsync_result *last)
{
	size_t k;

	while (from < to) {
		k = to - from < BATCH ? to - from : BATCH;
		hdrsync_process(hs, c->h + from,
		    (const uint8_t(*)[32])c->hash + from, k, k == BATCH, last);
		from += k;
		if (!last->success || !last->request_more)
			return last->success;
	}
	return last->success;
}

/* Takes every ready header into out (appended at *n), checking order. */
static void
take(struct hdrsync *hs, struct block_header *out, size_t *n)
{
	const struct block_header *r;
	size_t k;

	r = hdrsync_ready(hs, &k);
	if (k > 0)
		memcpy(out + *n, r, k * sizeof(*r));
	*n += k;
	hdrsync_consume(hs, k);
}

static void
test_low_work_releases_nothing(void)
{
	struct chain c;
	struct hdrsync *hs;
	struct hdrsync_result res;
	size_t n;

	setup();
	make_chain(&c, 3500, 0, 0);
	hs = new_sync(&small, 10000);
	CHECK_EQ_INT(feed(hs, &c, 0, 3500, &res), 1);
	/* The short second batch: the chain ended without the work. */
	CHECK_EQ_INT(res.request_more, 0);
	CHECK_EQ_INT(hdrsync_state(hs), HDRSYNC_FINAL);
	hdrsync_ready(hs, &n);
	CHECK_EQ_INT(n, 0);
	hdrsync_free(hs);
	free_chain(&c);
}

static void
test_presync_progress_and_memory(void)
{
	struct chain c;
	struct hdrsync *hs;
	struct hdrsync_result res;
	uint8_t lh[32];
	size_t n;

	setup();
	make_chain(&c, 4000, 0, 0);
	hs = new_sync(&small, 100000);
	/* 6 a second for a day and two hours, one in 10 kept. */
	CHECK_EQ_INT(hdrsync_max_commitments(hs), 6 * (86400 + 7200) / 10);
	CHECK_EQ_INT(feed(hs, &c, 0, 4000, &res), 1);
	CHECK_EQ_INT(res.request_more, 1);
	CHECK_EQ_INT(hdrsync_state(hs), HDRSYNC_PRESYNC);
	CHECK_EQ_INT(hdrsync_presync_height(hs), 4000);
	CHECK_EQ_INT(hdrsync_presync_time(hs), c.h[3999].time);
	hdrsync_locator_hash(hs, lh);
	CHECK(memcmp(lh, c.hash[3999], 32) == 0);
	hdrsync_ready(hs, &n);
	CHECK_EQ_INT(n, 0);
	/* 400 bits of commitments and the struct: well under 1 KiB. */
	CHECK(hdrsync_mem(hs) < 1024);
	hdrsync_free(hs);
	free_chain(&c);
}

/* The whole chain comes out, in order, only after the redownload. */
static void
run_full_sync(const struct hdrsync_params *prm, size_t len, size_t reach)
{
	struct chain c;
	struct hdrsync *hs;
	struct hdrsync_result res;
	struct block_header *out;
	uint8_t min[32], lh[32];
	size_t n = 0, from, k, i;

	make_chain(&c, len, 0, 0);
	out = calloc(len, sizeof(*out));
	work_at(reach, min);
	hs = hdrsync_new(cp, prm, 7, &genesis, min, genesis.mtp + 86400, salt);
	/* Presync: until the work is seen, nothing is released. */
	for (from = 0; hdrsync_state(hs) == HDRSYNC_PRESYNC && from < len;
	     from += k) {
		k = len - from < BATCH ? len - from : BATCH;
		hdrsync_process(hs, c.h + from,
		    (const uint8_t(*)[32])c.hash + from, k, k == BATCH, &res);
		CHECK_EQ_INT(res.success, 1);
		CHECK_EQ_INT(res.request_more, 1);
		hdrsync_ready(hs, &i);
		CHECK_EQ_INT(i, 0);
	}
	CHECK_EQ_INT(hdrsync_state(hs), HDRSYNC_REDOWNLOAD);
	/* Asked again from the start. */
	hdrsync_locator_hash(hs, lh);
	CHECK(memcmp(lh, genesis.hash, 32) == 0);
	for (from = 0; hdrsync_state(hs) == HDRSYNC_REDOWNLOAD && from < len;
	     from += k) {
		k = len - from < BATCH ? len - from : BATCH;
		hdrsync_process(hs, c.h + from,
		    (const uint8_t(*)[32])c.hash + from, k, k == BATCH, &res);
		CHECK_EQ_INT(res.success, 1);
		take(hs, out, &n);
		/* Held back: the buffer, until the work is reached. */
		if (from + k < reach)
			CHECK_EQ_INT(n,
			    from + k > prm->redownload_buffer_size ?
				from + k - prm->redownload_buffer_size :
				0);
	}
	CHECK_EQ_INT(hdrsync_state(hs), HDRSYNC_FINAL);
	CHECK_EQ_INT(n, from);
	CHECK(n >= reach);
	for (i = 0; i < n; i++)
		CHECK(memcmp(&out[i], &c.h[i], sizeof(out[i])) == 0);
	hdrsync_free(hs);
	free(out);
	free_chain(&c);
}

static void
test_sufficient_work_released_after_redownload(void)
{
	setup();
	run_full_sync(&small, 5000, 4500);
	/* Core's own parameters: everything held until the work is there. */
	run_full_sync(&(struct hdrsync_params){ 606, 14441 }, 5000, 4500);
}

static void
test_tampered_redownload_aborts(void)
{
	struct chain c, alt;
	struct hdrsync *hs;
	struct hdrsync_result res;
	struct block_header out[5000];
	uint8_t min[32];
	size_t n = 0, from, k, i;

	setup();
	make_chain(&c, 5000, 0, 0);
	/* Same first 999 headers, then another branch. */
	make_chain(&alt, 5000, 1000, 100000);
	CHECK(memcmp(c.hash[998], alt.hash[998], 32) == 0);
	CHECK(memcmp(c.hash[999], alt.hash[999], 32) != 0);
	work_at(4500, min);
	/* 30 commitments must match by chance for a forged header to pass. */
	hs = hdrsync_new(cp, &(struct hdrsync_params){ 10, 300 }, 9, &genesis,
	    min, genesis.mtp + 86400, salt);
	for (from = 0; hdrsync_state(hs) == HDRSYNC_PRESYNC; from += BATCH) {
		k = 5000 - from < BATCH ? 5000 - from : BATCH;
		hdrsync_process(hs, c.h + from,
		    (const uint8_t(*)[32])c.hash + from, k, k == BATCH, &res);
	}
	CHECK_EQ_INT(hdrsync_state(hs), HDRSYNC_REDOWNLOAD);
	res.success = 1;
	for (from = 0; from < 5000 && res.success; from += k) {
		k = 5000 - from < BATCH ? 5000 - from : BATCH;
		hdrsync_process(hs, alt.h + from,
		    (const uint8_t(*)[32])alt.hash + from, k, k == BATCH,
		    &res);
		take(hs, out, &n);
	}
	CHECK_EQ_INT(res.success, 0);
	CHECK_EQ_INT(hdrsync_state(hs), HDRSYNC_FINAL);
	/* Nothing past the change got out. */
	CHECK(n < 999);
	for (i = 0; i < n; i++)
		CHECK(memcmp(&out[i], &c.h[i], sizeof(out[i])) == 0);
	hdrsync_free(hs);
	free_chain(&c);
	free_chain(&alt);
}

static void
test_gap_and_length_bound(void)
{
	struct chain c;
	struct hdrsync *hs;
	struct hdrsync_result res;
	uint8_t min[32];

	setup();
	make_chain(&c, 4000, 0, 0);
	work_at(100000, min);
	/* A batch that does not continue the last one. */
	hs = new_sync(&small, 100000);
	hdrsync_process(hs, c.h, (const uint8_t(*)[32])c.hash, BATCH, 1, &res);
	CHECK_EQ_INT(res.success, 1);
	hdrsync_process(hs, c.h + 2001, (const uint8_t(*)[32])c.hash + 2001,
	    BATCH - 1, 0, &res);
	CHECK_EQ_INT(res.success, 0);
	CHECK_EQ_INT(hdrsync_state(hs), HDRSYNC_FINAL);
	hdrsync_free(hs);
	/*
	 * The clock allows 6 blocks in the 10 s since the start's median
	 * time past (less the two hours a header may run ahead).
	 */
	hs = hdrsync_new(cp, &small, 1, &genesis, min, genesis.mtp - 7200 + 10,
	    salt);
	CHECK_EQ_INT(hdrsync_max_commitments(hs), 6);
	hdrsync_process(hs, c.h, (const uint8_t(*)[32])c.hash, BATCH, 1, &res);
	CHECK_EQ_INT(res.success, 0);
	hdrsync_free(hs);
	free_chain(&c);
}

static void
test_difficulty_transition(void)
{
	struct chainparams *main_cp = chainparams_new(CHAIN_MAIN);
	struct hdrsync_start st;
	struct hdrsync *hs;
	struct hdrsync_result res;
	struct block_header h[3];
	uint8_t hash[3][32], min[32];
	int i;

	memset(&st, 0, sizeof(st));
	st.hdr.bits = 0x1d00ffff;
	st.hdr.time = 1231006505;
	header_hash(&st.hdr, st.hash);
	st.height = 100; /* not a retarget boundary */
	st.mtp = st.hdr.time;
	memset(min, 0xff, 32);
	hs = hdrsync_new(main_cp, &small, 1, &st, min, st.mtp + 86400, salt);
	for (i = 0; i < 3; i++) {
		memset(&h[i], 0, sizeof(h[i]));
		memcpy(h[i].prev, i ? hash[i - 1] : st.hash, 32);
		h[i].time = st.hdr.time + 600 * (uint32_t)(i + 1);
		/* The third one changes difficulty off a boundary. */
		h[i].bits = i == 2 ? 0x1c00ffff : 0x1d00ffff;
		header_hash(&h[i], hash[i]);
	}
	hdrsync_process(hs, h, (const uint8_t(*)[32])hash, 3, 1, &res);
	CHECK_EQ_INT(res.success, 0);
	CHECK_EQ_INT(hdrsync_state(hs), HDRSYNC_FINAL);
	hdrsync_free(hs);
	chainparams_free(main_cp);
}

UNIT_MAIN(UNIT_CASE(test_low_work_releases_nothing),
    UNIT_CASE(test_presync_progress_and_memory),
    UNIT_CASE(test_sufficient_work_released_after_redownload),
    UNIT_CASE(test_tampered_redownload_aborts),
    UNIT_CASE(test_gap_and_length_bound),
    UNIT_CASE(test_difficulty_transition))
