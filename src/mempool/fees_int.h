/*
 * Inside the fee estimator: the structures fees.c (the estimator) and
 * fees_file.c (fee_estimates.dat) share. Nothing else includes this.
 */
#ifndef BR_FEES_INT_H
#define BR_FEES_INT_H

#include <stddef.h>
#include <stdint.h>

#include "mempool/fees.h"

struct htab;

/* Core's checks on a file: at most a week of confirms, 2..1000 buckets. */
#define FILE_MAX_CONFIRMS (6 * 24 * 7)
#define FILE_MAX_BUCKETS 1000

/* One horizon's counts (Core's TxConfirmStats); [period][bucket] arrays. */
struct stats {
	double decay;
	unsigned scale;
	unsigned periods;
	double *feerate_avg; /* decayed sum of fee rates per bucket */
	double *txct_avg;    /* decayed count confirmed per bucket */
	double *conf_avg;    /* confirmed within (period+1)*scale blocks */
	double *fail_avg;    /* left unconfirmed after (period+1)*scale */
	int *unconf;	     /* [entry height % max confirms][bucket] */
	int *old_unconf;     /* waiting longer than max confirms */
};

/* A pool transaction being followed. */
struct tracked {
	uint8_t txid[32];
	uint32_t height; /* entry height */
	unsigned bucket;
};

struct fees {
	double *buckets; /* upper bounds, inclusive; the last is INF */
	size_t nb;
	struct stats st[FEES_NHORIZONS];
	uint32_t best_height;		/* Core's nBestSeenHeight */
	uint32_t first_recorded;	/* first block that recorded data */
	uint32_t hist_first, hist_best; /* the span a loaded file covered */
	struct htab *tracked;		/* struct tracked by txid */
	unsigned ntracked_blk,
	    nuntracked_blk; /* since the last block, for the log */
};

void stats_free(struct stats *s);
/* Blocks of history this run recorded, and what the file gave. */
unsigned fees_block_span(const struct fees *f);
unsigned fees_historical_span(const struct fees *f);
/*
 * After a load: forgets the tracked transactions, whose waiting counts
 * went with the old layout (the daemon loads before any arrives).
 */
void fees_forget_tracked(struct fees *f);

#endif
