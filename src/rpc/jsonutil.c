/*
 * Small JSON builders the RPC handlers share: hashes and bytes as Core
 * prints them, and UniValue's type error. Kept apart from jsonenc.c, which
 * bitroot-cli links without the server.
 */
#include <stdlib.h>

#include "rpc/rpc_int.h"
#include "util/hex.h"

json_t *
rpc_hash_json(const uint8_t h[32])
{
	char hex[65];

	hash_to_hex(h, hex);
	return json_string(hex);
}

json_t *
rpc_hex_json(const void *p, size_t n)
{
	char *h = hex_encode_alloc(p, n);
	json_t *s = json_string(h);

	free(h);
	return s;
}

const char *
rpc_json_type_name(const json_t *v)
{
	if (v == NULL)
		return "null";
	switch (json_typeof(v)) {
	case JSON_NULL: return "null";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	}
	return "null";
}

json_t *
rpc_fail_type(struct rpc_error *err, const json_t *v, const char *want)
{
	return rpc_fail(err, RPC_TYPE_ERROR,
	    "JSON value of type %s is not of "
	    "expected type %s",
	    rpc_json_type_name(v), want);
}
