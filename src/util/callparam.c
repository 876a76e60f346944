/*
 * Positional parameters of cross-thread RPC calls (callparam.h).
 */
#include <string.h>

#include "util/call.h"
#include "util/callparam.h"
#include "util/hex.h"
#include "util/rpcerr.h"

json_t *
callparam(json_t *params, size_t i)
{
	json_t *p = json_is_array(params) ? json_array_get(params, i) : NULL;

	return p && !json_is_null(p) ? p : NULL;
}

const char *
json_type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	case JSON_NULL:
		return "null";
	}
	return "unknown";
}

static int
wrong_type(struct call *c, const json_t *p, const char *want)
{
	call_fail(c, RPC_TYPE_ERROR,
	    "JSON value of type %s is not of expected type %s",
	    p ? json_type_name(p) : "null", want);
	return -1;
}

int
callparam_int(struct call *c, json_t *params, size_t i, int64_t def,
    int64_t *out)
{
	json_t *p = callparam(params, i);

	if (p == NULL) {
		*out = def;
		return 0;
	}
	/* Core reads a number's text as an integer: "1.5" does not parse. */
	if (json_is_real(p)) {
		call_fail(c, RPC_MISC_ERROR, "JSON integer out of range");
		return -1;
	}
	if (!json_is_integer(p))
		return wrong_type(c, p, "number");
	*out = json_integer_value(p);
	return 0;
}

int
callparam_str(struct call *c, json_t *params, size_t i, const char **out)
{
	json_t *p = callparam(params, i);

	if (p == NULL) {
		*out = NULL;
		return 0;
	}
	if (!json_is_string(p))
		return wrong_type(c, p, "string");
	*out = json_string_value(p);
	return 0;
}

int
callparam_bool(struct call *c, json_t *params, size_t i, int def, int *out)
{
	json_t *p = callparam(params, i);

	if (p == NULL) {
		*out = def;
		return 0;
	}
	if (!json_is_boolean(p))
		return wrong_type(c, p, "bool");
	*out = json_is_true(p);
	return 0;
}

int
callparam_hash(struct call *c, json_t *params, size_t i, const char *name,
    uint8_t hash[32])
{
	json_t *p = callparam(params, i);
	const char *s;
	size_t n;

	if (p == NULL || !json_is_string(p))
		return wrong_type(c, p, "string");
	s = json_string_value(p);
	n = strlen(s);
	if (n != 64) {
		call_fail(c, RPC_INVALID_PARAMETER,
		    "%s must be of length 64 (not %zu, for '%.200s')", name, n,
		    s);
		return -1;
	}
	if (hash_from_hex(s, hash) != 0) {
		call_fail(c, RPC_INVALID_PARAMETER,
		    "%s must be hexadecimal string (not '%.200s')", name, s);
		return -1;
	}
	return 0;
}

json_t *
json_hash(const uint8_t hash[32])
{
	char hex[65];

	hash_to_hex(hash, hex);
	return json_string(hex);
}
