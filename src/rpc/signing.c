/*
 * Methods that sign or check signatures with keys the caller supplies (the
 * node has no wallet): verifymessage, signmessagewithprivkey. The
 * cryptography and the message format live in chain/message.c and
 * crypto/key.c; this file reads the parameters and words the answers as
 * Bitcoin Core 28 does.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/keyio.h"
#include "chain/message.h"
#include "rpc/rpc_int.h"
#include "util/xmalloc.h"

static json_t *
m_verifymessage(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	const json_t *msg = rpc_param(c, 2);
	enum message_result r;
	char *sig;
	size_t siglen = 0;

	/* NULL (malformed) is reported only after the address is checked. */
	sig = rpc_base64_decode(json_string_value(rpc_param(c, 1)), &siglen);
	r = message_verify(cp, json_string_value(rpc_param(c, 0)),
	    (const uint8_t *)sig, siglen, json_string_value(msg),
	    json_string_length(msg));
	free(sig);
	switch (r) {
	case MESSAGE_ERR_INVALID_ADDRESS:
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Invalid address");
	case MESSAGE_ERR_ADDRESS_NO_KEY:
		return rpc_fail(err, RPC_TYPE_ERROR,
		    "Address does not refer to key");
	case MESSAGE_ERR_MALFORMED_SIGNATURE:
		return rpc_fail(err, RPC_TYPE_ERROR,
		    "Malformed base64 encoding");
	case MESSAGE_ERR_PUBKEY_NOT_RECOVERED:
	case MESSAGE_ERR_NOT_SIGNED:
		return json_false();
	case MESSAGE_OK:
		break;
	}
	return json_true();
}

static json_t *
m_signmessagewithprivkey(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct chainparams *cp = rpc_shared(c->rpc)->cp;
	const json_t *msg = rpc_param(c, 1);
	uint8_t secret[32], sig[KEY_COMPACT_SIZE];
	char b64[((KEY_COMPACT_SIZE + 2) / 3) * 4 + 1];
	int compressed, rc;

	if (keyio_decode_secret(cp, json_string_value(rpc_param(c, 0)), secret,
	    &compressed) == -1)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY,
		    "Invalid private key");
	rc = message_sign(secret, compressed, json_string_value(msg),
	    json_string_length(msg), sig);
	explicit_bzero(secret, sizeof(secret));
	if (rc == -1)
		return rpc_fail(err, RPC_INVALID_ADDRESS_OR_KEY, "Sign failed");
	rpc_base64_encode(sig, sizeof(sig), b64);
	return json_string(b64);
}

const struct rpc_method rpc_signing_methods[] = {
	{ "signmessagewithprivkey", "util", m_signmessagewithprivkey,
	    RPC_F_FAST,
	    { { "privkey", RPC_ARG_STR, 1, NULL,
		"The private key to sign the message with." },
	      { "message", RPC_ARG_STR, 1, NULL,
		"The message to create a signature of." } },
	    "Sign a message with the private key of an address",
	    "\"str\"    (string) The signature of the message encoded in base "
	    "64\n",
	    "\"privkey\" \"my message\"" },
	{ "verifymessage", "util", m_verifymessage, RPC_F_FAST,
	    { { "address", RPC_ARG_STR, 1, NULL,
		"The bitcoin address to use for the signature." },
	      { "signature", RPC_ARG_STR, 1, NULL,
		"The signature provided by the signer in base 64 encoding (see "
		"signmessage)." },
	      { "message", RPC_ARG_STR, 1, NULL,
		"The message that was signed." } },
	    "Verify a signed message.",
	    "true|false    (boolean) If the signature is verified or not.\n",
	    "\"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX\" \"signature\" "
	    "\"my message\"" },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL },
};
