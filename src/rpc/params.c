/*
 * Parameter parsing shared by the method files, with Core's error codes
 * and messages, and the calls that forward a method to the net or
 * validation thread.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primitives/tx.h"
#include "rpc/rpc_int.h"
#include "util/args.h"
#include "util/hex.h"
#include "util/xmalloc.h"

int
rpc_parse_hash(const json_t *v, const char *name, uint8_t hash[32],
    struct rpc_error *err)
{
	const char *s;

	if (!json_is_string(v)) {
		rpc_fail_type(err, v, "string");
		return -1;
	}
	s = json_string_value(v);
	if (hash_from_hex(s, hash) == 0)
		return 0;
	if (strlen(s) != 64)
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "%s must be of length 64 (not %zu, for '%s')", name,
		    strlen(s), s);
	else
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "%s must be hexadecimal string (not '%s')", name, s);
	return -1;
}

/*
 * The two hex readers differ only in Core's wording for a non-string
 * (ParseHex's fixed text or ParseHexV's type name) and in whether an
 * empty string is hex.
 */
static int
parse_hex(const json_t *v, const char *name, uint8_t **out, size_t *len,
    int hexv, struct rpc_error *err)
{
	const char *s = json_string_value(v);

	if (s == NULL) {
		if (hexv)
			rpc_fail_type(err, v, "string");
		else
			rpc_fail(err, RPC_TYPE_ERROR,
			    "JSON value is not of expected type string");
		return -1;
	}
	if ((hexv && *s == '\0') || hex_decode_alloc(s, out, len) == -1) {
		rpc_fail(err, RPC_INVALID_PARAMETER,
		    "%s must be hexadecimal string (not '%s')", name, s);
		return -1;
	}
	return 0;
}

int
rpc_parse_hex(const json_t *v, const char *name, uint8_t **out, size_t *len,
    struct rpc_error *err)
{
	return parse_hex(v, name, out, len, 0, err);
}

int
rpc_parse_hexv(const json_t *v, const char *name, uint8_t **out, size_t *len,
    struct rpc_error *err)
{
	return parse_hex(v, name, out, len, 1, err);
}

int
rpc_check_obj(json_t *o, const char *const *names, const char *const *types,
    size_t n, int allow_null, int strict, struct rpc_error *err)
{
	const char *key;
	json_t *v;
	size_t i;

	for (i = 0; i < n; i++) {
		v = json_object_get(o, names[i]);
		if (v == NULL || json_is_null(v)) {
			if (allow_null)
				continue;
			rpc_fail(err, RPC_TYPE_ERROR, "Missing %s", names[i]);
			return -1;
		}
		if (strcmp(rpc_json_type_name(v), types[i]) != 0) {
			rpc_fail(err, RPC_TYPE_ERROR,
			    "JSON value of type %s for "
			    "field %s is not of expected type %s",
			    rpc_json_type_name(v), names[i], types[i]);
			return -1;
		}
	}
	if (!strict)
		return 0;
	json_object_foreach (o, key, v) {
		for (i = 0; i < n && strcmp(key, names[i]) != 0; i++)
			;
		if (i == n) {
			rpc_fail(err, RPC_TYPE_ERROR, "Unexpected key %s",
			    key);
			return -1;
		}
	}
	return 0;
}

/* Core's ParseFixedPoint with 8 decimals, exponent allowed. */
static int
parse_fixed8(const char *s, int64_t *out)
{
	long long mant = 0, expo = 0;
	int neg = 0, digits = 0, frac = 0, eneg = 0, edigits = 0, point = 0;
	const char *p = s;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (mant > 100000000000000000LL)
				return -1;
			/* Core allows no leading zeros but "0". */
			if (digits == 1 && mant == 0 && !point)
				return -1;
			mant = mant * 10 + (*p - '0');
			digits++;
			if (point)
				frac++;
		} else if (*p == '.' && !point && digits > 0) {
			point = 1;
			if (!isdigit((unsigned char)p[1]))
				return -1;
		} else
			break;
	}
	if (digits == 0)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-') {
			eneg = 1;
			p++;
		} else if (*p == '+')
			p++;
		for (; isdigit((unsigned char)*p); p++) {
			expo = expo * 10 + (*p - '0');
			edigits++;
			if (expo > 100)
				return -1;
		}
		if (edigits == 0)
			return -1;
	}
	if (*p != '\0')
		return -1;
	expo = (eneg ? -expo : expo) - frac + 8;
	if (expo < 0) {
		/* Digits beyond the 8th decimal must be zero. */
		for (; expo < 0; expo++) {
			if (mant % 10 != 0)
				return -1;
			mant /= 10;
		}
	}
	for (; expo > 0; expo--) {
		if (mant > MAX_MONEY)
			return -1;
		mant *= 10;
	}
	*out = neg ? -mant : mant;
	return 0;
}

int
rpc_parse_amount(const json_t *v, int64_t *sat, struct rpc_error *err)
{
	char buf[64];
	double d;

	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		/* Whole satoshis only: no libm, so round by hand. */
		d = json_real_value(v) * 1e8;
		if (!isfinite(d) || d > 9e15 || d < -9e15) {
			rpc_fail(err, RPC_TYPE_ERROR, "Invalid amount");
			return -1;
		}
		*sat = d >= 0 ? (int64_t)(d + 0.5) : -(int64_t)(-d + 0.5);
		if (d - (double)*sat > 0.01 || (double)*sat - d > 0.01) {
			rpc_fail(err, RPC_TYPE_ERROR, "Invalid amount");
			return -1;
		}
		goto range;
	} else if (json_is_string(v)) {
		snprintf(buf, sizeof(buf), "%s", json_string_value(v));
		if (strlen(json_string_value(v)) >= sizeof(buf)) {
			rpc_fail(err, RPC_TYPE_ERROR, "Invalid amount");
			return -1;
		}
	} else {
		rpc_fail(err, RPC_TYPE_ERROR,
		    "Amount is not a number or string");
		return -1;
	}
	if (parse_fixed8(buf, sat) == -1) {
		rpc_fail(err, RPC_TYPE_ERROR, "Invalid amount");
		return -1;
	}
range:
	if (*sat < 0 || *sat > MAX_MONEY) {
		rpc_fail(err, RPC_TYPE_ERROR, "Amount out of range");
		return -1;
	}
	return 0;
}

const char *
rpc_opt(struct rpc *r, const char *name)
{
	if (!args_is_known(name))
		return NULL;
	return args_get(rpc_shared(r)->args, name);
}

/* ---- Forwarding ---- */

int
rpc_owner_check(struct rpc *r, const struct rpc_method *m,
    struct rpc_error *err)
{
	struct rpc_shared *sh;
	const void *owner = NULL;
	const char *msg = "Method has no owner thread";
	int code = RPC_INTERNAL_ERROR;

	if (r == NULL)
		return 0;
	sh = rpc_shared(r);
	switch (m->owner) {
	case RPC_ON_NET:
		owner = sh->net;
		code = RPC_CLIENT_P2P_DISABLED;
		msg = "Error: Peer-to-peer functionality missing or disabled";
		break;
	case RPC_ON_VALIDATION:
		owner = sh->v;
		code = RPC_INTERNAL_ERROR;
		msg = "Validation is not running";
		break;
	case RPC_ON_MEMPOOL:
		owner = sh->mp;
		code = RPC_MEMPOOL_DISABLED;
		msg = "Mempool disabled or instance not found";
		break;
	case RPC_ON_RPC: return 0;
	}
	if (owner == NULL) {
		rpc_fail(err, code, "%s", msg);
		return -1;
	}
	return 0;
}
