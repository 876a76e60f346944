/*
 * The zmq category: getzmqnotifications, from the publisher's typed list
 * of notifiers (zmq/zmqpub.h). Reentrant: the list is read-only once the
 * node has started.
 */
#include "rpc/rpc_int.h"
#include "zmq/zmqpub.h"

static json_t *
m_getzmqnotifications(struct rpc_ctx *c, struct rpc_error *err)
{
	const struct zmqpub *z = rpc_shared(c->rpc)->zmq;
	struct zmqpub_notifier_info ni;
	json_t *a = json_array();
	size_t i;

	(void)err;
	for (i = 0; i < zmqpub_count(z); i++) {
		zmqpub_notifier(z, i, &ni);
		json_array_append_new(a,
		    json_pack("{s:s,s:s,s:i}", "type", ni.type, "address",
			ni.address, "hwm", ni.hwm));
	}
	return a;
}

void
rpc_set_zmq(struct rpc *r, const struct zmqpub *z)
{
	rpc_shared(r)->zmq = z;
}

const struct rpc_method rpc_zmq_methods[] = {
	{ "getzmqnotifications", "zmq", m_getzmqnotifications, RPC_F_FAST,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns information about the active ZeroMQ notifications.",
	    "[                         (json array)\n"
	    "  {                       (json object)\n"
	    "    \"type\" : \"str\",       (string) Type of notification\n"
	    "    \"address\" : \"str\",    (string) Address of the publisher\n"
	    "    \"hwm\" : n             (numeric) Outbound message high water mark\n"
	    "  },\n"
	    "  ...\n"
	    "]\n",
	    "", RPC_ON_RPC },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
