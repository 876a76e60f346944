/*
 * -rpcwhitelist and -rpcwhitelistdefault, with Core's rules (httprpc.cpp):
 *
 *  - "-rpcwhitelist=USER:m1,m2 m3" gives USER exactly those methods (',' and
 *    ' ' both separate); "-rpcwhitelist=USER" or "USER:" gives USER an empty
 *    list. A user named more than once gets the intersection of the lists
 *    that carry a ':'; one without a ':' leaves an earlier list as it was.
 *  - -rpcwhitelistdefault defaults to 1 when any -rpcwhitelist is given, else
 *    0. When it is 1 a user with no list may call nothing.
 *  - A call outside the user's list gets HTTP 403 with an empty body and a
 *    warning "RPC User U not allowed to call method M"; a default-denied
 *    user gets "RPC User U not allowed to call any methods". In a batch
 *    every call is checked before any runs, and one refusal refuses the
 *    whole batch.
 *
 * The lists are built before the rpc thread starts and only read after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rpc_int.h"
#include "util/args.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct rpc_acl {
	char *user;
	char **methods; /* sorted, unique */
	size_t n;
};

struct rpc_whitelist {
	struct rpc_acl *acls;
	size_t n;
	int deny_default; /* users without a list may call nothing */
};

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Splits list at ',' and ' ' into a sorted set (empty names included, as Core). */
static void
parse_methods(const char *list, char ***out, size_t *nout)
{
	char **m = NULL;
	size_t n = 0, i, j;
	const char *p = list, *e;

	for (;;) {
		e = p + strcspn(p, ", ");
		m = xreallocarray(m, n + 1, sizeof(*m));
		m[n++] = xstrndup(p, (size_t)(e - p));
		if (*e == '\0')
			break;
		p = e + 1;
	}
	qsort(m, n, sizeof(*m), cmp_str);
	for (i = j = 0; i < n; i++) {
		if (j > 0 && strcmp(m[j - 1], m[i]) == 0) {
			free(m[i]);
			continue;
		}
		m[j++] = m[i];
	}
	*out = m;
	*nout = j;
}

static int
acl_has(const struct rpc_acl *acl, const char *method)
{
	/* An empty list has no array: bsearch must not see NULL. */
	return acl->n > 0 &&
	    bsearch(&method, acl->methods, acl->n, sizeof(char *), cmp_str) !=
	    NULL;
}

/* Keeps in acl only the methods also in m (m is freed). */
static void
intersect(struct rpc_acl *acl, char **m, size_t n)
{
	struct rpc_acl tmp = { NULL, m, n };
	size_t i, j;

	for (i = j = 0; i < acl->n; i++) {
		if (acl_has(&tmp, acl->methods[i]))
			acl->methods[j++] = acl->methods[i];
		else
			free(acl->methods[i]);
	}
	acl->n = j;
	for (i = 0; i < n; i++)
		free(m[i]);
	free(m);
}

static struct rpc_acl *
find(const struct rpc_whitelist *wl, const char *user)
{
	size_t i;

	for (i = 0; i < wl->n; i++)
		if (strcmp(wl->acls[i].user, user) == 0)
			return &wl->acls[i];
	return NULL;
}

struct rpc_whitelist *
rpc_whitelist_new(const struct args *a)
{
	struct rpc_whitelist *wl = xcalloc(1, sizeof(*wl));
	const char *const *vals;
	const char *colon;
	struct rpc_acl *acl;
	char *user, **m;
	size_t n, i, nm;

	n = args_get_all(a, "rpcwhitelist", &vals);
	wl->deny_default = args_get_bool(a, "rpcwhitelistdefault", n > 0);
	for (i = 0; i < n; i++) {
		colon = strchr(vals[i], ':');
		user = colon ? xstrndup(vals[i], (size_t)(colon - vals[i])) :
			       xstrdup(vals[i]);
		if ((acl = find(wl, user)) == NULL) {
			wl->acls = xreallocarray(wl->acls, wl->n + 1,
			    sizeof(*wl->acls));
			acl = &wl->acls[wl->n++];
			memset(acl, 0, sizeof(*acl));
			acl->user = user;
			if (colon)
				parse_methods(colon + 1, &acl->methods,
				    &acl->n);
			continue;
		}
		free(user);
		if (colon) {
			parse_methods(colon + 1, &m, &nm);
			intersect(acl, m, nm);
		}
	}
	if (wl->n > 0 || wl->deny_default)
		log_info("RPC whitelist: %zu user list(s); users without one "
			 "may call %s",
		    wl->n, wl->deny_default ? "nothing" : "every method");
	return wl;
}

void
rpc_whitelist_free(struct rpc_whitelist *wl)
{
	size_t i, j;

	if (wl == NULL)
		return;
	for (i = 0; i < wl->n; i++) {
		for (j = 0; j < wl->acls[i].n; j++)
			free(wl->acls[i].methods[j]);
		free(wl->acls[i].methods);
		free(wl->acls[i].user);
	}
	free(wl->acls);
	free(wl);
}

int
rpc_whitelist_lookup(const struct rpc_whitelist *wl, const char *user,
    const struct rpc_acl **acl)
{
	*acl = NULL;
	if (wl == NULL)
		return 0;
	if ((*acl = find(wl, user)) != NULL)
		return 1;
	return wl->deny_default;
}

static void
forbidden(struct rpc_http_reply *out)
{
	memset(out, 0, sizeof(*out));
	out->status = 403;
}

/* An error reply as Core's JSONErrorReply writes it, id null. */
static void
error_reply(struct rpc_http_reply *out, int status, int code, const char *msg)
{
	struct rpc_request rq;
	struct rpc_error err = RPC_ERROR_INIT;
	char *text;
	json_t *o;

	memset(&rq, 0, sizeof(rq));
	rq.version = RPC_V1;
	rpc_fail(&err, code, "%s", msg);
	o = rpc_reply_obj(&rq, NULL, &err);
	rpc_error_clear(&err);
	text = rpc_json_dumps(o, 0);
	json_decref(o);
	memset(out, 0, sizeof(*out));
	out->status = status;
	out->body = xasprintf("%s\n", text);
	out->len = strlen(out->body);
	free(text);
}

int
rpc_acl_check(const struct rpc_acl *acl, const char *user, json_t *body,
    struct rpc_http_reply *out)
{
	struct rpc_request rq;
	struct rpc_error err = RPC_ERROR_INIT;
	json_t *item, *meth;
	char msg[128];
	size_t i;

	if (acl == NULL) {
		log_warnx("RPC User %s not allowed to call any methods", user);
		forbidden(out);
		return -1;
	}
	if (json_is_object(body)) {
		/* A malformed request gets its usual error, not a 403. */
		if (rpc_request_parse(body, &rq, &err) == -1) {
			rpc_error_clear(&err);
			return 0;
		}
		if (acl_has(acl, rq.method))
			return 0;
		log_warnx("RPC User %s not allowed to call method %s", user,
		    rq.method);
		forbidden(out);
		return -1;
	}
	if (!json_is_array(body))
		return 0;
	json_array_foreach (body, i, item) {
		if (!json_is_object(item)) {
			error_reply(out, 400, RPC_INVALID_REQUEST,
			    "Invalid Request object");
			return -1;
		}
		meth = json_object_get(item, "method");
		if (!json_is_string(meth)) {
			snprintf(msg, sizeof(msg),
			    "JSON value of type %s is "
			    "not of expected type string",
			    rpc_json_type_name(meth));
			error_reply(out, 500, RPC_PARSE_ERROR, msg);
			return -1;
		}
		if (!acl_has(acl, json_string_value(meth))) {
			log_warnx("RPC User %s not allowed to call method %s",
			    user, json_string_value(meth));
			forbidden(out);
			return -1;
		}
	}
	return 0;
}
