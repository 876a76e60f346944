#include <pthread.h>
#include <unistd.h>

#include "unit.h"
#include "util/call.h"
#include "util/queue.h"

/* A callee thread that answers calls from its queue, like net or validation. */
static void *
callee(void *arg)
{
	struct queue *q = arg;
	struct msg *m;
	struct call *c;

	while ((m = queue_pop(q, -1)) != NULL) {
		memcpy(&c, m->data, sizeof(c));
		msg_free(m);
		if (strcmp(call_method(c), "slow") == 0)
			usleep(100 * 1000);
		if (strcmp(call_method(c), "fail") == 0)
			call_fail(c, RPC_INVALID_PARAMETER, "bad %s", "thing");
		else
			call_finish(c, json_integer((json_int_t)json_array_size(
			    call_params(c))), NULL);
	}
	return NULL;
}

static int
do_call(struct queue *q, const char *method, int timeout, json_t **res,
    struct rpc_error *err)
{
	json_t *params = json_pack("[ii]", 1, 2);
	struct call *c = call_new(method, params);
	struct msg *m = msg_new(1, 0, &c, sizeof(c));
	int rc;

	json_decref(params);
	if (queue_push(q, m) != 0) {
		msg_free(m);
		call_release(c);
		call_release(c);
		return -2;
	}
	rc = call_wait(c, timeout, res, err);
	return rc;
}

static void
test_call_roundtrip(void)
{
	struct queue *q = queue_new("callee", 8, QUEUE_BLOCK);
	struct rpc_error err;
	pthread_t t;
	json_t *res = NULL;

	pthread_create(&t, NULL, callee, q);
	CHECK(do_call(q, "count", 5000, &res, &err) == 0);
	CHECK(res && json_integer_value(res) == 2);
	json_decref(res);
	CHECK(do_call(q, "fail", 5000, &res, &err) == -1);
	CHECK_EQ_INT(err.code, RPC_INVALID_PARAMETER);
	CHECK_EQ_STR(err.message, "bad thing");
	/* The caller gives up; the callee's late answer must not crash or leak. */
	CHECK(do_call(q, "slow", 10, &res, &err) == -1);
	CHECK_EQ_INT(err.code, RPC_INTERNAL_ERROR);
	queue_close(q);
	pthread_join(t, NULL);
	CHECK(do_call(q, "count", 10, &res, &err) == -2);
	queue_free(q);
}

UNIT_MAIN(UNIT_CASE(test_call_roundtrip))
