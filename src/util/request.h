/*
 * A typed synchronous request from one thread to the thread that owns some
 * state: the rpc thread asks the net, validation or mempool thread for a
 * snapshot (a plain struct) or to make a change, and formats the answer
 * itself. Nothing here knows JSON or JSON-RPC; a request carries bytes in,
 * bytes out and, on failure, a status number whose meaning belongs to the
 * module that defined the request (net.h, validation.h, mempool.h) plus a
 * human-readable message.
 *
 * Ownership: the request owns its input and output structs, and whatever
 * they point to once handed over (in_free and out_free release those), so
 * a caller that times out can walk away while the owner thread still
 * works on it. Reference counted: one reference for the caller, one for the
 * owner thread; the last release frees everything.
 *
 * Lock: the mutex inside guards done, refs, status and message, and the
 * hand-over of out; it is a leaf lock. in is written by the caller before
 * the push and only read afterwards; out is written by the owner thread
 * before it finishes and read by the caller only after request_wait
 * returns 0.
 *
 * Caller:  r = request_new(fn, &in, sizeof(in), in_free, sizeof(out), out_free);
 *          push msg_new(QTYPE, 0, &r, sizeof(r)) to the owner's queue
 *          (push failed: request_abandon(r))
 *          rc = request_wait(r, timeout_ms, &out, &err);
 *          ... use out, then out_free(&out) ...
 * Owner:   request_serve(r, owner_state);  runs fn on the owner's thread
 */
#ifndef BR_REQUEST_H
#define BR_REQUEST_H

#include <stddef.h>

struct request;

/* Statuses shared by every module; a module's own statuses are > 0. */
#define REQUEST_OK 0
#define REQUEST_E_TIMEOUT (-1)	   /* no answer within the time-out */
#define REQUEST_E_UNAVAILABLE (-2) /* the owner thread is gone or off */

struct request_error {
	int status;
	char message[512];
};

/*
 * Runs on the owner's thread with the owner's state. It reads in, fills
 * out, and either returns (success) or calls request_fail first.
 */
typedef void (
    *request_fn)(void *owner, void *in, void *out, struct request *r);

/*
 * in (inlen bytes) is copied; the pointers inside it now belong to the
 * request. in_free and out_free may be NULL when the structs own nothing.
 */
struct request *request_new(request_fn fn, const void *in, size_t inlen,
    void (*in_free)(void *), size_t outlen, void (*out_free)(void *));

/* Owner: runs the request and drops the owner's reference. */
void request_serve(struct request *r, void *owner);
/* The same, calling then(owner) after fn and before the caller hears. */
void request_serve_then(struct request *r, void *owner,
    void (*then)(void *owner));
/* Owner, inside fn: the request fails with a module status and message. */
void request_fail(struct request *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Owner: drops the owner's reference without running (shutting down). */
void request_refuse(struct request *r, int status, const char *msg);

/*
 * Caller: waits up to timeout_ms. Returns 0 with the outlen bytes of out
 * moved into *out (the caller now owns what they point to), or -1 with
 * *err filled. Drops the caller's reference either way.
 */
int request_wait(struct request *r, int timeout_ms, void *out,
    struct request_error *err);
/* Caller: the push failed, so neither side will answer: frees r. */
void request_abandon(struct request *r);

#endif
