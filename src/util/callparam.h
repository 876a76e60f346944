/*
 * Parameters of an RPC method that runs on another thread (struct call,
 * util/call.h): the validation and mempool threads read their positional
 * JSON parameters with these and fail the call with Core's error codes and
 * messages. Reentrant; the call's thread only.
 */
#ifndef BR_CALLPARAM_H
#define BR_CALLPARAM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct call;

/* Parameter i of a JSON array, or NULL when absent or JSON null. */
json_t *callparam(json_t *params, size_t i);
/* Core's name of a JSON value's type ("object", "number", "bool", ...). */
const char *json_type_name(const json_t *j);

/*
 * Readers: 0 with *out (def, or NULL for a string, when the parameter is
 * absent), or -1 after failing c with Core's error.
 * callparam_int: a whole number; a fraction is "JSON integer out of range".
 * callparam_hash: Core's ParseHashV (name appears in the messages); absent
 * is an error.
 */
int callparam_int(struct call *c, json_t *params, size_t i, int64_t def,
    int64_t *out);
int callparam_str(struct call *c, json_t *params, size_t i,
    const char **out);
int callparam_bool(struct call *c, json_t *params, size_t i, int def,
    int *out);
int callparam_hash(struct call *c, json_t *params, size_t i,
    const char *name, uint8_t hash[32]);

/* A hash as Core prints it (byte-reversed hex string). */
json_t *json_hash(const uint8_t hash[32]);

#endif
