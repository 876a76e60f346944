/*
 * Network methods: all of them read or change the net thread's state, so
 * each is forwarded to it through net_call (util/call.h). This file holds
 * only their table entries: names, arguments and help.
 */
#include <stddef.h>

#include "rpc/rpc_int.h"

#define NODE_EX "\"192.168.0.6:8333\""

const struct rpc_method rpc_net_methods[] = {
	{ "addnode", "network", rpc_forward_net, 0,
	    { { "node", RPC_ARG_STR, 1, NULL,
		"The address of the peer to connect to" },
	      { "command", RPC_ARG_STR, 1, NULL,
		"'add' to add a node to the list, 'remove' to remove a node "
		"from the list, 'onetry' to try a connection to the node "
		"once" },
	      { "v2transport", RPC_ARG_BOOL, 0, "set by -v2transport",
		"Attempt to connect using BIP324 v2 transport protocol "
		"(ignored for 'remove' command)" } },
	    "Attempts to add or remove a node from the addnode list.\nOr try "
	    "a connection to a node once.\nNodes added using addnode (or "
	    "-connect) are protected from DoS disconnection and are not "
	    "required to be\nfull nodes/support SegWit as other outbound "
	    "peers are (though such peers will not be synced from).",
	    NULL, NODE_EX " \"onetry\"", RPC_ON_NET },
	{ "clearbanned", "network", rpc_forward_net, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Clear all banned IPs.", NULL, "", RPC_ON_NET },
	{ "disconnectnode", "network", rpc_forward_net, 0,
	    { { "address", RPC_ARG_STR, 0, "fallback to nodeid",
		"The IP address/port of the node" },
	      { "nodeid", RPC_ARG_NUM, 0, "fallback to address",
		"The node ID (see getpeerinfo for node IDs)" } },
	    "Immediately disconnects from the specified peer node.\n\nStrictly "
	    "one out of 'address' and 'nodeid' can be provided to identify "
	    "the node.\n\nTo disconnect by nodeid, either set 'address' to the "
	    "empty string, or call using the named 'nodeid' argument only.",
	    NULL, NODE_EX, RPC_ON_NET },
	{ "getaddednodeinfo", "network", rpc_forward_net, 0,
	    { { "node", RPC_ARG_STR, 0, "all nodes",
		"If provided, return information about this specific node, "
		"otherwise all nodes are returned." } },
	    "Returns information about the given added node, or all added "
	    "nodes\n(note that onetry addnodes are not listed here)",
	    "[                     (json array)\n"
	    "  {                   (json object)\n"
	    "    \"addednode\" : \"str\",   (string) The node IP address or name (as provided to addnode)\n"
	    "    \"connected\" : true|false, (boolean) If connected\n"
	    "    \"addresses\" : [ {\"address\", \"connected\"}, ... ]\n"
	    "  },\n  ...\n]\n", "", RPC_ON_NET },
	{ "getconnectioncount", "network", rpc_forward_net, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns the number of connections to other nodes.",
	    "n    (numeric) The connection count\n", "", RPC_ON_NET },
	{ "getnettotals", "network", rpc_forward_net, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns information about network traffic, including bytes in, "
	    "bytes out,\nand current system time.",
	    "{\n"
	    "  \"totalbytesrecv\" : n,   (numeric) Total bytes received\n"
	    "  \"totalbytessent\" : n,   (numeric) Total bytes sent\n"
	    "  \"timemillis\" : xxx,     (numeric) Current system UNIX epoch time in milliseconds\n"
	    "  \"uploadtarget\" : { ... } (json object)\n}\n", "", RPC_ON_NET },
	{ "getnetworkinfo", "network", rpc_forward_net, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns an object containing various state info regarding P2P "
	    "networking.",
	    "{\n"
	    "  \"version\" : n,          (numeric) the server version\n"
	    "  \"subversion\" : \"str\",   (string) the server subversion string\n"
	    "  \"protocolversion\" : n,  (numeric) the protocol version\n"
	    "  \"localservices\" : \"hex\", (string) the services we offer to the network\n"
	    "  \"localservicesnames\" : [ \"str\", ... ],\n"
	    "  \"localrelay\" : true|false,\n"
	    "  \"timeoffset\" : n,\n"
	    "  \"connections\" : n, \"connections_in\" : n, \"connections_out\" : n,\n"
	    "  \"networkactive\" : true|false,\n"
	    "  \"networks\" : [ ... ],\n"
	    "  \"relayfee\" : n, \"incrementalfee\" : n,\n"
	    "  \"localaddresses\" : [ ... ],\n"
	    "  \"warnings\" : [ \"str\", ... ]\n}\n", "", RPC_ON_NET },
	{ "getnodeaddresses", "network", rpc_forward_net, 0,
	    { { "count", RPC_ARG_NUM, 0, "1",
		"The maximum number of addresses to return. Specify 0 to "
		"return all known addresses." },
	      { "network", RPC_ARG_STR, 0, "all networks",
		"Return only addresses of the specified network. Can be one "
		"of: ipv4, ipv6, onion, i2p, cjdns." } },
	    "Return known addresses, after filtering for quality and recency."
	    "\nThese can potentially be used to find new peers in the "
	    "network.\nThe total number of addresses known to the node may be "
	    "higher.",
	    "[ {\"time\", \"services\", \"address\", \"port\", \"network\"}, ... ]\n",
	    "8", RPC_ON_NET },
	{ "getpeerinfo", "network", rpc_forward_net, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Returns data about each connected network peer as a json array "
	    "of objects.",
	    "[\n  {\n"
	    "    \"id\" : n,                (numeric) Peer index\n"
	    "    \"addr\" : \"host:port\",    (string) The IP address and port of the peer\n"
	    "    \"addrbind\" : \"ip:port\",  (string, optional) Bind address of the connection to the peer\n"
	    "    \"services\" : \"hex\",      (string) The services offered\n"
	    "    \"lastsend\", \"lastrecv\", \"bytessent\", \"bytesrecv\", \"conntime\", \"pingtime\",\n"
	    "    \"version\" : n,           (numeric) The peer version, such as 70001\n"
	    "    \"subver\" : \"str\",        (string) The string version\n"
	    "    \"inbound\" : true|false,  (boolean) Inbound (true) or Outbound (false)\n"
	    "    \"startingheight\", \"synced_headers\", \"synced_blocks\", \"connection_type\",\n"
	    "    \"bytessent_per_msg\" : { ... }, \"bytesrecv_per_msg\" : { ... }\n"
	    "  },\n  ...\n]\n", "", RPC_ON_NET },
	{ "listbanned", "network", rpc_forward_net, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "List all manually banned IPs/Subnets.",
	    "[ {\"address\", \"ban_created\", \"banned_until\", \"ban_duration\", \"time_remaining\"}, ... ]\n",
	    "", RPC_ON_NET },
	{ "ping", "network", rpc_forward_net, 0,
	    { { NULL, 0, 0, NULL, NULL } },
	    "Requests that a ping be sent to all other nodes, to measure ping "
	    "time.\nResults are provided in getpeerinfo.\nPing command is "
	    "handled in queue with all other commands, so it measures "
	    "processing backlog, not just network ping.", NULL, "", RPC_ON_NET },
	{ "setban", "network", rpc_forward_net, 0,
	    { { "subnet", RPC_ARG_STR, 1, NULL,
		"The IP/Subnet (see getpeerinfo for nodes IP) with an optional "
		"netmask (default is /32 = single IP)" },
	      { "command", RPC_ARG_STR, 1, NULL,
		"'add' to add an IP/Subnet to the list, 'remove' to remove an "
		"IP/Subnet from the list" },
	      { "bantime", RPC_ARG_NUM, 0, "0",
		"time in seconds how long (or until when if [absolute] is set) "
		"the IP is banned (0 or empty means using the default time of "
		"24h which can also be overwritten by the -bantime startup "
		"argument)" },
	      { "absolute", RPC_ARG_BOOL, 0, "false",
		"If set, the bantime must be an absolute timestamp expressed "
		"in UNIX epoch time" } },
	    "Attempts to add or remove an IP/Subnet from the banned list.",
	    NULL, "\"192.168.0.6\" \"add\" 86400", RPC_ON_NET },
	{ "setnetworkactive", "network", rpc_forward_net, 0,
	    { { "state", RPC_ARG_BOOL, 1, NULL,
		"true to enable networking, false to disable" } },
	    "Disable/enable all p2p network activity.",
	    "true|false    (boolean) The value that was passed in\n", "false", RPC_ON_NET },
	{ "addconnection", "hidden", rpc_forward_net, 0,
	    { { "address", RPC_ARG_STR, 1, NULL,
		"The IP address and port to attempt connecting to." },
	      { "connection_type", RPC_ARG_STR, 1, NULL,
		"Type of connection to open (\"outbound-full-relay\", "
		"\"block-relay-only\", \"addr-fetch\" or \"feeler\")." },
	      { "v2transport", RPC_ARG_BOOL, 1, NULL,
		"Attempt to connect using BIP324 v2 transport protocol" } },
	    "Open an outbound connection to a specified node. This RPC is for "
	    "testing only.",
	    "{\n  \"address\" : \"str\",           (string) Address of newly added connection.\n"
	    "  \"connection_type\" : \"str\"    (string) Type of connection opened.\n}\n",
	    "\"192.168.0.6:8333\" \"outbound-full-relay\" true", RPC_ON_NET },
	{ "addpeeraddress", "hidden", rpc_forward_net, 0,
	    { { "address", RPC_ARG_STR, 1, NULL,
		"The IP address of the peer" },
	      { "port", RPC_ARG_NUM, 1, NULL, "The port of the peer" },
	      { "tried", RPC_ARG_BOOL, 0, "false",
		"If true, attempt to add the peer to the tried addresses "
		"table" } },
	    "Add the address of a potential peer to an address manager "
	    "table. This RPC is for testing only.",
	    "{\n  \"success\" : true|false,  (boolean) whether the peer address was successfully added to the address manager table\n"
	    "  \"error\" : \"str\"          (string, optional) error description, if the address could not be added\n}\n",
	    "\"1.2.3.4\" 8333 true", RPC_ON_NET },
	{ "getorphantxs", "hidden", rpc_forward_net, 0,
	    { { "verbosity", RPC_ARG_NUM, 0, "0",
		"0 for an array of txids (may contain duplicates), 1 for an "
		"array of objects with orphan tx details, and 2 for details "
		"plus tx hex" } },
	    "Shows transactions in the tx orphanage.\n\nEXPERIMENTAL warning: "
	    "this call may be changed in future releases.",
	    "[                         (json array)\n"
	    "  \"hex\",                 (string) The transaction hash in hex\n"
	    "  ...\n]\n"
	    "or, for verbosity 1 and 2:\n"
	    "[\n  {\n"
	    "    \"txid\" : \"hex\",      (string) The transaction hash in hex\n"
	    "    \"wtxid\" : \"hex\",     (string) The transaction witness hash in hex\n"
	    "    \"bytes\" : n,         (numeric) The serialized transaction size in bytes\n"
	    "    \"vsize\" : n,         (numeric) The virtual transaction size\n"
	    "    \"weight\" : n,        (numeric) The transaction weight\n"
	    "    \"from\" : [ n, ... ], (json array) Ids of the peers that announced it\n"
	    "    \"hex\" : \"hex\"        (string) The serialized transaction (verbosity 2)\n"
	    "  },\n  ...\n]\n", "2", RPC_ON_NET },
	{ NULL, NULL, NULL, 0, { { NULL, 0, 0, NULL, NULL } }, NULL, NULL,
	    NULL, RPC_ON_RPC },
};
