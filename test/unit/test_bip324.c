/*
 * BIP324's cryptography: RFC 8439 ChaCha20 and AEAD vectors, RFC 5869 HKDF,
 * and every vector of the BIP (the CSV files in ../shared/bips/bip-0324):
 * ElligatorSwift decoding, XSwiftECInv, and packet encoding with key
 * derivation, rekeying and decryption (with Core's error cases).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bip324.h"
#include "crypto/chacha20.h"
#include "crypto/chacha20poly1305.h"
#include "crypto/ellswift.h"
#include "crypto/hash.h"
#include "crypto/hkdf.h"
#include "unit.h"
#include "util/hex.h"
#include "util/xmalloc.h"

static const uint8_t mainnet_magic[4] = { 0xf9, 0xbe, 0xb4, 0xd9 };

static const char sunscreen[] =
    "Ladies and Gentlemen of the class of '99: "
    "If I could offer you only one tip for the future, sunscreen would be "
    "it.";

static const char *
hx(const uint8_t *p, size_t n)
{
	static char s[4][1025];
	static int i;
	char *o = s[i++ & 3];

	if (n > 512)
		n = 512;
	hex_encode(p, n, o);
	return o;
}

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	int n = hex_decode(s, out, cap);

	if (n < 0) {
		fprintf(stderr, "bad hex %.40s\n", s);
		exit(2);
	}
	return (size_t)n;
}

static void
test_chacha20_rfc8439(void)
{
	uint8_t key[32], nonce[12], out[64], ct[sizeof(sunscreen) - 1];
	struct chacha20 c;
	size_t i;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	/* 2.3.2: the block function. */
	unhex("000000090000004a00000000", nonce, sizeof(nonce));
	chacha20_block(key, nonce, 1, out);
	CHECK_EQ_STR(hx(out, 64),
	    "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068"
	    "030422aa9ac3d46c4ed2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cb"
	    "d083e8a2503c4e");
	/* 2.4.2: encryption from block 1, fed in uneven pieces. */
	unhex("000000000000004a00000000", nonce, sizeof(nonce));
	chacha20_init(&c, key);
	chacha20_seek(&c, nonce, 1);
	chacha20_crypt(&c, (const uint8_t *)sunscreen, ct, 7);
	chacha20_crypt(&c, (const uint8_t *)sunscreen + 7, ct + 7, 64);
	chacha20_crypt(&c, (const uint8_t *)sunscreen + 71, ct + 71,
	    sizeof(ct) - 71);
	CHECK_EQ_STR(hx(ct, sizeof(ct)),
	    "6e2e359a2568f98041ba0728dd0d6981e97e7a"
	    "ec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b3571639d624e6"
	    "5152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf8"
	    "06818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d");
	/* Decryption is the same operation. */
	chacha20_seek(&c, nonce, 1);
	chacha20_crypt(&c, ct, ct, sizeof(ct));
	CHECK(memcmp(ct, sunscreen, sizeof(ct)) == 0);
	/* Keystream equals encrypting zeros; block 0 of the all-zero key. */
	memset(key, 0, sizeof(key));
	memset(nonce, 0, sizeof(nonce));
	chacha20_init(&c, key);
	chacha20_keystream(&c, out, 64);
	CHECK_EQ_STR(hx(out, 64),
	    "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08de"
	    "d1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc"
	    "387b669b2ee6586");
	chacha20_wipe(&c);
}

static void
test_aead_rfc8439(void)
{
	uint8_t key[32], nonce[12], aad[12], ct[sizeof(sunscreen) - 1 + 16];
	uint8_t pt[sizeof(sunscreen) - 1];
	struct chacha20poly1305 a;
	size_t n = sizeof(sunscreen) - 1, i;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x80 + i);
	unhex("070000004041424344454647", nonce, sizeof(nonce));
	unhex("50515253c0c1c2c3c4c5c6c7", aad, sizeof(aad));
	chacha20poly1305_init(&a, key);
	/* 2.8.2, the plaintext split in two parts as BIP324 does. */
	chacha20poly1305_encrypt(&a, nonce, aad, sizeof(aad),
	    (const uint8_t *)sunscreen, 1, (const uint8_t *)sunscreen + 1,
	    n - 1, ct);
	CHECK_EQ_STR(hx(ct, n),
	    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08f"
	    "ea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d"
	    "6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808"
	    "b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116");
	CHECK_EQ_STR(hx(ct + n, 16), "1ae10b594f09e26a7e902ecbd0600691");
	CHECK_EQ_INT(chacha20poly1305_decrypt(&a, nonce, aad, sizeof(aad), ct,
			 pt, 10, pt + 10, n - 10),
	    0);
	CHECK(memcmp(pt, sunscreen, n) == 0);
	/* Any flipped bit, in the ciphertext, tag or aad, fails. */
	ct[5] ^= 1;
	CHECK_EQ_INT(chacha20poly1305_decrypt(&a, nonce, aad, sizeof(aad), ct,
			 pt, 0, pt, n),
	    -1);
	ct[5] ^= 1;
	ct[n + 15] ^= 0x80;
	CHECK_EQ_INT(chacha20poly1305_decrypt(&a, nonce, aad, sizeof(aad), ct,
			 pt, 0, pt, n),
	    -1);
	ct[n + 15] ^= 0x80;
	aad[0] ^= 1;
	CHECK_EQ_INT(chacha20poly1305_decrypt(&a, nonce, aad, sizeof(aad), ct,
			 pt, 0, pt, n),
	    -1);
	aad[0] ^= 1;
	CHECK_EQ_INT(chacha20poly1305_decrypt(&a, nonce, aad, sizeof(aad), ct,
			 pt, 0, pt, n),
	    0);
	chacha20poly1305_free(&a);
}

/* RFC 8439 A.5: decryption of the Internet-Draft text's opening. */
static void
test_aead_rfc8439_a5(void)
{
	uint8_t key[32], nonce[12], aad[12], ct[265 + 16], pt[265];
	struct chacha20poly1305 a;
	size_t n;

	unhex(
	    "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0",
	    key, sizeof(key));
	unhex("000000000102030405060708", nonce, sizeof(nonce));
	unhex("f33388860000000000004e91", aad, sizeof(aad));
	n = unhex(
	    "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
	    "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
	    "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
	    "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
	    "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
	    "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
	    "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
	    "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
	    "a6ad5cb4022b02709b",
	    ct, sizeof(ct));
	n += unhex("eead9d67890cbb22392336fea1851f38", ct + n, sizeof(ct) - n);
	n -= 16;
	CHECK_EQ_INT(n, 265);
	chacha20poly1305_init(&a, key);
	CHECK_EQ_INT(chacha20poly1305_decrypt(&a, nonce, aad, sizeof(aad), ct,
			 pt, 0, pt, n),
	    0);
	CHECK(memcmp(pt,
		  "Internet-Drafts are draft documents valid for a maximum "
		  "of six months",
		  69) == 0);
	CHECK(memcmp(pt + n - 21, "work in progress./\xe2\x80\x9d", 21) == 0);
	chacha20poly1305_free(&a);
}

static void
test_hkdf_rfc5869(void)
{
	uint8_t ikm[22], salt[13], info[10], prk[32], okm[42];
	size_t i;

	memset(ikm, 0x0b, sizeof(ikm));
	for (i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)i;
	for (i = 0; i < sizeof(info); i++)
		info[i] = (uint8_t)(0xf0 + i);
	hkdf_sha256_extract(salt, sizeof(salt), ikm, sizeof(ikm), prk);
	CHECK_EQ_STR(hx(prk, 32),
	    "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c"
	    "3122ec844ad7c2b3e5");
	hkdf_sha256_expand(prk, info, sizeof(info), okm, sizeof(okm));
	CHECK_EQ_STR(hx(okm, 42),
	    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a"
	    "4c5db02d56ecc4c5bf34007208d5b887185865");
}

/* ---- the BIP's CSV files ---- */

#define MAX_FIELDS 32

struct csv {
	FILE *f;
	char *line;
	size_t cap;
	char *field[MAX_FIELDS];
	int nfields;
};

static int
csv_open(struct csv *c, const char *name)
{
	char rel[256];

	memset(c, 0, sizeof(*c));
	snprintf(rel, sizeof(rel), "bips/bip-0324/%s", name);
	c->f = fopen(SHARED_PATH(rel), "r");
	if (c->f == NULL) {
		fprintf(stderr, "cannot open %s\n", SHARED_PATH(rel));
		return -1;
	}
	return 0;
}

/* The next row's fields (the header row included); 0 at the end. */
static int
csv_next(struct csv *c)
{
	ssize_t n = getline(&c->line, &c->cap, c->f);
	char *p, *s;

	if (n <= 0)
		return 0;
	while (n > 0 && (c->line[n - 1] == '\n' || c->line[n - 1] == '\r'))
		c->line[--n] = '\0';
	c->nfields = 0;
	p = c->line;
	while ((s = strsep(&p, ",")) != NULL && c->nfields < MAX_FIELDS)
		c->field[c->nfields++] = s;
	return 1;
}

static void
csv_close(struct csv *c)
{
	if (c->f)
		fclose(c->f);
	free(c->line);
}

static void
test_ellswift_decode_vectors(void)
{
	struct csv c;
	uint8_t ell[64], x[32];
	int rows = 0;

	if (csv_open(&c, "ellswift_decode_test_vectors.csv") != 0) {
		CHECK(0);
		return;
	}
	csv_next(&c);
	CHECK_EQ_STR(c.field[0], "ellswift");
	while (csv_next(&c)) {
		CHECK_EQ_INT(c.nfields, 3);
		unhex(c.field[0], ell, sizeof(ell));
		ellswift_decode(ell, x);
		if (strcmp(hx(x, 32), c.field[1]) != 0) {
			fprintf(stderr, "decode row %d (%s): %s != %s\n", rows,
			    c.field[2], hx(x, 32), c.field[1]);
			CHECK(0);
		}
		rows++;
	}
	csv_close(&c);
	CHECK_EQ_INT(rows, 76);
	printf("ellswift_decode_test_vectors.csv: %d vectors\n", rows);
}

static void
test_xswiftec_inv_vectors(void)
{
	struct csv c;
	uint8_t u[32], x[32], t[32], ell[64], back[32];
	int rows = 0, cases = 0, k, rc;

	if (csv_open(&c, "xswiftec_inv_test_vectors.csv") != 0) {
		CHECK(0);
		return;
	}
	csv_next(&c);
	CHECK_EQ_STR(c.field[2], "case0_t");
	while (csv_next(&c)) {
		CHECK_EQ_INT(c.nfields, 11);
		unhex(c.field[0], u, sizeof(u));
		unhex(c.field[1], x, sizeof(x));
		for (k = 0; k < 8; k++) {
			const char *want = c.field[2 + k];

			rc = ellswift_xswiftec_inv(x, u, k, t);
			if (*want == '\0') {
				if (rc != -1) {
					fprintf(stderr,
					    "inv row %d case %d: "
					    "expected none, got %s\n",
					    rows, k, hx(t, 32));
					CHECK(0);
				}
			} else if (rc != 0 || strcmp(hx(t, 32), want) != 0) {
				fprintf(stderr,
				    "inv row %d case %d: %s != %s "
				    "(%s)\n",
				    rows, k, rc ? "none" : hx(t, 32), want,
				    c.field[10]);
				CHECK(0);
			} else {
				/* And it decodes back to x. */
				memcpy(ell, u, 32);
				memcpy(ell + 32, t, 32);
				ellswift_decode(ell, back);
				CHECK(memcmp(back, x, 32) == 0);
			}
			cases++;
		}
		rows++;
	}
	csv_close(&c);
	CHECK_EQ_INT(rows, 32);
	printf("xswiftec_inv_test_vectors.csv: %d vectors (%d cases)\n", rows,
	    cases);
}

enum {
	P_IDX,
	P_PRIV,
	P_ELL_OURS,
	P_ELL_THEIRS,
	P_INITIATING,
	P_CONTENTS,
	P_MULTIPLY,
	P_AAD,
	P_IGNORE,
	P_X_OURS,
	P_X_THEIRS,
	P_X_SHARED,
	P_SECRET,
	P_IL,
	P_IP,
	P_RL,
	P_RP,
	P_SEND_TERM,
	P_RECV_TERM,
	P_SESSION_ID,
	P_CT,
	P_CT_ENDSWITH,
	P_NFIELDS
};

static void
check_hex(const uint8_t *p, size_t n, const char *want, int row,
    const char *what)
{
	if (strcmp(hx(p, n), want) != 0) {
		fprintf(stderr, "packet row %d: %s %s != %s\n", row, what,
		    hx(p, n), want);
		CHECK(0);
	}
}

/* Decrypts ct as Core's test does, with one kind of error introduced. */
static int
decrypt_with_error(const uint8_t priv[32], const uint8_t ours[64],
    const uint8_t theirs[64], int initiating, uint32_t idx, uint8_t **dummies,
    const uint8_t *ct, size_t ctlen, const uint8_t *aad, size_t aadlen,
    const uint8_t *contents, size_t clen, int ignore, int error)
{
	struct bip324_cipher d;
	uint8_t *buf, *aadc, *out;
	uint32_t i, dec_idx = idx, len;
	int ign = 0, rc, dign;

	CHECK_EQ_INT(bip324_cipher_init_key(&d, priv, ours), 0);
	CHECK_EQ_INT(bip324_cipher_start(&d, theirs, (error == 1) ^ initiating,
			 mainnet_magic, 1),
	    0);
	if (error == 12)
		dec_idx = idx ^ (1u << (rand() % 16));
	for (i = 0; i < dec_idx; i++) {
		const uint8_t *dm = dummies[i < idx ? i : 0];
		uint8_t none[1];

		len = bip324_decrypt_length(&d, dm);
		(void)len;
		bip324_decrypt(&d, dm + BIP324_LENGTH_LEN, 0, NULL, 0, &dign,
		    none);
	}
	buf = xmalloc(ctlen);
	memcpy(buf, ct, ctlen);
	if (error >= 2 && error <= 9)
		buf[(size_t)rand() % ctlen] ^= (uint8_t)(1u << (error - 2));
	aadc = xmalloc(aadlen + 1);
	if (aadlen)
		memcpy(aadc, aad, aadlen);
	if (error == 10)
		aadc[(size_t)rand() % aadlen] ^= (uint8_t)(1u << (rand() % 8));
	if (error == 11)
		aadc[aadlen++] = 0;
	len = bip324_decrypt_length(&d, buf);
	rc = -1;
	if (len + BIP324_EXPANSION <= ctlen) {
		out = xmalloc(len + 1);
		rc = bip324_decrypt(&d, buf + BIP324_LENGTH_LEN, len, aadc,
		    aadlen, &ign, out);
		if (rc == 0 &&
		    (len != clen || memcmp(out, contents, clen) != 0 ||
			ign != ignore))
			rc = -2;
		free(out);
	}
	free(buf);
	free(aadc);
	bip324_cipher_free(&d);
	return rc;
}

static void
test_packet_vectors(void)
{
	struct csv c;
	struct bip324_cipher ci;
	uint8_t priv[32], ours[64], theirs[64], x[32], secret[32], prk[32];
	uint8_t key[32], salt[28], *in_contents, *contents, *aad, *ct, *want;
	uint8_t **dummies;
	size_t in_len, clen, aadlen, wantlen, ctlen, i;
	uint32_t idx, mult;
	int rows = 0, initiating, ignore, error, rc;

	if (csv_open(&c, "packet_encoding_test_vectors.csv") != 0) {
		CHECK(0);
		return;
	}
	csv_next(&c);
	CHECK_EQ_STR(c.field[P_IDX], "in_idx");
	memcpy(salt, "bitcoin_v2_shared_secret", 24);
	memcpy(salt + 24, mainnet_magic, 4);
	while (csv_next(&c)) {
		CHECK_EQ_INT(c.nfields, P_NFIELDS);
		if (c.nfields != P_NFIELDS)
			break;
		idx = (uint32_t)strtoul(c.field[P_IDX], NULL, 10);
		mult = (uint32_t)strtoul(c.field[P_MULTIPLY], NULL, 10);
		initiating = atoi(c.field[P_INITIATING]);
		ignore = atoi(c.field[P_IGNORE]);
		unhex(c.field[P_PRIV], priv, 32);
		unhex(c.field[P_ELL_OURS], ours, 64);
		unhex(c.field[P_ELL_THEIRS], theirs, 64);

		/* The intermediate values. */
		CHECK_EQ_INT(ellswift_pubkey_x(priv, x), 0);
		check_hex(x, 32, c.field[P_X_OURS], rows, "x_ours");
		ellswift_decode(ours, x);
		check_hex(x, 32, c.field[P_X_OURS], rows, "decode(ours)");
		ellswift_decode(theirs, x);
		check_hex(x, 32, c.field[P_X_THEIRS], rows, "x_theirs");
		CHECK_EQ_INT(ellswift_ecdh_xonly(theirs, priv, x), 0);
		check_hex(x, 32, c.field[P_X_SHARED], rows, "x_shared");
		CHECK_EQ_INT(ellswift_xdh_bip324(ours, theirs, priv,
				 initiating, secret),
		    0);
		check_hex(secret, 32, c.field[P_SECRET], rows,
		    "shared_secret");
		hkdf_sha256_extract(salt, sizeof(salt), secret, 32, prk);
		hkdf_sha256_expand(prk, "initiator_L", 11, key, 32);
		check_hex(key, 32, c.field[P_IL], rows, "initiator_L");
		hkdf_sha256_expand(prk, "initiator_P", 11, key, 32);
		check_hex(key, 32, c.field[P_IP], rows, "initiator_P");
		hkdf_sha256_expand(prk, "responder_L", 11, key, 32);
		check_hex(key, 32, c.field[P_RL], rows, "responder_L");
		hkdf_sha256_expand(prk, "responder_P", 11, key, 32);
		check_hex(key, 32, c.field[P_RP], rows, "responder_P");

		/* The cipher suite. */
		CHECK_EQ_INT(bip324_cipher_init_key(&ci, priv, ours), 0);
		CHECK_EQ_INT(bip324_cipher_start(&ci, theirs, initiating,
				 mainnet_magic, 0),
		    0);
		check_hex(ci.session_id, 32, c.field[P_SESSION_ID], rows,
		    "session_id");
		check_hex(ci.send_garbage_terminator, 16, c.field[P_SEND_TERM],
		    rows, "send terminator");
		check_hex(ci.recv_garbage_terminator, 16, c.field[P_RECV_TERM],
		    rows, "recv terminator");
		dummies = xcalloc(idx ? idx : 1, sizeof(*dummies));
		for (i = 0; i < idx; i++) {
			dummies[i] = xmalloc(BIP324_EXPANSION);
			bip324_encrypt(&ci, NULL, 0, NULL, 0, 1, dummies[i]);
		}
		in_len = strlen(c.field[P_CONTENTS]) / 2;
		in_contents = xmalloc(in_len + 1);
		unhex(c.field[P_CONTENTS], in_contents, in_len);
		clen = in_len * mult;
		contents = xmalloc(clen + 1);
		for (i = 0; i < mult; i++)
			memcpy(contents + i * in_len, in_contents, in_len);
		aadlen = strlen(c.field[P_AAD]) / 2;
		aad = xmalloc(aadlen + 1);
		unhex(c.field[P_AAD], aad, aadlen);
		ctlen = clen + BIP324_EXPANSION;
		ct = xmalloc(ctlen);
		bip324_encrypt(&ci, contents, clen, aad, aadlen, ignore, ct);
		if (*c.field[P_CT]) {
			wantlen = strlen(c.field[P_CT]) / 2;
			want = xmalloc(wantlen);
			unhex(c.field[P_CT], want, wantlen);
			CHECK(
			    wantlen == ctlen && memcmp(want, ct, ctlen) == 0);
		} else {
			wantlen = strlen(c.field[P_CT_ENDSWITH]) / 2;
			want = xmalloc(wantlen);
			unhex(c.field[P_CT_ENDSWITH], want, wantlen);
			CHECK(ctlen >= wantlen &&
			    memcmp(want, ct + ctlen - wantlen, wantlen) == 0);
		}
		for (error = 0; error <= 12; error++) {
			if ((error == 12 && idx == 0) ||
			    (error == 10 && aadlen == 0))
				continue;
			rc = decrypt_with_error(priv, ours, theirs, initiating,
			    idx, dummies, ct, ctlen, aad, aadlen, contents,
			    clen, ignore, error);
			if ((rc == 0) != (error == 0)) {
				fprintf(stderr,
				    "packet row %d: error case %d "
				    "gave %d\n",
				    rows, error, rc);
				CHECK(0);
			}
		}
		for (i = 0; i < idx; i++)
			free(dummies[i]);
		free(dummies);
		free(in_contents);
		free(contents);
		free(aad);
		free(ct);
		free(want);
		bip324_cipher_free(&ci);
		rows++;
	}
	csv_close(&c);
	CHECK_EQ_INT(rows, 7);
	printf("packet_encoding_test_vectors.csv: %d vectors\n", rows);
}

/* Fresh keys: encodings decode to the public key; two sides agree. */
static void
test_keygen_roundtrip(void)
{
	struct bip324_cipher a, b;
	uint8_t priv[32], ell[64], x1[32], x2[32], pkt[5 + BIP324_EXPANSION];
	uint8_t out[5];
	uint32_t len;
	int i, ign;

	for (i = 0; i < 16; i++) {
		ellswift_keygen(priv, ell);
		CHECK_EQ_INT(ellswift_pubkey_x(priv, x1), 0);
		ellswift_decode(ell, x2);
		CHECK(memcmp(x1, x2, 32) == 0);
	}
	bip324_cipher_init(&a);
	bip324_cipher_init(&b);
	CHECK_EQ_INT(bip324_cipher_start(&a, b.ell_ours, 1, mainnet_magic, 0),
	    0);
	CHECK_EQ_INT(bip324_cipher_start(&b, a.ell_ours, 0, mainnet_magic, 0),
	    0);
	CHECK(memcmp(a.session_id, b.session_id, 32) == 0);
	CHECK(memcmp(a.send_garbage_terminator, b.recv_garbage_terminator,
		  16) == 0);
	/* 500 packets each way: across two rekeys of both ciphers. */
	for (i = 0; i < 500; i++) {
		bip324_encrypt(&a, (const uint8_t *)"hello", 5, NULL, 0, i & 1,
		    pkt);
		len = bip324_decrypt_length(&b, pkt);
		CHECK_EQ_INT(len, 5);
		CHECK_EQ_INT(bip324_decrypt(&b, pkt + 3, 5, NULL, 0, &ign,
				 out),
		    0);
		CHECK(memcmp(out, "hello", 5) == 0 && ign == (i & 1));
		bip324_encrypt(&b, (const uint8_t *)"world", 5, NULL, 0, 0,
		    pkt);
		CHECK_EQ_INT(bip324_decrypt_length(&a, pkt), 5);
		CHECK_EQ_INT(bip324_decrypt(&a, pkt + 3, 5, NULL, 0, &ign,
				 out),
		    0);
	}
	bip324_cipher_free(&a);
	bip324_cipher_free(&b);
}

UNIT_MAIN(UNIT_CASE(test_chacha20_rfc8439), UNIT_CASE(test_aead_rfc8439),
    UNIT_CASE(test_aead_rfc8439_a5), UNIT_CASE(test_hkdf_rfc5869),
    UNIT_CASE(test_ellswift_decode_vectors),
    UNIT_CASE(test_xswiftec_inv_vectors), UNIT_CASE(test_packet_vectors),
    UNIT_CASE(test_keygen_roundtrip))
