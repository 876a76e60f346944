"""A small pure-Python secp256k1 for signing test transactions.

Not constant time and not fast (a few milliseconds per operation): good for
tests, never for real keys. Provides ECDSA with RFC 6979 nonces and low-S,
BIP340 Schnorr signatures, and the x-only key tweaks of BIP341.
"""

import hashlib
import hmac

FIELD_P = 2**256 - 2**32 - 977
ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
GX = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
GY = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8
G = (GX, GY)
INFINITY = None


def tagged_hash(tag, data):
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + data).digest()


# --- Points: affine (x, y) tuples or None; Jacobian (X, Y, Z) inside -------

def _to_jac(pt):
    return (pt[0], pt[1], 1)


def _from_jac(j):
    if j is None:
        return None
    x, y, z = j
    zi = pow(z, -1, FIELD_P)
    zi2 = zi * zi % FIELD_P
    return (x * zi2 % FIELD_P, y * zi2 * zi % FIELD_P)


def _jac_double(j):
    if j is None:
        return None
    x, y, z = j
    if y == 0:
        return None
    yy = y * y % FIELD_P
    s = 4 * x * yy % FIELD_P
    m = 3 * x * x % FIELD_P
    x3 = (m * m - 2 * s) % FIELD_P
    y3 = (m * (s - x3) - 8 * yy * yy) % FIELD_P
    z3 = 2 * y * z % FIELD_P
    return (x3, y3, z3)


def _jac_add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    x1, y1, z1 = a
    x2, y2, z2 = b
    z1z1 = z1 * z1 % FIELD_P
    z2z2 = z2 * z2 % FIELD_P
    u1 = x1 * z2z2 % FIELD_P
    u2 = x2 * z1z1 % FIELD_P
    s1 = y1 * z2 * z2z2 % FIELD_P
    s2 = y2 * z1 * z1z1 % FIELD_P
    if u1 == u2:
        if s1 != s2:
            return None
        return _jac_double(a)
    h = (u2 - u1) % FIELD_P
    r = (s2 - s1) % FIELD_P
    hh = h * h % FIELD_P
    hhh = h * hh % FIELD_P
    v = u1 * hh % FIELD_P
    x3 = (r * r - hhh - 2 * v) % FIELD_P
    y3 = (r * (v - x3) - s1 * hhh) % FIELD_P
    z3 = h * z1 * z2 % FIELD_P
    return (x3, y3, z3)


def point_add(p, q):
    return _from_jac(_jac_add(None if p is None else _to_jac(p), None if q is None else _to_jac(q)))


def point_neg(p):
    return None if p is None else (p[0], (-p[1]) % FIELD_P)


def point_mul(p, k):
    """k * p for an affine point p."""
    k %= ORDER
    if p is None or k == 0:
        return None
    acc = None
    addend = _to_jac(p)
    while k:
        if k & 1:
            acc = _jac_add(acc, addend)
        addend = _jac_double(addend)
        k >>= 1
    return _from_jac(acc)


def is_on_curve(p):
    return p is None or (p[1] * p[1] - p[0] ** 3 - 7) % FIELD_P == 0


def lift_x(x):
    """The point with x coordinate x and an even y (BIP340), or None."""
    if not 0 <= x < FIELD_P:
        return None
    c = (pow(x, 3, FIELD_P) + 7) % FIELD_P
    y = pow(c, (FIELD_P + 1) // 4, FIELD_P)
    if y * y % FIELD_P != c:
        return None
    return (x, y if y % 2 == 0 else FIELD_P - y)


def has_even_y(p):
    return p[1] % 2 == 0


def bytes_from_int(x):
    return x.to_bytes(32, "big")


def int_from_bytes(b):
    return int.from_bytes(b, "big")


# --- Public keys ------------------------------------------------------------

def serialize_point(p, compressed=True):
    if compressed:
        return bytes([2 + (p[1] & 1)]) + bytes_from_int(p[0])
    return b"\x04" + bytes_from_int(p[0]) + bytes_from_int(p[1])


def parse_point(b):
    """A point from a 33- or 65-byte SEC encoding, or None if invalid."""
    if len(b) == 33 and b[0] in (2, 3):
        p = lift_x(int_from_bytes(b[1:]))
        if p is None:
            return None
        if (p[1] & 1) != (b[0] & 1):
            p = point_neg(p)
        return p
    if len(b) == 65 and b[0] == 4:
        p = (int_from_bytes(b[1:33]), int_from_bytes(b[33:]))
        if p[0] >= FIELD_P or p[1] >= FIELD_P or not is_on_curve(p):
            return None
        return p
    return None


class ECPubKey:
    def __init__(self, data=None):
        self.point = None
        self.compressed = True
        if data is not None:
            self.set(data)

    def set(self, data):
        self.point = parse_point(bytes(data))
        self.compressed = len(data) == 33
        return self.point is not None

    @property
    def is_valid(self):
        return self.point is not None

    def get_bytes(self):
        return serialize_point(self.point, self.compressed)

    def verify_ecdsa(self, sig_der, msg32, low_s=True):
        rs = der_decode(sig_der)
        if rs is None or self.point is None:
            return False
        r, s = rs
        if not (1 <= r < ORDER and 1 <= s < ORDER):
            return False
        if low_s and s > ORDER // 2:
            return False
        z = int_from_bytes(msg32) % ORDER
        w = pow(s, -1, ORDER)
        pt = point_add(point_mul(G, z * w % ORDER), point_mul(self.point, r * w % ORDER))
        return pt is not None and pt[0] % ORDER == r


# --- ECDSA ------------------------------------------------------------------

def rfc6979_nonce(secret, msg32, extra=b""):
    """RFC 6979 (HMAC-SHA256) deterministic nonce for secret over msg32."""
    x = bytes_from_int(secret)
    h = bytes_from_int(int_from_bytes(msg32) % ORDER)
    k = b"\x00" * 32
    v = b"\x01" * 32
    k = hmac.new(k, v + b"\x00" + x + h + extra, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    k = hmac.new(k, v + b"\x01" + x + h + extra, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    while True:
        v = hmac.new(k, v, hashlib.sha256).digest()
        cand = int_from_bytes(v)
        if 1 <= cand < ORDER:
            return cand
        k = hmac.new(k, v + b"\x00", hashlib.sha256).digest()
        v = hmac.new(k, v, hashlib.sha256).digest()


def _der_int(n):
    b = n.to_bytes((n.bit_length() + 7) // 8 or 1, "big")
    if b[0] & 0x80:
        b = b"\x00" + b
    return b"\x02" + bytes([len(b)]) + b


def der_encode(r, s):
    body = _der_int(r) + _der_int(s)
    return b"\x30" + bytes([len(body)]) + body


def der_decode(sig):
    """(r, s) from a strict DER signature, or None."""
    if len(sig) < 8 or len(sig) > 72 or sig[0] != 0x30 or sig[1] != len(sig) - 2:
        return None
    out = []
    pos = 2
    for _ in range(2):
        if pos + 2 > len(sig) or sig[pos] != 0x02:
            return None
        n = sig[pos + 1]
        pos += 2
        if n == 0 or pos + n > len(sig):
            return None
        val = sig[pos:pos + n]
        if val[0] & 0x80 or (n > 1 and val[0] == 0 and not val[1] & 0x80):
            return None
        out.append(int_from_bytes(val))
        pos += n
    if pos != len(sig):
        return None
    return tuple(out)


class ECKey:
    def __init__(self, secret=None, compressed=True):
        self.secret = None
        self.compressed = compressed
        if secret is not None:
            self.set(secret, compressed)

    def set(self, secret, compressed=True):
        if isinstance(secret, (bytes, bytearray)):
            secret = int_from_bytes(secret)
        if not 1 <= secret < ORDER:
            raise ValueError("secret key out of range")
        self.secret = secret
        self.compressed = compressed

    @classmethod
    def generate(cls, compressed=True, rng=None):
        import secrets
        while True:
            s = int_from_bytes(rng.randbytes(32)) if rng else secrets.randbelow(ORDER)
            if 1 <= s < ORDER:
                return cls(s, compressed)

    def get_bytes(self):
        return bytes_from_int(self.secret)

    def get_pubkey(self):
        return ECPubKey(serialize_point(point_mul(G, self.secret), self.compressed))

    def sign_ecdsa(self, msg32, low_s=True):
        z = int_from_bytes(msg32) % ORDER
        extra = b""
        counter = 0
        while True:
            k = rfc6979_nonce(self.secret, msg32, extra)
            r_pt = point_mul(G, k)
            r = r_pt[0] % ORDER
            s = pow(k, -1, ORDER) * (z + r * self.secret) % ORDER
            if r != 0 and s != 0:
                break
            counter += 1
            extra = counter.to_bytes(32, "little")
        if low_s and s > ORDER // 2:
            s = ORDER - s
        return der_encode(r, s)


# --- BIP340 Schnorr and BIP341 tweaks ---------------------------------------

def compute_xonly_pubkey(secret32):
    """(x-only public key, negated?) for a 32-byte secret."""
    d = int_from_bytes(secret32)
    if not 1 <= d < ORDER:
        raise ValueError("secret key out of range")
    p = point_mul(G, d)
    return bytes_from_int(p[0]), not has_even_y(p)


def sign_schnorr(secret32, msg, aux=None):
    """A BIP340 signature of msg (any length) with 32 bytes of aux randomness."""
    if aux is None:
        aux = b"\x00" * 32
    if len(aux) != 32:
        raise ValueError("aux randomness must be 32 bytes")
    d0 = int_from_bytes(secret32)
    if not 1 <= d0 < ORDER:
        raise ValueError("secret key out of range")
    p = point_mul(G, d0)
    d = d0 if has_even_y(p) else ORDER - d0
    t = bytes(a ^ b for a, b in zip(bytes_from_int(d), tagged_hash("BIP0340/aux", aux)))
    k0 = int_from_bytes(tagged_hash("BIP0340/nonce", t + bytes_from_int(p[0]) + msg)) % ORDER
    if k0 == 0:
        raise RuntimeError("nonce is zero")
    r = point_mul(G, k0)
    k = k0 if has_even_y(r) else ORDER - k0
    e = int_from_bytes(tagged_hash("BIP0340/challenge", bytes_from_int(r[0]) + bytes_from_int(p[0]) + msg)) % ORDER
    sig = bytes_from_int(r[0]) + bytes_from_int((k + e * d) % ORDER)
    if not verify_schnorr(bytes_from_int(p[0]), sig, msg):
        raise RuntimeError("produced an invalid signature")
    return sig


def verify_schnorr(xonly32, sig, msg):
    if len(xonly32) != 32 or len(sig) != 64:
        return False
    p = lift_x(int_from_bytes(xonly32))
    if p is None:
        return False
    r = int_from_bytes(sig[:32])
    s = int_from_bytes(sig[32:])
    if r >= FIELD_P or s >= ORDER:
        return False
    e = int_from_bytes(tagged_hash("BIP0340/challenge", sig[:32] + xonly32 + msg)) % ORDER
    rr = point_add(point_mul(G, s), point_neg(point_mul(p, e)))
    return rr is not None and has_even_y(rr) and rr[0] == r


def tweak_add_pubkey(xonly32, tweak32):
    """(tweaked x-only key, odd y?) of lift_x(key) + tweak*G, or None if invalid."""
    p = lift_x(int_from_bytes(xonly32))
    t = int_from_bytes(tweak32)
    if p is None or t >= ORDER:
        return None
    q = point_add(p, point_mul(G, t))
    if q is None:
        return None
    return bytes_from_int(q[0]), not has_even_y(q)


def tweak_add_privkey(secret32, tweak32):
    """The secret whose x-only key is tweak_add_pubkey(xonly(secret), tweak)."""
    d = int_from_bytes(secret32)
    t = int_from_bytes(tweak32)
    if not 1 <= d < ORDER or t >= ORDER:
        return None
    if not has_even_y(point_mul(G, d)):
        d = ORDER - d
    out = (d + t) % ORDER
    return None if out == 0 else bytes_from_int(out)
