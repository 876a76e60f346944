#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/request.h"
#include "util/time.h"
#include "util/xmalloc.h"

struct request {
	pthread_mutex_t mu; /* leaf lock: done, refs, err, out hand-over */
	pthread_cond_t cv;
	int refs;
	int done;
	int out_taken; /* the caller moved out away */
	request_fn fn;
	void *in, *out;
	void (*in_free)(void *);
	void (*out_free)(void *);
	size_t outlen;
	struct request_error err;
};

struct request *
request_new(request_fn fn, const void *in, size_t inlen,
    void (*in_free)(void *), size_t outlen, void (*out_free)(void *))
{
	struct request *r = xcalloc(1, sizeof(*r));
	pthread_condattr_t ca;

	pthread_mutex_init(&r->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cv, &ca);
	pthread_condattr_destroy(&ca);
	r->refs = 2;
	r->fn = fn;
	r->in = xcalloc(1, inlen ? inlen : 1);
	if (inlen)
		memcpy(r->in, in, inlen);
	r->in_free = in_free;
	r->out = xcalloc(1, outlen ? outlen : 1);
	r->outlen = outlen;
	r->out_free = out_free;
	return r;
}

static void
request_destroy(struct request *r)
{
	if (r->in_free)
		r->in_free(r->in);
	/* Out is released here only when nobody took it (failure, time-out). */
	if (r->out_free && !r->out_taken)
		r->out_free(r->out);
	free(r->in);
	free(r->out);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

static void
request_release(struct request *r)
{
	int last;

	pthread_mutex_lock(&r->mu);
	last = --r->refs == 0;
	pthread_mutex_unlock(&r->mu);
	if (last)
		request_destroy(r);
}

static void
request_finish(struct request *r, int status, const char *msg)
{
	pthread_mutex_lock(&r->mu);
	if (!r->done) {
		r->done = 1;
		r->err.status = status;
		if (msg)
			snprintf(r->err.message, sizeof(r->err.message), "%s",
			    msg);
		pthread_cond_signal(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
}

void
request_fail(struct request *r, int status, const char *fmt, ...)
{
	char msg[sizeof(r->err.message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	request_finish(r,
	    status == REQUEST_OK ? REQUEST_E_UNAVAILABLE : status, msg);
}

void
request_serve(struct request *r, void *owner)
{
	request_serve_then(r, owner, NULL);
}

void
request_serve_then(struct request *r, void *owner, void (*then)(void *owner))
{
	r->fn(owner, r->in, r->out, r);
	if (then)
		then(owner);
	request_finish(r, REQUEST_OK, NULL);
	request_release(r);
}

void
request_refuse(struct request *r, int status, const char *msg)
{
	request_finish(r, status, msg);
	request_release(r);
}

int
request_wait(struct request *r, int timeout_ms, void *out,
    struct request_error *err)
{
	struct timespec deadline;
	int rc = 0, ret;

	time_deadline(CLOCK_MONOTONIC, timeout_ms, &deadline);
	pthread_mutex_lock(&r->mu);
	while (!r->done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&r->cv, &r->mu, &deadline);
	if (!r->done) {
		err->status = REQUEST_E_TIMEOUT;
		snprintf(err->message, sizeof(err->message),
		    "no answer within %d ms", timeout_ms);
		ret = -1;
	} else if (r->err.status != REQUEST_OK) {
		*err = r->err;
		ret = -1;
	} else {
		/* Requests without an output may pass out NULL. */
		if (r->outlen > 0)
			memcpy(out, r->out, r->outlen);
		r->out_taken = 1;
		ret = 0;
	}
	pthread_mutex_unlock(&r->mu);
	request_release(r);
	return ret;
}

void
request_abandon(struct request *r)
{
	request_release(r);
	request_release(r);
}
