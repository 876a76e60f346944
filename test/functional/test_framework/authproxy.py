"""A JSON-RPC client for bitrootd (and bitcoind) over HTTP/1.1 keep-alive.

    proxy = AuthServiceProxy("http://user:pass@127.0.0.1:18443")
    proxy.getblockcount()
    proxy.getblock(blockhash=h, verbosity=0)      # named parameters
    proxy.generatetoaddress(1, addr, maxtries=10) # positional then named

Amounts come back as decimal.Decimal, and Decimal arguments are sent as JSON
numbers with their exact digits. A reply carrying an error raises
JSONRPCException with the error's code and message.
"""

import base64
import decimal
import http.client
import itertools
import json
import logging
import socket
import time
import urllib.parse

HTTP_TIMEOUT = 60
log = logging.getLogger("BitrootRPC")


class JSONRPCException(Exception):
    def __init__(self, rpc_error, http_status=None):
        try:
            errmsg = "%(message)s (%(code)i)" % rpc_error
        except (KeyError, TypeError):
            errmsg = ""
        super().__init__(errmsg)
        self.error = rpc_error
        self.http_status = http_status


def _encode(obj):
    """json.dumps, except that Decimal becomes a JSON number with its digits."""
    if isinstance(obj, decimal.Decimal):
        if not obj.is_finite():
            raise TypeError("cannot send a non-finite Decimal: %s" % obj)
        return format(obj, "f")
    if isinstance(obj, dict):
        return "{" + ",".join(json.dumps(str(k)) + ":" + _encode(v) for k, v in obj.items()) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(_encode(v) for v in obj) + "]"
    if isinstance(obj, bytes):
        raise TypeError("cannot send bytes over JSON-RPC; use .hex()")
    return json.dumps(obj)


class AuthServiceProxy:
    """One HTTP connection to the server, reused across calls.

    jsonrpc_version: "2.0" (default) sends JSON-RPC 2.0 requests; "1.0" sends
    legacy ones (no "jsonrpc" member).
    """

    def __init__(self, url, service_name=None, timeout=HTTP_TIMEOUT, connection=None,
                 jsonrpc_version="2.0", logger=None, _ids=None):
        self._url = url
        self._service_name = service_name
        self._timeout = timeout
        self._jsonrpc_version = jsonrpc_version
        self._logger = logger
        self._ids = _ids if _ids is not None else itertools.count(1)
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme != "http":
            raise ValueError("only http:// URLs are supported: %r" % url)
        self._host = parsed.hostname
        self._port = parsed.port or 80
        self._path = parsed.path or "/"
        user = urllib.parse.unquote(parsed.username or "")
        passwd = urllib.parse.unquote(parsed.password or "")
        self._auth_header = None
        if parsed.username is not None:
            token = base64.b64encode(("%s:%s" % (user, passwd)).encode("utf8")).decode("ascii")
            self._auth_header = "Basic " + token
        self._conn = connection

    # proxy.getblock -> a proxy whose call runs "getblock"
    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        if self._service_name is not None:
            name = "%s.%s" % (self._service_name, name)
        return AuthServiceProxy(self._url, name, self._timeout, self._connection(),
                                self._jsonrpc_version, self._logger, self._ids)

    @property
    def url(self):
        return self._url

    def _connection(self):
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        return self._conn

    def close(self):
        if self._conn is not None:
            self._conn.close()

    def request_object(self, *args, **kwargs):
        if args and kwargs:
            # Core's "args" member lets both be mixed: positional first.
            params = dict(kwargs)
            params["args"] = list(args)
        else:
            params = dict(kwargs) if kwargs else list(args)
        req = {"method": self._service_name, "params": params, "id": next(self._ids)}
        if self._jsonrpc_version == "2.0":
            req["jsonrpc"] = "2.0"
        return req

    def __call__(self, *args, **kwargs):
        req = self.request_object(*args, **kwargs)
        if self._logger:
            self._logger.debug("-%s-> %s %s", req["id"], self._service_name,
                               _encode(req["params"]))
        status, headers, body = self.raw_request(_encode(req).encode("utf8"))
        reply = self._parse(status, headers, body)
        if isinstance(reply, list):
            raise JSONRPCException({"code": -344, "message": "batch reply to a single request"}, status)
        if self._logger:
            self._logger.debug("<-%s- %s", req["id"], body[:1000].decode("utf8", "replace"))
        error = reply.get("error")
        if error is not None:
            raise JSONRPCException(error, status)
        if "result" not in reply:
            raise JSONRPCException({"code": -343, "message": "missing JSON-RPC result"}, status)
        return reply["result"]

    def batch(self, requests):
        """Sends a list of request objects (see request_object) as one batch."""
        status, headers, body = self.raw_request(_encode(list(requests)).encode("utf8"))
        reply = self._parse(status, headers, body)
        if not isinstance(reply, list):
            raise JSONRPCException(reply.get("error") or {"code": -344, "message": "not a batch reply"},
                                   status)
        return reply

    def raw_request(self, body, *, headers=None, method="POST"):
        """POSTs body; returns (status, headers dict, body bytes).

        A keep-alive connection the server has closed is reopened once.
        """
        hdrs = {"Host": self._host, "User-Agent": "bitroot-functional-test",
                "Content-type": "application/json"}
        if self._auth_header:
            hdrs["Authorization"] = self._auth_header
        if headers:
            hdrs.update(headers)
        for attempt in (0, 1):
            conn = self._connection()
            try:
                conn.request(method, self._path, body, hdrs)
                resp = conn.getresponse()
                data = resp.read()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected,
                    http.client.CannotSendRequest, http.client.BadStatusLine) as e:
                conn.close()
                self._conn = None
                # Only a connection that was reused may have been closed by
                # the server in between; a fresh one failing is a real error.
                if attempt == 1:
                    raise
                log.debug("reopening RPC connection after %s", type(e).__name__)
            except socket.timeout:
                conn.close()
                self._conn = None
                raise JSONRPCException({"code": -344, "message": "%r RPC took longer than %f seconds" %
                                        (self._service_name, self._timeout)})
        raise AssertionError("unreachable")

    @staticmethod
    def _parse(status, headers, body):
        ctype = headers.get("content-type", "")
        if ctype != "application/json":
            raise JSONRPCException({
                "code": -342,
                "message": "non-JSON HTTP response with '%d' from server: %r" % (status, body[:200])},
                status)
        try:
            return json.loads(body.decode("utf8"), parse_float=decimal.Decimal)
        except ValueError as e:
            raise JSONRPCException({"code": -342, "message": "bad JSON from server: %s" % e}, status)


def wait_for_port(host, port, timeout):
    """Waits until something accepts TCP connections on host:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False
