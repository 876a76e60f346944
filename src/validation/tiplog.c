/*
 * The chain lines of debug.log in Bitcoin Core's wording, which operators
 * and test frameworks grep for (doc/logging.md lists them as a stable
 * interface): UpdateTip for every move of the active tip (every 1000th
 * block of a background chainstate), InvalidChainFound and ConnectTip's
 * failure for a block that does not connect. Called on the thread that
 * moves the chainstate's tip (validation, or the background thread for
 * its own); they read that chain without the lock, which only the caller
 * changes.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "chain/arith256.h"
#include "chain/chainparams.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/time.h"
#include "validation/chainstate_int.h"

/* Core's FormatISO8601DateTime. */
static void
iso_date(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

/* Core's log2_work: log(chain work as a double) / log(2). */
static double
log2_work(const struct bindex *b)
{
	struct arith256 w;

	arith256_from_be(&w, b->e.chainwork);
	return log(arith256_to_double(&w)) / log(2.0);
}

/*
 * The share of the chain's transactions the tip holds, as getblockchaininfo's
 * verificationprogress estimates it: transactions still to come at the rate
 * of the last 30 days since the tip's time.
 */
static double
progress(struct chainstate *cs, const struct bindex *tip)
{
	int32_t back = chainparams_progress_back(cs->cp);
	const struct bindex *old = NULL;

	if (tip->e.height > back)
		old = chain_at(&cs->chain, tip->e.height - back);
	return chainparams_progress(tip->e.chain_tx, tip->e.hdr.time,
	    old ? old->e.chain_tx : 0, old ? old->e.hdr.time : 0, node_time());
}

void
cs_metrics_tip(struct chainstate *cs)
{
	const struct bindex *tip = chain_tip(&cs->chain);

	if (tip == NULL || cs->background)
		return;
	metrics_set(M_CHAIN_HEIGHT, 0, tip->e.height);
	metrics_set(M_CHAIN_TIP_TIME, 0, (double)tip->e.hdr.time);
	metrics_set(M_CHAIN_PROGRESS, 0, progress(cs, tip));
	metrics_set(M_CHAIN_IBD, 0, chainstate_is_initial_download(cs));
	if (cs->best_header)
		metrics_set(M_CHAIN_HEADERS, 0, cs->best_header->e.height);
}

void
cs_log_update_tip(struct chainstate *cs)
{
	const struct bindex *tip = chain_tip(&cs->chain);
	char hex[65], date[32];

	if (tip == NULL)
		return;
	cs_metrics_tip(cs);
	hash_to_hex(tip->e.hash, hex);
	iso_date(tip->e.hdr.time, date, sizeof(date));
	/*
	 * bitrootd keeps no coins cache of its own (LMDB and the page cache
	 * serve reads), so Core's cache field is always empty.
	 */
	log_info(
	    "%sUpdateTip: new best=%s height=%d version=0x%08x "
	    "log2_work=%f tx=%llu date='%s' progress=%f cache=0.0MiB(0txo)",
	    cs->background ? "[background validation] " : "", hex,
	    tip->e.height, (uint32_t)tip->e.hdr.version, log2_work(tip),
	    (unsigned long long)tip->e.chain_tx, date, progress(cs, tip));
}

static void
log_entry(const char *what, const struct bindex *b)
{
	char hex[65], date[32];

	hash_to_hex(b->e.hash, hex);
	iso_date(b->e.hdr.time, date, sizeof(date));
	log_info("InvalidChainFound: %s=%s  height=%d  log2_work=%f  date=%s",
	    what, hex, b->e.height, log2_work(b), date);
}

void
cs_log_connect_failed(struct chainstate *cs, const struct bindex *bad,
    const struct val_state *st)
{
	const struct bindex *tip = chain_tip(&cs->chain);
	char hex[65];

	hash_to_hex(bad->e.hash, hex);
	log_warnx("ERROR: ConnectBlock(): %s",
	    st->debug[0] ? st->debug : st->reason);
	log_entry("invalid block", bad);
	if (tip)
		log_entry(" current best", tip);
	log_warnx("ConnectTip: ConnectBlock %s failed, %s%s%s", hex,
	    st->reason, st->debug[0] ? ", " : "", st->debug);
	cs_log_reject(bad->e.hash, "block", st);
}
