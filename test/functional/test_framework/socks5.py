"""A SOCKS5 proxy for tests (RFC 1928, RFC 1929 username/password).

It listens on loopback, records every request it gets (the methods the
client offered, the credentials, the address type, host and port asked
for), and connects only where its route table says: (host, port) ->
(loopback ip, port) of a node the test started, so a "public" or ".onion"
address reaches a local node and nothing leaves the machine. A request
with no route gets "host unreachable"; fail_code makes every request fail
with that SOCKS5 reply code.
"""

import socket
import struct
import threading


class Socks5Server:
    def __init__(self, routes=None, *, allow_auth=True, fail_code=0):
        self.routes = dict(routes or {})
        self.allow_auth = allow_auth
        self.fail_code = fail_code
        self.requests = []
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.threads = []
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()

    @property
    def addr(self):
        return "127.0.0.1:%d" % self.port

    def stop(self):
        self.running = False
        try:
            self.sock.close()
        except OSError:
            pass

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()

    @staticmethod
    def _recv(conn, n):
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError("client closed")
            data += chunk
        return data

    def _serve(self, conn):
        rec = {}
        try:
            ver, nmethods = self._recv(conn, 2)
            assert ver == 5, "not SOCKS5"
            rec["methods"] = list(self._recv(conn, nmethods))
            if 2 in rec["methods"] and self.allow_auth:
                conn.sendall(b"\x05\x02")
                v, ulen = self._recv(conn, 2)
                assert v == 1
                rec["user"] = self._recv(conn, ulen).decode()
                (plen,) = self._recv(conn, 1)
                rec["password"] = self._recv(conn, plen).decode()
                conn.sendall(b"\x01\x00")
            elif 0 in rec["methods"]:
                conn.sendall(b"\x05\x00")
            else:
                conn.sendall(b"\x05\xff")
                return
            ver, cmd, _, atyp = self._recv(conn, 4)
            rec["cmd"], rec["atyp"] = cmd, atyp
            if atyp == 3:
                (n,) = self._recv(conn, 1)
                rec["host"] = self._recv(conn, n).decode()
            elif atyp == 1:
                rec["host"] = socket.inet_ntop(socket.AF_INET, self._recv(conn, 4))
            elif atyp == 4:
                rec["host"] = socket.inet_ntop(socket.AF_INET6, self._recv(conn, 16))
            (rec["port"],) = struct.unpack(">H", self._recv(conn, 2))
            with self.lock:
                self.requests.append(rec)
            dest = self.routes.get((rec["host"], rec["port"]))
            code = self.fail_code or (0 if dest else 4)
            if code:
                conn.sendall(bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0]))
                return
            up = socket.create_connection(dest, timeout=10)
            up.settimeout(None)
            # A bound address of the domain type, to exercise that reply form.
            conn.sendall(b"\x05\x00\x00\x03\x09localhost\x00\x00")
            t = threading.Thread(target=self._pipe, args=(up, conn), daemon=True)
            t.start()
            self._pipe(conn, up)
        except (OSError, ConnectionError, AssertionError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def requests_for(self, host):
        with self.lock:
            return [r for r in self.requests if r.get("host") == host]
