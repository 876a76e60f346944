/*
 * JSON text as Bitcoin Core writes it (UniValue::write), for the RPC server
 * and for bitroot-cli: this file and jsonenc.c need only jansson and
 * util/xmalloc, so the client links them without the server.
 *
 * Number literals. jansson holds a number as a C integer or double, so a
 * literal such as 50.00000000 would come back as 50. A literal is held
 * instead as a jansson string whose first byte is RPC_JSON_LITERAL_MARK
 * (0xff) followed by the literal's text: no decoded string can look like
 * that (0xff is never in UTF-8, and jansson decodes only valid UTF-8, even
 * with JSON_ALLOW_NUL), and rpc_json_encode writes it as the bare number.
 * rpc_amount makes one for an amount; rpc_json_load_literal keeps
 * every number of a text so.
 *
 * Any thread; nothing here has state.
 */
#ifndef BR_RPC_JSONENC_H
#define BR_RPC_JSONENC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define RPC_JSON_LITERAL_MARK '\xff'

/* Output text. Growable; p (NUL-terminated) belongs to the caller. */
struct jout {
	char *p;
	size_t len, cap;
};
void jout_free(struct jout *o);
void jout_puts(struct jout *o, const char *s);
void jout_putn(struct jout *o, const char *s, size_t n);

/*
 * Encoding. rpc_json_encode appends v as UniValue::write does: compact for
 * indent 0, else pretty with indent spaces per level (Core's
 * empty-container layout included). Reals print as %.16g, literals as
 * they are. rpc_json_dumps returns the encoding, xmalloc'd.
 */
void rpc_json_encode(struct jout *o, const json_t *v, int indent);
char *rpc_json_dumps(const json_t *v, int indent);

/*
 * Decoding with the literals kept: the JSON text [text, text + len) (any
 * value, not only an object or array) with every number held as a
 * literal, so that encoding it again writes each number as the text had
 * it. NULL with e filled (as json_loadb) when the text is not JSON.
 */
json_t *rpc_json_load_literal(const char *text, size_t len, json_error_t *e);
/*
 * The same for text already known to be JSON (it is not checked again):
 * the server's parser reads an id with it. Strings may hold \u0000.
 */
json_t *rpc_json_literal_value(const char *text, size_t len);
/* Whether v is a number literal (not a string). */
int rpc_json_is_literal(const json_t *v);

/*
 * An amount in satoshis as Core writes it: a number literal with exactly
 * 8 decimals (50.00000000). Use it for every BTC amount instead of
 * json_real.
 */
json_t *rpc_amount(int64_t sat);

#endif
