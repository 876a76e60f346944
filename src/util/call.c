#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/call.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct call {
	pthread_mutex_t mu;	/* guards done, refs, result, err; leaf lock */
	pthread_cond_t cv;
	int refs;
	int done;
	char *method;
	json_t *params;
	json_t *result;
	struct rpc_error err;
	int failed;
};

struct call *
call_new(const char *method, json_t *params)
{
	struct call *c = xcalloc(1, sizeof(*c));
	pthread_condattr_t ca;

	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	c->refs = 2;
	c->method = xstrdup(method);
	/*
	 * A private copy: jansson's reference counts are atomics inside an
	 * uninstrumented library, so sharing one object between the caller
	 * and the callee's thread would look like a race to TSan, and a
	 * caller that changes its params later would race for real.
	 */
	c->params = params ? json_deep_copy(params) : json_array();
	if (c->params == NULL)
		fatalx("call_new: out of memory copying params");
	return c;
}

const char *
call_method(const struct call *c)
{
	return c->method;
}

json_t *
call_params(const struct call *c)
{
	return c->params;
}

static void
call_destroy(struct call *c)
{
	json_decref(c->params);
	json_decref(c->result);
	free(c->method);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

void
call_release(struct call *c)
{
	int last;

	pthread_mutex_lock(&c->mu);
	last = --c->refs == 0;
	pthread_mutex_unlock(&c->mu);
	if (last)
		call_destroy(c);
}

void
call_finish(struct call *c, json_t *result, const struct rpc_error *err)
{
	pthread_mutex_lock(&c->mu);
	if (err) {
		c->failed = 1;
		c->err = *err;
		json_decref(result);
	} else {
		c->result = result ? result : json_null();
	}
	c->done = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	call_release(c);
}

void
call_fail(struct call *c, int code, const char *fmt, ...)
{
	struct rpc_error e;
	va_list ap;

	e.code = code;
	va_start(ap, fmt);
	vsnprintf(e.message, sizeof(e.message), fmt, ap);
	va_end(ap);
	call_finish(c, NULL, &e);
}

int
call_wait(struct call *c, int timeout_ms, json_t **result,
    struct rpc_error *err)
{
	struct timespec deadline;
	int rc = 0, ret;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->mu);
	while (!c->done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&c->cv, &c->mu, &deadline);
	if (!c->done) {
		err->code = RPC_INTERNAL_ERROR;
		snprintf(err->message, sizeof(err->message),
		    "%s: no answer within %d ms", c->method, timeout_ms);
		ret = -1;
	} else if (c->failed) {
		*err = c->err;
		ret = -1;
	} else {
		*result = c->result;
		c->result = NULL;
		ret = 0;
	}
	pthread_mutex_unlock(&c->mu);
	call_release(c);
	return ret;
}
