/*
 * fee_estimates.dat in Bitcoin Core's format (CBlockPolicyEstimator::Write
 * and Read), so a datadir moves between Core and bitrootd:
 *
 *	int32	version required to read (149900)
 *	int32	version that wrote it
 *	uint32	best height seen
 *	uint32	first, uint32 last height of the history it holds
 *	vector<double>	bucket bounds
 *	3 x stats: medium, short, long, each
 *		double decay, uint32 scale, vector<double> fee-rate sums,
 *		vector<double> tx counts, vector<vector<double>> confirmed,
 *		vector<vector<double>> failed ([period][bucket])
 *
 * Integers little-endian, vectors a CompactSize count then the items,
 * doubles as their IEEE 754 bits in a little-endian uint64 (Core's
 * EncodeDouble). The unconfirmed counts are not stored.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mempool/fees.h"
#include "mempool/fees_int.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* The order Core writes the horizons in. */
static const enum fees_horizon file_order[FEES_NHORIZONS] = {
	FEES_MEDIUM,
	FEES_SHORT,
	FEES_LONG,
};

static void
put_double(struct wbuf *w, double d)
{
	uint64_t bits;

	memcpy(&bits, &d, sizeof(bits));
	wbuf_put_le64(w, bits);
}

static void
put_doubles(struct wbuf *w, const double *v, size_t n)
{
	size_t i;

	wbuf_put_compact(w, n);
	for (i = 0; i < n; i++)
		put_double(w, v[i]);
}

static void
put_matrix(struct wbuf *w, const double *m, unsigned rows, size_t nb)
{
	unsigned i;

	wbuf_put_compact(w, rows);
	for (i = 0; i < rows; i++)
		put_doubles(w, m + (size_t)i * nb, nb);
}

void
fees_write(const struct fees *f, struct wbuf *w)
{
	const struct stats *s;
	int i;

	wbuf_put_le32(w, FEES_FILE_VERSION_REQUIRED);
	wbuf_put_le32(w, FEES_FILE_VERSION);
	wbuf_put_le32(w, f->best_height);
	/* The span that covers more: this run's, or what the file gave. */
	if (fees_block_span(f) > fees_historical_span(f) / 2) {
		wbuf_put_le32(w, f->first_recorded);
		wbuf_put_le32(w, f->best_height);
	} else {
		wbuf_put_le32(w, f->hist_first);
		wbuf_put_le32(w, f->hist_best);
	}
	put_doubles(w, f->buckets, f->nb);
	for (i = 0; i < FEES_NHORIZONS; i++) {
		s = &f->st[file_order[i]];
		put_double(w, s->decay);
		wbuf_put_le32(w, s->scale);
		put_doubles(w, s->feerate_avg, f->nb);
		put_doubles(w, s->txct_avg, f->nb);
		put_matrix(w, s->conf_avg, s->periods, f->nb);
		put_matrix(w, s->fail_avg, s->periods, f->nb);
	}
}

/* ---- reading ---- */

struct reader {
	struct rbuf rb;
	char *err;
	size_t errlen;
	int failed;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->failed) {
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	r->failed = 1;
	return -1;
}

static int
get_double(struct reader *r, double *d)
{
	uint64_t bits;

	if (rbuf_get_le64(&r->rb, &bits) != 0)
		return fail(r, "end of data");
	memcpy(d, &bits, sizeof(*d));
	return 0;
}

/* A vector of doubles into an xmalloc'd array (*v NULL when empty). */
static int
get_doubles(struct reader *r, double **v, size_t *n)
{
	uint64_t cnt, i;

	*v = NULL;
	*n = 0;
	if (rbuf_get_compact(&r->rb, &cnt) != 0)
		return fail(r, "end of data");
	/* Each item is 8 bytes: the count cannot exceed what is left. */
	if (cnt > rbuf_left(&r->rb) / 8)
		return fail(r, "end of data");
	*v = xcalloc(cnt ? cnt : 1, sizeof(double));
	for (i = 0; i < cnt; i++)
		if (get_double(r, &(*v)[i]) != 0)
			return -1;
	*n = cnt;
	return 0;
}

/* A vector of nb-long vectors into one rows x nb array. */
static int
get_matrix(struct reader *r, size_t nb, double **m, unsigned *rows,
    const char *what)
{
	uint64_t cnt, i;
	double *row;
	size_t n;

	*m = NULL;
	if (rbuf_get_compact(&r->rb, &cnt) != 0)
		return fail(r, "end of data");
	if (cnt > FILE_MAX_CONFIRMS)
		return fail(r,
		    "Corrupt estimates file.  Must maintain "
		    "estimates for between 1 and 1008 (one week) confirms");
	*m = xcalloc(cnt * nb + 1, sizeof(double));
	*rows = (unsigned)cnt;
	for (i = 0; i < cnt; i++) {
		if (get_doubles(r, &row, &n) != 0) {
			free(row);
			return -1;
		}
		if (n != nb) {
			free(row);
			return fail(r,
			    "Corrupt estimates file. Mismatch in %s", what);
		}
		memcpy(*m + i * nb, row, nb * sizeof(double));
		free(row);
	}
	return 0;
}

/* Core's TxConfirmStats::Read, into s (freed by the caller on failure). */
static int
read_stats(struct reader *r, struct stats *s, size_t nb)
{
	unsigned fail_rows;
	size_t n;
	uint32_t scale;

	memset(s, 0, sizeof(*s));
	if (get_double(r, &s->decay) != 0)
		return -1;
	if (!(s->decay > 0 && s->decay < 1))
		return fail(r,
		    "Corrupt estimates file. Decay must be between "
		    "0 and 1 (non-inclusive)");
	if (rbuf_get_le32(&r->rb, &scale) != 0)
		return fail(r, "end of data");
	if (scale == 0)
		return fail(r,
		    "Corrupt estimates file. Scale must be non-zero");
	s->scale = scale;
	if (get_doubles(r, &s->feerate_avg, &n) != 0)
		return -1;
	if (n != nb)
		return fail(r,
		    "Corrupt estimates file. Mismatch in feerate "
		    "average bucket count");
	if (get_doubles(r, &s->txct_avg, &n) != 0)
		return -1;
	if (n != nb)
		return fail(r,
		    "Corrupt estimates file. Mismatch in tx count "
		    "bucket count");
	if (get_matrix(r, nb, &s->conf_avg, &s->periods,
		"feerate conf average bucket count") != 0)
		return -1;
	if (s->periods == 0 ||
	    (uint64_t)s->scale * s->periods > FILE_MAX_CONFIRMS)
		return fail(r,
		    "Corrupt estimates file.  Must maintain "
		    "estimates for between 1 and 1008 (one week) confirms");
	if (get_matrix(r, nb, &s->fail_avg, &fail_rows,
		"one of failure average bucket counts") != 0)
		return -1;
	if (fail_rows != s->periods)
		return fail(r,
		    "Corrupt estimates file. Mismatch in confirms "
		    "tracked for failures");
	/* The waiting counts are not in the file: they start empty. */
	s->unconf = xcalloc((size_t)s->scale * s->periods * nb, sizeof(int));
	s->old_unconf = xcalloc(nb, sizeof(int));
	return 0;
}

int
fees_read(struct fees *f, const uint8_t *p, size_t len, char *err,
    size_t errlen)
{
	struct reader r;
	struct stats st[FEES_NHORIZONS];
	uint32_t required, wrote, best, first, last;
	double *buckets = NULL;
	size_t nb, i;
	int h;

	memset(&r, 0, sizeof(r));
	memset(st, 0, sizeof(st));
	rbuf_init(&r.rb, p, len);
	r.err = err;
	r.errlen = errlen;
	if (rbuf_get_le32(&r.rb, &required) != 0 ||
	    rbuf_get_le32(&r.rb, &wrote) != 0 ||
	    rbuf_get_le32(&r.rb, &best) != 0)
		return fail(&r, "end of data");
	if ((int32_t)required > FEES_FILE_VERSION)
		return fail(&r, "up-version (%d) fee estimate file",
		    (int32_t)required);
	if ((int32_t)required < FEES_FILE_VERSION_REQUIRED) {
		log_info("fees: incompatible old fee estimation data "
			 "(non-fatal). Version: %d",
		    (int32_t)required);
		return 1;
	}
	if (rbuf_get_le32(&r.rb, &first) != 0 ||
	    rbuf_get_le32(&r.rb, &last) != 0)
		return fail(&r, "end of data");
	if (first > last || last > best)
		return fail(&r,
		    "Corrupt estimates file. Historical block range "
		    "for estimates is invalid");
	if (get_doubles(&r, &buckets, &nb) != 0)
		goto bad;
	if (nb <= 1 || nb > FILE_MAX_BUCKETS) {
		fail(&r,
		    "Corrupt estimates file. Must have between 2 and 1000 "
		    "feerate buckets");
		goto bad;
	}
	for (i = 0; i < FEES_NHORIZONS; i++)
		if (read_stats(&r, &st[file_order[i]], nb) != 0)
			goto bad;

	/* Parsed: the file's history replaces ours. */
	for (h = 0; h < FEES_NHORIZONS; h++) {
		stats_free(&f->st[h]);
		f->st[h] = st[h];
	}
	free(f->buckets);
	f->buckets = buckets;
	f->nb = nb;
	f->best_height = best;
	f->hist_first = first;
	f->hist_best = last;
	fees_forget_tracked(f);
	log_debug(LOG_ESTIMATEFEE,
	    "Reading estimates: %zu buckets counting "
	    "confirms up to %u blocks",
	    nb, fees_max_target(f, FEES_LONG));
	return 0;
bad:
	for (h = 0; h < FEES_NHORIZONS; h++)
		stats_free(&st[h]);
	free(buckets);
	return -1;
}
