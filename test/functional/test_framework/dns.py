"""A DNS responder for tests (RFC 1035 over UDP, stdlib only).

It listens on loopback and answers A and AAAA questions for the names it
is given (name -> list of IPv4 and IPv6 address strings), so that a node
pointed at it (-dnsseednameserver=127.0.0.1:PORT) finds "DNS seeds"
without any traffic leaving the machine. A name it does not know gets
NXDOMAIN; a known name with no address of the asked type an empty answer.
It counts the questions by (name, type) so tests can check who asked.
"""

import ipaddress
import socket
import struct
import threading

QTYPE_A = 1
QTYPE_AAAA = 28
CLASS_IN = 1


class DNSResponder:
    def __init__(self, names=None):
        self.names = {}
        for name, addrs in (names or {}).items():
            self.set(name, addrs)
        self.queries = {}
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def addr(self):
        return "127.0.0.1:%d" % self.port

    @staticmethod
    def _key(name):
        return name.lower().rstrip(".")

    def set(self, name, addrs):
        """Answers name with addrs (replacing what it answered before)."""
        with getattr(self, "lock", threading.Lock()):
            self.names[self._key(name)] = [ipaddress.ip_address(a) for a in addrs]

    def count(self, name, qtype=None):
        """Questions asked for name (of qtype: QTYPE_A or QTYPE_AAAA, or any)."""
        k = self._key(name)
        with self.lock:
            return sum(v for (n, t), v in self.queries.items() if n == k and (qtype is None or t == qtype))

    def total(self):
        with self.lock:
            return sum(self.queries.values())

    def stop(self):
        self.running = False
        self.sock.close()

    @staticmethod
    def _read_name(msg, off):
        labels = []
        while True:
            ln = msg[off]
            if ln == 0:
                return ".".join(labels), off + 1
            if ln & 0xC0:
                raise ValueError("compression in a question")
            labels.append(msg[off + 1:off + 1 + ln].decode("ascii"))
            off += 1 + ln

    def _answer(self, msg):
        qid, flags, qdcount = struct.unpack(">HHH", msg[:6])
        if qdcount != 1 or flags & 0x8000:
            return None
        name, off = self._read_name(msg, 12)
        qtype, qclass = struct.unpack(">HH", msg[off:off + 4])
        question = msg[12:off + 4]
        k = self._key(name)
        with self.lock:
            self.queries[(k, qtype)] = self.queries.get((k, qtype), 0) + 1
            addrs = self.names.get(k)
        answers = []
        if addrs is not None and qclass == CLASS_IN:
            for a in addrs:
                if qtype == QTYPE_A and a.version == 4:
                    answers.append((QTYPE_A, a.packed))
                elif qtype == QTYPE_AAAA and a.version == 6:
                    answers.append((QTYPE_AAAA, a.packed))
        rcode = 3 if addrs is None else 0
        # Response, authoritative, recursion desired copied, available.
        rflags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode
        out = struct.pack(">HHHHHH", qid, rflags, 1, len(answers), 0, 0) + question
        for t, data in answers:
            # The name as a pointer to the question (offset 12), TTL 60.
            out += struct.pack(">HHHIH", 0xC00C, t, CLASS_IN, 60, len(data)) + data
        return out

    def _serve(self):
        while self.running:
            try:
                msg, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            try:
                out = self._answer(msg)
            except (ValueError, IndexError, struct.error, UnicodeDecodeError):
                out = None
            if out is not None:
                try:
                    self.sock.sendto(out, peer)
                except OSError:
                    pass
