/*
 * Signature and public key checks: the encoding rules the flags switch on
 * (BIP66 strict DER, low S, defined hash types, key formats), the lax DER
 * reader that consensus has always used for ECDSA, and verification through
 * libsecp256k1 and the signature cache.
 *
 * libsecp256k1's static context is enough for parsing and verification
 * (since 0.2.0 the verification tables are built in), so there is no
 * context to create or share between threads.
 */
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "crypto/hash.h"
#include "script/interpreter.h"
#include "script/opcodes.h"
#include "script/script.h"
#include "script/sigcache.h"

/*
 * BIP66: 0x30 len 0x02 rlen R 0x02 slen S hashtype, with R and S minimal,
 * positive big-endian integers. sig includes the hash type byte.
 */
static int
is_strict_der(const uint8_t *sig, size_t len)
{
	size_t rlen, slen;

	if (len < 9 || len > 73)
		return 0;
	if (sig[0] != 0x30 || sig[1] != len - 3)
		return 0;
	rlen = sig[3];
	if (5 + rlen >= len)
		return 0;
	slen = sig[5 + rlen];
	if (rlen + slen + 7 != len)
		return 0;
	if (sig[2] != 0x02 || rlen == 0 || (sig[4] & 0x80))
		return 0;
	/* No leading zero unless the next byte would read as negative. */
	if (rlen > 1 && sig[4] == 0x00 && !(sig[5] & 0x80))
		return 0;
	if (sig[rlen + 4] != 0x02 || slen == 0 || (sig[rlen + 6] & 0x80))
		return 0;
	if (slen > 1 && sig[rlen + 6] == 0x00 && !(sig[rlen + 7] & 0x80))
		return 0;
	return 1;
}

/*
 * Reads a DER length at *pos for an INTEGER: short form, or long form
 * whose leading zero bytes are skipped and which must then fit in fewer
 * than four bytes. Returns 0 on failure.
 */
static int
lax_int_len(const uint8_t *in, size_t len, size_t *pos, size_t *out)
{
	size_t n, v = 0;

	if (*pos == len)
		return 0;
	n = in[(*pos)++];
	if (!(n & 0x80)) {
		*out = n;
		return 1;
	}
	n -= 0x80;
	if (n > len - *pos)
		return 0;
	while (n > 0 && in[*pos] == 0) {
		(*pos)++;
		n--;
	}
	if (n >= 4)
		return 0;
	while (n > 0) {
		v = (v << 8) | in[(*pos)++];
		n--;
	}
	*out = v;
	return 1;
}

/* Copies a big-endian integer right-aligned into 32 bytes; 0 if too big. */
static int
lax_copy_int(const uint8_t *p, size_t n, uint8_t out[32])
{
	while (n > 0 && *p == 0) {
		p++;
		n--;
	}
	if (n > 32)
		return 0;
	memcpy(out + 32 - n, p, n);
	return 1;
}

/*
 * The DER reader consensus has always accepted: what OpenSSL took before
 * BIP66. The sequence length is ignored (its long form merely skipped),
 * integer lengths may be long-form with leading zeros, integers may have
 * leading zeros, and bytes after S are ignored. Returns 0 only if the
 * structure cannot be read; an R or S that does not fit or is not below
 * the group order yields a signature (r = s = 0) that never verifies.
 */
static int
ecdsa_parse_der_lax(secp256k1_ecdsa_signature *sig, const uint8_t *in,
    size_t len)
{
	uint8_t compact[64];
	size_t pos = 0, n, rpos, rlen, spos, slen;
	int ok;

	memset(compact, 0, sizeof(compact));
	if (pos == len || in[pos] != 0x30)
		return 0;
	pos++;
	if (pos == len)
		return 0;
	n = in[pos++];
	if (n & 0x80) {
		n -= 0x80;
		if (n > len - pos)
			return 0;
		pos += n;
	}
	if (pos == len || in[pos] != 0x02)
		return 0;
	pos++;
	if (!lax_int_len(in, len, &pos, &rlen) || rlen > len - pos)
		return 0;
	rpos = pos;
	pos += rlen;
	if (pos == len || in[pos] != 0x02)
		return 0;
	pos++;
	if (!lax_int_len(in, len, &pos, &slen) || slen > len - pos)
		return 0;
	spos = pos;

	ok = lax_copy_int(in + rpos, rlen, compact) &&
	    lax_copy_int(in + spos, slen, compact + 32) &&
	    secp256k1_ecdsa_signature_parse_compact(secp256k1_context_static,
		sig, compact);
	if (!ok) {
		memset(compact, 0, sizeof(compact));
		(void)secp256k1_ecdsa_signature_parse_compact(
		    secp256k1_context_static, sig, compact);
	}
	return 1;
}

/* Core's IsLowDERSignature on a strict-DER signature (with hash type). */
static int
is_low_s(const uint8_t *sig, size_t len)
{
	secp256k1_ecdsa_signature s;

	if (!ecdsa_parse_der_lax(&s, sig, len - 1))
		return 0;
	return !secp256k1_ecdsa_signature_normalize(secp256k1_context_static,
	    NULL, &s);
}

int
sig_check_encoding(const uint8_t *sig, size_t len, uint32_t flags, int *err)
{
	int base;

	/* The empty signature is the compact way to fail a CHECKSIG. */
	if (len == 0)
		return 1;
	if ((flags &
		(SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_LOW_S |
		    SCRIPT_VERIFY_STRICTENC)) &&
	    !is_strict_der(sig, len)) {
		*err = SCRIPT_ERR_SIG_DER;
		return 0;
	}
	if ((flags & SCRIPT_VERIFY_LOW_S) && !is_low_s(sig, len)) {
		*err = SCRIPT_ERR_SIG_HIGH_S;
		return 0;
	}
	if (flags & SCRIPT_VERIFY_STRICTENC) {
		base = sig[len - 1] & ~SIGHASH_ANYONECANPAY;
		if (base < SIGHASH_ALL || base > SIGHASH_SINGLE) {
			*err = SCRIPT_ERR_SIG_HASHTYPE;
			return 0;
		}
	}
	return 1;
}

static int
is_compressed_or_uncompressed(const uint8_t *pk, size_t len)
{
	if (len < 33)
		return 0;
	if (pk[0] == 0x04)
		return len == 65;
	if (pk[0] == 0x02 || pk[0] == 0x03)
		return len == 33;
	return 0;
}

int
sig_check_pubkey_encoding(const uint8_t *pk, size_t len, uint32_t flags,
    enum sigversion sv, int *err)
{
	if ((flags & SCRIPT_VERIFY_STRICTENC) &&
	    !is_compressed_or_uncompressed(pk, len)) {
		*err = SCRIPT_ERR_PUBKEYTYPE;
		return 0;
	}
	if ((flags & SCRIPT_VERIFY_WITNESS_PUBKEYTYPE) &&
	    sv == SIGVERSION_WITNESS_V0 &&
	    !(len == 33 && (pk[0] == 0x02 || pk[0] == 0x03))) {
		*err = SCRIPT_ERR_WITNESS_PUBKEYTYPE;
		return 0;
	}
	return 1;
}

/* Core's CPubKey size rule: the first byte fixes the length. */
static int
pubkey_len_ok(const uint8_t *pk, size_t len)
{
	if (len == 0)
		return 0;
	switch (pk[0]) {
	case 0x02:
	case 0x03: return len == 33;
	case 0x04:
	case 0x06:
	case 0x07: return len == 65;
	default: return 0;
	}
}

static int
ecdsa_verify(const uint8_t *der, size_t derlen, const uint8_t *pk,
    size_t pklen, const uint8_t hash[32], struct sigcache *cache, int store)
{
	secp256k1_pubkey pub;
	secp256k1_ecdsa_signature sig;
	uint8_t key[32];

	if (cache != NULL) {
		sigcache_key_ecdsa(cache, hash, pk, pklen, der, derlen, key);
		if (sigcache_lookup(cache, key, !store))
			return 1;
	}
	if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &pub, pk,
		pklen))
		return 0;
	if (!ecdsa_parse_der_lax(&sig, der, derlen))
		return 0;
	/* libsecp256k1 verifies only low-S; consensus never required it. */
	secp256k1_ecdsa_signature_normalize(secp256k1_context_static, &sig,
	    &sig);
	if (!secp256k1_ecdsa_verify(secp256k1_context_static, &sig, hash,
		&pub))
		return 0;
	if (cache != NULL && store)
		sigcache_insert(cache, key);
	return 1;
}

int
sig_check_ecdsa(struct exec_ctx *cx, const uint8_t *sig, size_t siglen,
    const uint8_t *pk, size_t pklen, const uint8_t *code, size_t code_len,
    enum sigversion sv)
{
	uint8_t hash[32];
	int32_t hash_type;

	if (!pubkey_len_ok(pk, pklen) || siglen == 0)
		return 0;
	hash_type = sig[siglen - 1];
	if (sv == SIGVERSION_WITNESS_V0)
		script_sighash_v0(cx->tx, cx->nin, code, code_len, cx->amount,
		    hash_type, cx->td, hash);
	else
		script_sighash_legacy(cx->tx, cx->nin, code, code_len,
		    hash_type, hash);
	if (!ecdsa_verify(sig, siglen - 1, pk, pklen, hash, cx->cache,
		cx->cache_store))
		return 0;
	if (cx->sig_seen != NULL)
		cx->sig_seen(cx->sig_seen_arg, sig, siglen, pk, pklen);
	return 1;
}

int
sig_verify_schnorr(const uint8_t sig[64], const uint8_t pk[32],
    const uint8_t hash[32], struct sigcache *cache, int store)
{
	secp256k1_xonly_pubkey pub;
	uint8_t key[32];

	if (cache != NULL) {
		sigcache_key_schnorr(cache, hash, pk, sig, key);
		if (sigcache_lookup(cache, key, !store))
			return 1;
	}
	if (!secp256k1_xonly_pubkey_parse(secp256k1_context_static, &pub, pk))
		return 0;
	if (!secp256k1_schnorrsig_verify(secp256k1_context_static, sig, hash,
		32, &pub))
		return 0;
	if (cache != NULL && store)
		sigcache_insert(cache, key);
	return 1;
}

int
sig_check_schnorr(struct exec_ctx *cx, const uint8_t *sig, size_t siglen,
    const uint8_t pk[32], enum sigversion sv, int *err)
{
	uint8_t hash[32], hash_type = SIGHASH_DEFAULT;

	if (siglen != 64 && siglen != 65) {
		*err = SCRIPT_ERR_SCHNORR_SIG_SIZE;
		return 0;
	}
	if (siglen == 65) {
		hash_type = sig[64];
		/* The default type is only ever implied, never spelled. */
		if (hash_type == SIGHASH_DEFAULT) {
			*err = SCRIPT_ERR_SCHNORR_SIG_HASHTYPE;
			return 0;
		}
	}
	if (script_sighash_taproot(cx->td, cx->nin, hash_type,
		cx->annex_present ? cx->annex_hash : NULL,
		sv == SIGVERSION_TAPSCRIPT ? cx->tapleaf_hash : NULL,
		cx->codesep_pos, hash) != 0) {
		*err = SCRIPT_ERR_SCHNORR_SIG_HASHTYPE;
		return 0;
	}
	if (!sig_verify_schnorr(sig, pk, hash, cx->cache, cx->cache_store)) {
		*err = SCRIPT_ERR_SCHNORR_SIG;
		return 0;
	}
	return 1;
}

int
script_taproot_output_key(const uint8_t internal[32],
    const uint8_t merkle_root[32], uint8_t out[32], int *parity)
{
	secp256k1_xonly_pubkey p, q;
	secp256k1_pubkey full;
	struct sha256_ctx c;
	uint8_t tweak[32];
	int par;

	if (!secp256k1_xonly_pubkey_parse(secp256k1_context_static, &p,
		internal))
		return -1;
	tagged_hash_init(&c, "TapTweak");
	sha256_update(&c, internal, 32);
	if (merkle_root != NULL)
		sha256_update(&c, merkle_root, 32);
	sha256_final(&c, tweak);
	if (!secp256k1_xonly_pubkey_tweak_add(secp256k1_context_static, &full,
		&p, tweak))
		return -1;
	if (!secp256k1_xonly_pubkey_from_pubkey(secp256k1_context_static, &q,
		&par, &full))
		return -1;
	if (!secp256k1_xonly_pubkey_serialize(secp256k1_context_static, out,
		&q))
		return -1;
	if (parity != NULL)
		*parity = par;
	return 0;
}

int
script_taproot_commitment_check(const uint8_t *control, size_t len,
    const uint8_t program[32], const uint8_t leaf_hash[32])
{
	secp256k1_xonly_pubkey p;
	struct sha256_ctx c;
	uint8_t k[32], tweak[32];
	size_t i, m;

	if (len < TAPROOT_CONTROL_BASE_SIZE ||
	    (len - TAPROOT_CONTROL_BASE_SIZE) % TAPROOT_CONTROL_NODE_SIZE != 0)
		return 0;
	m = (len - TAPROOT_CONTROL_BASE_SIZE) / TAPROOT_CONTROL_NODE_SIZE;
	if (m > TAPROOT_CONTROL_MAX_NODE_COUNT)
		return 0;
	if (!secp256k1_xonly_pubkey_parse(secp256k1_context_static, &p,
		control + 1))
		return 0;
	memcpy(k, leaf_hash, 32);
	for (i = 0; i < m; i++)
		script_tapbranch_hash(k,
		    control + TAPROOT_CONTROL_BASE_SIZE +
			i * TAPROOT_CONTROL_NODE_SIZE,
		    k);
	tagged_hash_init(&c, "TapTweak");
	sha256_update(&c, control + 1, 32);
	sha256_update(&c, k, 32);
	sha256_final(&c, tweak);
	return secp256k1_xonly_pubkey_tweak_add_check(secp256k1_context_static,
	    program, control[0] & 1, &p, tweak);
}
