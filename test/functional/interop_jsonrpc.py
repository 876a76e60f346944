#!/usr/bin/env python3
"""JSON-RPC 1.0/2.0 framing byte for byte as Bitcoin Core 28 answers it.

The same raw HTTP bodies go to Core and to bitrootd; the HTTP status, the
presence of a Content-Type and the body bytes must be equal. Covered:

- a 2.0 notification (no "id"): executed, HTTP 204 and no body, also when
  the method fails or does not exist; "id": null is not a notification;
- batches: notifications left out, a batch of only notifications answers
  204, an empty batch "[]"; a malformed 2.0 element without an id is a
  notification too (no answer); an element that is not an object answers
  with the version and id of the element before it (Core parses every
  element into one request object), the first with 1.0 and id null;
- single malformed requests (400 with the 2.0 error object);
- numbers as UniValue keeps them (issue 17): an integer outside int64 or a
  real outside double anywhere in the body fails only the parameter read
  as an integer ("JSON integer out of range", -1), also for int-sized
  parameters given 2^31 or 2^32 (gettxout's vout, getblockhash's height,
  waitforblockheight, getnetworkhashps, generatetoaddress,
  getchaintxstats, getnodeaddresses);
  any id (a huge integer, 1.10, 1e400, -0, an array or object holding
  such numbers) is echoed as sent; \\u0000 in a method name is "Method not
  found"; parse errors carry "id": null;
- duplicate keys (issue 15): the first member with a key counts (UniValue
  keeps every member and looks up the first), in the request and inside
  parameter objects; a named parameter given twice is -8 "Parameter X
  specified multiple times", after the method lookup; createrawtransaction
  and createpsbt, which read every output, fail at the repeated one.
"""

import base64
import http.client

from test_framework.test_framework import BitrootTestFramework
from test_framework.util import assert_equal

CASES = [
    # a raw NUL byte: no JSON at all (the request's id must not be echoed)
    '{"method":"getblockcount","id":{"id":129\x00}}',
    '{"method":"getblockcount","id":7}\x00',
    '{"jsonrpc":"2.0","method":"getblockcount"}',
    '{"jsonrpc":"2.0","method":"nosuch"}',
    '{"jsonrpc":"2.0","method":"getblockhash","params":[99]}',
    '{"jsonrpc":"2.0","method":"getblockcount","params":{"nosuch":1}}',
    '{"jsonrpc":"2.0","method":"getblockcount","id":null}',
    '{"jsonrpc":"1.0","method":"getblockcount"}',
    '{"method":"getblockcount"}',
    '{"jsonrpc":"2.0","method":5}',
    '{"jsonrpc":"2.0","params":[]}',
    '{"jsonrpc":"2.0","method":"getblockcount","params":5}',
    '{"jsonrpc":"3.0","method":"getblockcount"}',
    '{"jsonrpc":"2.0","method":"getblockcount","id":1,"extra":1}',
    '[]',
    '[{"jsonrpc":"2.0","method":"getblockcount"},{"jsonrpc":"2.0","method":"getblockcount","id":1}]',
    '[{"jsonrpc":"2.0","method":"getblockcount"}]',
    '[{"jsonrpc":"2.0","method":"nosuch"},{"jsonrpc":"2.0","method":5}]',
    '[{"jsonrpc":"1.0","method":"getblockcount"}]',
    '[{"jsonrpc":"2.0","method":"getblockcount"},5]',
    '[5]',
    '[5,{"jsonrpc":"2.0","method":"getblockcount","id":"a"},"x",{"method":"getblockcount"},[]]',
    '[{"jsonrpc":"2.0","method":"getblockcount","id":7},5]',
    '[{"jsonrpc":"2.0","method":"getblockcount"},{"method":"getblockcount"}]',
    '[{"jsonrpc":"2.0","method":"getblockcount","id":3},{"jsonrpc":"2.0","method":5}]',
    '[{"jsonrpc":"2.0","method":5,"id":4}]',
    '[{"jsonrpc":"2.0","method":"nosuch","id":4},{"jsonrpc":"2.0","params":[],"id":9},'
    '{"jsonrpc":"2.0","method":"getblockcount"}]',
    '[{"jsonrpc":"2.0","id":2,"method":"getblockcount"},{"jsonrpc":"2.0","method":[]}]',
    '[{"jsonrpc":"2.0","method":"getblockcount","params":5}]',
    '[{"jsonrpc":"2.0","method":"getblockcount","params":5,"id":1}]',
    '[{"jsonrpc":2,"method":"getblockcount"}]',
    '[{"jsonrpc":"2.0","method":"getblockcount","id":5},{"jsonrpc":"9","method":"getblockcount"}]',
    # Numbers (issue 17).
    '{"method":"getblockcount","id":123456789012345678901234567890}',
    '{"method":"getblockcount","id":-123456789012345678901234567890}',
    '{"method":"getblockcount","id":1.10}',
    '{"method":"getblockcount","id":1e400}',
    '{"method":"getblockcount","id":-0}',
    '{"jsonrpc":"2.0","method":"getblockcount","id":-0}',
    '{"jsonrpc":"2.0","method":"getblockcount","id":1E+2}',
    '{"method":"getblockcount", "\\u0069d" : 2.50 }',
    '{"method":"getblockcount","id":[1,{"b":[2.0,-0]},"\\u0041"]}',
    '[{"method":"getblockcount","id":{"x":[1e400, 2]}},{"method":"getblockcount","id":[]},'
    '{"method":"getblockcount","id":{}}]',
    '{"method":"getblockhash","params":[99999999999999999999],"id":1}',
    '{"method":"getblockhash","params":[-99999999999999999999],"id":1}',
    '{"method":"getblockhash","params":[1e400],"id":1}',
    '{"method":"getblockhash","params":[4294967296],"id":1}',
    '{"method":"getblockhash","params":[2147483648],"id":1}',
    '{"method":"getblockhash","params":{"height":99999999999999999999},"id":1}',
    '{"jsonrpc":"2.0","method":"getblockhash","params":[99999999999999999999],"id":1}',
    '{"method":"gettxout","params":["0000000000000000000000000000000000000000000000000000000000000000",4294967296],"id":1}',
    '{"method":"gettxout","params":["0000000000000000000000000000000000000000000000000000000000000000",-1],"id":1}',
    '{"method":"waitforblockheight","params":[4294967296,1],"id":1}',
    '{"method":"getnetworkhashps","params":[4294967296],"id":1}',
    '{"method":"getnetworkhashps","params":[1,4294967296],"id":1}',
    '{"method":"generatetoaddress","params":[4294967296,"bcrt1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqc8gma6"],"id":1}',
    '{"method":"generatetoaddress","params":[1,"bcrt1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqc8gma6",4294967296],"id":1}',
    '{"method":"getchaintxstats","params":[4294967296],"id":1}',
    '{"method":"getnodeaddresses","params":[4294967296],"id":1}',
    '{"method":"getnodeaddresses","params":[-4294967296],"id":1}',
    '{"method":"getblockcount","params":[],"id":1,"x":99999999999999999999}',
    '[{"method":"getblockhash","params":[99999999999999999999],"id":1},'
    '{"method":"getblockcount","id":18446744073709551616}]',
    '{"method":"getblock\\u0000count","id":1}',
    '{"method":"getblockcount\\u0000","id":1}',
    '{"method":"getblockcount","id":"\\u0000"}',
    '{"method":"getblockcount","id":01}',
    '{"method":"getblockcount","params":[1-2],"id":1}',
    'nonsense',
    '5',
    # Duplicate keys (issue 15): the first member with a key counts, a
    # named parameter given twice is -8 after the method lookup.
    '{"method":"getblockcount","method":"nosuch","id":1,"id":2}',
    '{"method":"nosuch","method":"getblockcount","id":1}',
    '{"jsonrpc":"2.0","jsonrpc":"1.0","method":"getblockcount","id":1.10,"id":[2]}',
    '{"jsonrpc":"1.0","jsonrpc":"2.0","method":"getblockcount","id":[1.10],"id":3}',
    '{"method":"getblockhash","params":{"height":0,"height":1},"id":1}',
    '{"method":"getblockhash","params":{"height":0,"h\\u0065ight":0},"id":1}',
    '{"method":"getblockhash","params":{"nosuch":1,"height":0,"nosuch":1},"id":1}',
    '{"method":"getblockhash","params":{"height":0,"args":[1],"args":[2]},"id":1}',
    '{"method":"getblockheader","params":{"blockhash":"x","verbose":1.5,"blockhash":"y"},"id":1}',
    '{"method":"nosuch","params":{"height":0,"height":1},"id":1}',
    '{"method":"getblockhash","params":[0],"params":{"height":0,"height":1},"id":1}',
    '{"method":"getblockhash","params":{"height":0,"height":1},"params":[0],"id":1}',
    '{"method":"getblocktemplate","params":[{"rules":["segwit"],"mode":"x","mode":"template"}],"id":1}',
    '{"method":"getblocktemplate","params":[{"mode":"proposal","mode":"template","rules":["segwit"]}],"id":1}',
    '[{"method":"getblockcount","id":1,"id":2},'
    '{"method":"getblockhash","params":{"height":0,"height":0},"id":3}]',
    '{"method":"getblockcount","id":3,"id":}',
    '{"method":"getblockcount","id":3,"id":[1,}',
    # createrawtransaction and createpsbt read every member of the outputs
    # object: the repeat fails where Core's loop meets it.
    '{"method":"createrawtransaction","params":[[],{"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080":1,"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080":2,"bad":1}],"id":1}',
    '{"method":"createrawtransaction","params":[[],{"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080":1,"bad":2,"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080":2}],"id":1}',
    '{"method":"createrawtransaction","params":[[],{"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080":"x","bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080":2}],"id":1}',
    '{"method":"createrawtransaction","params":[[],{"data":"00","bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080":1,"data":"zz"}],"id":1}',
    '{"method":"createrawtransaction","params":{"outputs":{"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080":1,"bcrt1q6rhpng9evdsfnn833a4f4vej0asu6dk5srld6x":1,"bcrt1q6rhpng9evdsfnn833a4f4vej0asu6dk5srld6x":3},"inputs":[]},"id":1}',
    '{"method":"createpsbt","params":[[],{"data":"00","data":"00"}],"id":1}',
    '{"method":"createrawtransaction","params":[[],{"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080":1}],"params":[[],{"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080":1,"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080":1}],"id":1}',
]


class InteropJsonRpcTest(BitrootTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.node_impls = ["core", "bitrootd"]

    def setup_network(self):
        self.setup_nodes()

    def post(self, node, body, extra_headers=None):
        user, pw = node.read_cookie()
        conn = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=60)
        auth = base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()
        headers = {"Authorization": "Basic " + auth, "Content-Type": "application/json"}
        headers.update(extra_headers or {})
        try:
            conn.request("POST", "/", body, headers)
            resp = conn.getresponse()
            data = resp.read()
            has_type = resp.getheader("Content-Type") is not None
            return resp.status, has_type, data
        finally:
            conn.close()

    def run_test(self):
        core, br = self.nodes
        notifications = 0
        for body in CASES:
            a = self.post(core, body)
            b = self.post(br, body)
            self.log.debug("%s -> %r", body, a)
            if a != b:
                raise AssertionError("%s:\n  core:     %r\n  bitrootd: %r" % (body, a, b))
            if a[0] == 204:
                notifications += 1
                assert_equal(a[1:], (False, b""))
        self.log.info("%d bodies answered as Core (%d with HTTP 204)", len(CASES), notifications)
        assert notifications >= 5
        # Headers: both take libevent's 8 KB limit, with its 400 page.
        body = '{"method":"getblockcount","id":1}'
        for n in (7000, 9000):
            big = {"X-Big": "a" * n}
            a, b = self.post(core, body, big), self.post(br, body, big)
            assert_equal(a, b)
            assert_equal(a[0], 200 if n < 8000 else 400)


if __name__ == "__main__":
    InteropJsonRpcTest(__file__).main()
