/*
 * A synchronous request from one thread to another thread's queue, used by
 * the rpc thread to run methods that need the net or validation thread's
 * data ("calls that need another thread go through its queue and wait for
 * the answer with a timeout").
 *
 * A call is reference counted: one reference for the caller, one for the
 * callee. If the caller times out it drops its reference and goes on; the
 * callee's call_finish() then frees the call. The mutex inside guards only
 * the result fields and the done flag; it is a leaf lock.
 *
 * Usage, caller:   c = call_new("getpeerinfo", params);
 *                  push msg_new(TYPE, 0, &c, sizeof(c)) to the callee's queue
 *                  (on push failure: call_abandon(c) twice, or see below)
 *                  rc = call_wait(c, 30000, &result, &err);
 * Usage, callee:   call_finish(c, result_or_NULL, err_or_NULL);
 */
#ifndef BR_CALL_H
#define BR_CALL_H

#include <jansson.h>

#include "util/rpcerr.h"

struct call;

/* params: a JSON array, borrowed (the call keeps a deep copy). */
struct call *call_new(const char *method, json_t *params);
const char *call_method(const struct call *c);
json_t *call_params(const struct call *c);
/*
 * Callee: delivers the answer and drops the callee's reference. result is
 * stolen; on error pass result NULL and err non-NULL.
 */
void call_finish(struct call *c, json_t *result, const struct rpc_error *err);
/* Callee shortcut for an error answer. */
void call_fail(struct call *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Caller: waits up to timeout_ms for the answer and drops the caller's
 * reference. Returns 0 with *result (caller owns it), or -1 with *err
 * filled (the callee's error, or RPC_INTERNAL_ERROR on time-out).
 */
int call_wait(struct call *c, int timeout_ms, json_t **result,
    struct rpc_error *err);
/* Drops one reference without answering (the push to the callee failed). */
void call_release(struct call *c);

#endif
