#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"
#include "util/queue.h"
#include "util/request.h"

/* An owner thread that serves requests from its queue, like net. */
struct owner {
	struct queue *q;
	int state; /* the owner's private state */
};

struct count_in {
	int add;
	int *vals;
	size_t n;
};
struct count_out {
	int total;
	char *label;
};

static void
count_in_free(void *p)
{
	free(((struct count_in *)p)->vals);
}

static void
count_out_free(void *p)
{
	free(((struct count_out *)p)->label);
}

static void
count_fn(void *owner, void *in_, void *out_, struct request *r)
{
	struct owner *o = owner;
	struct count_in *in = in_;
	struct count_out *out = out_;
	size_t i;

	if (in->add < 0) {
		request_fail(r, 7, "bad %s", "thing");
		return;
	}
	if (in->add == 99)
		usleep(100 * 1000);
	o->state += in->add;
	out->total = o->state;
	for (i = 0; i < in->n; i++)
		out->total += in->vals[i];
	out->label = strdup("done");
}

static void *
owner_main(void *arg)
{
	struct owner *o = arg;
	struct msg *m;
	struct request *r;

	while ((m = queue_pop(o->q, -1)) != NULL) {
		memcpy(&r, m->data, sizeof(r));
		msg_free(m);
		request_serve(r, o);
	}
	return NULL;
}

static int
ask(struct owner *o, int add, int timeout, struct count_out *out,
    struct request_error *err)
{
	struct count_in in = { add, malloc(2 * sizeof(int)), 2 };
	struct request *r;
	struct msg *m;

	in.vals[0] = 10;
	in.vals[1] = 20;
	r = request_new(count_fn, &in, sizeof(in), count_in_free, sizeof(*out),
	    count_out_free);
	m = msg_new(1, 0, &r, sizeof(r));
	if (queue_push(o->q, m) != 0) {
		msg_free(m);
		request_abandon(r);
		return -2;
	}
	return request_wait(r, timeout, out, err);
}

static void
test_request_roundtrip(void)
{
	struct owner o = { queue_new("owner", 8, QUEUE_BLOCK), 0 };
	struct request_error err;
	struct count_out out;
	pthread_t t;

	pthread_create(&t, NULL, owner_main, &o);
	CHECK(ask(&o, 5, 5000, &out, &err) == 0);
	CHECK_EQ_INT(out.total, 35);
	CHECK_EQ_STR(out.label, "done");
	count_out_free(&out);
	CHECK(ask(&o, -1, 5000, &out, &err) == -1);
	CHECK_EQ_INT(err.status, 7);
	CHECK_EQ_STR(err.message, "bad thing");
	/* The caller gives up; the late answer is freed by the owner side. */
	CHECK(ask(&o, 99, 10, &out, &err) == -1);
	CHECK_EQ_INT(err.status, REQUEST_E_TIMEOUT);
	queue_close(o.q);
	pthread_join(t, NULL);
	CHECK_EQ_INT(o.state, 104);
	CHECK(ask(&o, 1, 10, &out, &err) == -2);
	queue_free(o.q);
}

UNIT_MAIN(UNIT_CASE(test_request_roundtrip))
