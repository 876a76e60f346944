/*
 * Metric storage, updates and the Prometheus text encoder (see metrics.h).
 *
 * Lock order: reg_mu is a leaf, taken only to append a label value.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/metrics.h"
#include "util/time.h"
#include "util/xmalloc.h"

struct family {
	_Atomic uint64_t *v; /* nseries * stride values */
	int stride;	     /* 1, or nbounds + 3 for a histogram */
	int nseries;	     /* 1, or METRICS_MAX_LABELS */
	atomic_int nlabels;  /* published with release after the name */
	char labels[METRICS_MAX_LABELS][METRICS_LABEL_LEN];
};

/* guards appending to any family's labels; leaf */
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
/* Written once by metrics_init before any thread starts. */
static struct family *fams;

static double
bits_to_double(uint64_t b)
{
	double d;

	memcpy(&d, &b, sizeof(d));
	return d;
}

static uint64_t
double_to_bits(double d)
{
	uint64_t b;

	memcpy(&b, &d, sizeof(b));
	return b;
}

void
metrics_init(void)
{
	int i;

	if (fams)
		return;
	fams = xcalloc(M_COUNT, sizeof(*fams));
	for (i = 0; i < M_COUNT; i++) {
		const struct metric_def *d = metrics_def((enum metric_id)i);
		struct family *f = &fams[i];

		f->stride = d->type == METRIC_HISTOGRAM ? d->nbounds + 3 : 1;
		f->nseries = d->label ? METRICS_MAX_LABELS : 1;
		f->v = xcalloc((size_t)(f->stride * f->nseries),
		    sizeof(*f->v));
		atomic_init(&f->nlabels, 0);
	}
	metrics_set(M_PROCESS_START_TIME, 0,
	    (double)(time_wall_micros() / 1000000));
}

void
metrics_reset(void)
{
	int i, j;

	if (fams == NULL)
		return;
	for (i = 0; i < M_COUNT; i++) {
		struct family *f = &fams[i];

		for (j = 0; j < f->stride * f->nseries; j++)
			atomic_store_explicit(&f->v[j], 0,
			    memory_order_relaxed);
		atomic_store(&f->nlabels, 0);
	}
}

static _Atomic uint64_t *
slot(enum metric_id id, int li)
{
	struct family *f;

	if (fams == NULL || (unsigned)id >= M_COUNT)
		return NULL;
	f = &fams[id];
	if (li < 0 || li >= f->nseries)
		return NULL;
	return &f->v[li * f->stride];
}

int
metrics_label_find(enum metric_id id, const char *s)
{
	struct family *f;
	int i, n;

	if (fams == NULL || (unsigned)id >= M_COUNT)
		return -1;
	f = &fams[id];
	n = atomic_load_explicit(&f->nlabels, memory_order_acquire);
	for (i = 0; i < n; i++)
		if (strncmp(f->labels[i], s, METRICS_LABEL_LEN - 1) == 0)
			return i;
	return -1;
}

int
metrics_label(enum metric_id id, const char *s)
{
	struct family *f;
	int i, n;

	if (fams == NULL || (unsigned)id >= M_COUNT ||
	    metrics_def(id)->label == NULL)
		return fams && (unsigned)id < M_COUNT ? 0 : -1;
	if ((i = metrics_label_find(id, s)) >= 0)
		return i;
	f = &fams[id];
	pthread_mutex_lock(&reg_mu);
	n = atomic_load_explicit(&f->nlabels, memory_order_relaxed);
	/* Another thread may have added it since the look-up. */
	for (i = 0; i < n; i++)
		if (strncmp(f->labels[i], s, METRICS_LABEL_LEN - 1) == 0)
			break;
	if (i == n) {
		/* The last slot is kept for "other", the rest's value. */
		if (n >= METRICS_MAX_LABELS - 1)
			s = "other";
		for (i = 0; i < n; i++)
			if (strcmp(f->labels[i], s) == 0)
				break;
		if (i == n) {
			snprintf(f->labels[n], METRICS_LABEL_LEN, "%s", s);
			atomic_store_explicit(&f->nlabels, n + 1,
			    memory_order_release);
		}
	}
	pthread_mutex_unlock(&reg_mu);
	return i;
}

void
metrics_add(enum metric_id id, int li, uint64_t v)
{
	_Atomic uint64_t *p = slot(id, li);

	if (p)
		atomic_fetch_add_explicit(p, v, memory_order_relaxed);
}

void
metrics_inc(enum metric_id id, int li)
{
	metrics_add(id, li, 1);
}

void
metrics_set(enum metric_id id, int li, double v)
{
	_Atomic uint64_t *p = slot(id, li);

	if (p)
		atomic_store_explicit(p, double_to_bits(v),
		    memory_order_relaxed);
}

void
metrics_gauge_add(enum metric_id id, int li, double d)
{
	_Atomic uint64_t *p = slot(id, li);

	if (p)
		atomic_store_explicit(p,
		    double_to_bits(bits_to_double(atomic_load_explicit(p,
				       memory_order_relaxed)) +
			d),
		    memory_order_relaxed);
}

void
metrics_set_max(enum metric_id id, int li, double v)
{
	_Atomic uint64_t *p = slot(id, li);
	uint64_t cur;

	if (p == NULL)
		return;
	cur = atomic_load_explicit(p, memory_order_relaxed);
	while (bits_to_double(cur) < v &&
	    !atomic_compare_exchange_weak_explicit(p, &cur, double_to_bits(v),
		memory_order_relaxed, memory_order_relaxed))
		;
}

void
metrics_observe_us(enum metric_id id, int li, int64_t us)
{
	_Atomic uint64_t *p = slot(id, li);
	const struct metric_def *d;
	int b;

	if (p == NULL)
		return;
	d = metrics_def(id);
	if (us < 0)
		us = 0;
	for (b = 0; b < d->nbounds && us > d->bounds[b]; b++)
		;
	/* Buckets are kept apart here and made cumulative when encoded. */
	atomic_fetch_add_explicit(&p[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&p[d->nbounds + 1], (uint64_t)us,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&p[d->nbounds + 2], 1, memory_order_relaxed);
}

uint64_t
metrics_counter(enum metric_id id, int li)
{
	_Atomic uint64_t *p = slot(id, li);

	return p ? atomic_load_explicit(p, memory_order_relaxed) : 0;
}

double
metrics_gauge(enum metric_id id, int li)
{
	return bits_to_double(metrics_counter(id, li));
}

int
metrics_nlabels(enum metric_id id)
{
	if (fams == NULL || (unsigned)id >= M_COUNT)
		return 0;
	return atomic_load_explicit(&fams[id].nlabels, memory_order_acquire);
}

const char *
metrics_label_name(enum metric_id id, int li)
{
	if (li < 0 || li >= metrics_nlabels(id))
		return "";
	return fams[id].labels[li];
}

uint64_t
metrics_hist_count(enum metric_id id, int li)
{
	_Atomic uint64_t *p = slot(id, li);

	return p ? atomic_load_explicit(&p[metrics_def(id)->nbounds + 2],
		       memory_order_relaxed) :
		   0;
}

double
metrics_hist_sum(enum metric_id id, int li)
{
	_Atomic uint64_t *p = slot(id, li);

	return p ?
	    (double)atomic_load_explicit(&p[metrics_def(id)->nbounds + 1],
		memory_order_relaxed) /
		1e6 :
	    0;
}

/* ---- Text exposition format ---- */

static void
put_str(struct wbuf *w, const char *s)
{
	wbuf_put(w, s, strlen(s));
}

static void put_fmt(struct wbuf *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put_fmt(struct wbuf *w, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		wbuf_put(w, buf,
		    (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* A label value with the format's three escapes: \\, \" and \n. */
static void
put_label_value(struct wbuf *w, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			put_str(w, "\\\\");
		else if (*s == '"')
			put_str(w, "\\\"");
		else if (*s == '\n')
			put_str(w, "\\n");
		else
			wbuf_put_u8(w, (uint8_t)*s);
	}
}

/* name{key="value",le="..."}, either part optional. */
static void
put_series(struct wbuf *w, const char *name, const char *suffix,
    const struct metric_def *d, const char *lv, const char *le)
{
	put_fmt(w, "bitroot_%s%s", name, suffix);
	if (lv == NULL && le == NULL)
		return;
	wbuf_put_u8(w, '{');
	if (lv) {
		put_fmt(w, "%s=\"", d->label);
		put_label_value(w, lv);
		wbuf_put_u8(w, '"');
	}
	if (le)
		put_fmt(w, "%sle=\"%s\"", lv ? "," : "", le);
	wbuf_put_u8(w, '}');
}

static void
put_double(struct wbuf *w, double v)
{
	put_fmt(w, " %.15g\n", v);
}

static void
encode_hist(struct wbuf *w, const struct metric_def *d, _Atomic uint64_t *p,
    const char *lv)
{
	uint64_t cum = 0, count, sum;
	char le[32];
	int b;

	/* Count first: buckets then only ever catch up with it. */
	count = atomic_load_explicit(&p[d->nbounds + 2], memory_order_relaxed);
	sum = atomic_load_explicit(&p[d->nbounds + 1], memory_order_relaxed);
	for (b = 0; b <= d->nbounds; b++) {
		cum += atomic_load_explicit(&p[b], memory_order_relaxed);
		if (b < d->nbounds)
			snprintf(le, sizeof(le), "%g",
			    (double)d->bounds[b] / 1e6);
		else {
			snprintf(le, sizeof(le), "+Inf");
			/* +Inf must equal _count; an update in flight may differ. */
			if (cum < count)
				count = cum;
			cum = count;
		}
		if (cum > count)
			cum = count;
		put_series(w, d->name, "_bucket", d, lv, le);
		put_fmt(w, " %llu\n", (unsigned long long)cum);
	}
	put_series(w, d->name, "_sum", d, lv, NULL);
	put_double(w, (double)sum / 1e6);
	put_series(w, d->name, "_count", d, lv, NULL);
	put_fmt(w, " %llu\n", (unsigned long long)count);
}

static const char *const type_names[] = { "counter", "gauge", "histogram" };

void
metrics_encode(struct wbuf *w)
{
	int i, li, n;

	if (fams == NULL)
		return;
	for (i = 0; i < M_COUNT; i++) {
		const struct metric_def *d = metrics_def((enum metric_id)i);
		struct family *f = &fams[i];

		put_fmt(w, "# HELP bitroot_%s ", d->name);
		put_str(w, d->help);
		put_fmt(w, "\n# TYPE bitroot_%s %s\n", d->name,
		    type_names[d->type]);
		n = d->label ?
		    atomic_load_explicit(&f->nlabels, memory_order_acquire) :
		    1;
		for (li = 0; li < n; li++) {
			_Atomic uint64_t *p = &f->v[li * f->stride];
			const char *lv = d->label ? f->labels[li] : NULL;

			if (d->type == METRIC_HISTOGRAM) {
				encode_hist(w, d, p, lv);
				continue;
			}
			put_series(w, d->name, "", d, lv, NULL);
			if (d->type == METRIC_COUNTER)
				put_fmt(w, " %llu\n",
				    (unsigned long long)atomic_load_explicit(p,
					memory_order_relaxed));
			else
				put_double(w,
				    bits_to_double(atomic_load_explicit(p,
					memory_order_relaxed)));
		}
	}
}

/* ---- Process ---- */

static long
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	/* Less the descriptor opendir itself holds. */
	return n - 1;
}

void
metrics_read_process(void)
{
	char buf[1024], *p;
	unsigned long long ut, st;
	long pages, threads;
	FILE *fp;
	int i;

	if ((fp = fopen("/proc/self/statm", "r")) != NULL) {
		if (fscanf(fp, "%*s %ld", &pages) == 1)
			metrics_set(M_PROCESS_RSS, 0,
			    (double)pages * (double)sysconf(_SC_PAGESIZE));
		fclose(fp);
	}
	metrics_set(M_PROCESS_FDS, 0, (double)count_fds());
	if ((fp = fopen("/proc/self/stat", "r")) == NULL)
		return;
	if (fgets(buf, sizeof(buf), fp) != NULL &&
	    (p = strrchr(buf, ')')) != NULL) {
		/* After "pid (comm)": field 3 is state; utime is 14, threads 20. */
		for (i = 3; i <= 14 && p; i++)
			p = strchr(p + 1, ' ');
		if (p &&
		    sscanf(p, " %llu %llu %*d %*d %*d %*d %ld", &ut, &st,
			&threads) == 3) {
			metrics_set(M_PROCESS_CPU, 0,
			    (double)(ut + st) / (double)sysconf(_SC_CLK_TCK));
			metrics_set(M_PROCESS_THREADS, 0, (double)threads);
		}
	}
	fclose(fp);
}
