/*
 * The Miniscript satisfier (chain/miniscript_satisfy.c) against Bitcoin
 * Core 28's ProduceInput rules: which witness stack it picks, bottom
 * first, for given signatures, preimages and met locks, and when it
 * refuses (unavailable, malleable, or no signature).
 */
#include <stdlib.h>
#include <string.h>

#include "chain/miniscript.h"
#include "unit.h"
#include "util/hex.h"
#include "util/xmalloc.h"

#define KA "0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2"
#define KB "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
#define KC "02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9"
#define H32 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct env {
	uint8_t keys[4][33];
	size_t nkeys;
	uint8_t sig[4][72]; /* key i's signature: 72 bytes of i+1 */
	int have_sig[4];
	uint8_t pre[32];
	int have_pre, older_ok, after_ok;
	size_t nsign; /* how many signatures were asked for */
	size_t order[8];
};

static int
e_parse(void *arg, const char *s, size_t n)
{
	struct env *e = arg;
	char buf[67];

	if (n != 66 || e->nkeys == 4)
		return -1;
	memcpy(buf, s, 66);
	buf[66] = '\0';
	if (hex_decode(buf, e->keys[e->nkeys], 33) != 33)
		return -1;
	return (int)e->nkeys++;
}

static int
e_cmp(void *arg, size_t a, size_t b)
{
	struct env *e = arg;

	return memcmp(e->keys[a], e->keys[b], 33);
}

static enum ms_avail
e_sign(void *arg, size_t key, struct ms_item *sig)
{
	struct env *e = arg;

	if (e->nsign < 8)
		e->order[e->nsign] = key;
	e->nsign++;
	if (!e->have_sig[key])
		return MS_AVAIL_NO;
	sig->p = e->sig[key];
	sig->len = 72;
	return MS_AVAIL_YES;
}

static struct ms_item
e_key(void *arg, size_t key)
{
	struct env *e = arg;
	struct ms_item k = { e->keys[key], 33 };

	return k;
}

static enum ms_avail
e_pre(void *arg, enum ms_frag f, const uint8_t *h, size_t hlen,
    struct ms_item *out)
{
	struct env *e = arg;
	uint8_t want[32];

	(void)hex_decode(H32, want, 32);
	if (f != MS_SHA256 || hlen != 32 || memcmp(h, want, 32) != 0 ||
	    !e->have_pre)
		return MS_AVAIL_NO;
	out->p = e->pre;
	out->len = 32;
	return MS_AVAIL_YES;
}

static int
e_older(void *arg, uint32_t n)
{
	(void)n;
	return ((struct env *)arg)->older_ok;
}

static int
e_after(void *arg, uint32_t n)
{
	(void)n;
	return ((struct env *)arg)->after_ok;
}

/*
 * Satisfies text with the signatures of the keys in sigs ("AC": A and
 * C), and checks the stack against want: space-separated items, bottom
 * first, "A".."C" for a signature, "kA" for key A, "P" the preimage,
 * "-" the empty item, "1" the byte 1; NULL for no satisfaction.
 */
static void
check_sat(const char *text, const char *sigs, int pre, int older, int after,
    int nonmall, const char *want)
{
	struct env e;
	struct ms_keyops ko = { &e, e_parse, e_cmp, NULL };
	struct ms_satisfier c = { &e, e_sign, e_key, e_pre, e_older, e_after };
	struct ms_node *n;
	struct ms_item *st;
	size_t ns, i;
	char got[400] = "";
	enum ms_avail a;

	memset(&e, 0, sizeof(e));
	for (i = 0; i < 4; i++)
		memset(e.sig[i], (int)i + 1, 72);
	for (i = 0; sigs[i] != '\0'; i++)
		e.have_sig[sigs[i] - 'A'] = 1;
	memset(e.pre, 0x42, 32);
	e.have_pre = pre;
	e.older_ok = older;
	e.after_ok = after;
	/* multi_a only exists in tapscript; the rest is parsed in P2WSH. */
	n = ms_parse(text, strlen(text),
	    strstr(text, "multi_a") != NULL ? MS_TAPSCRIPT : MS_P2WSH, &ko);
	CHECK(n != NULL);
	if (n == NULL)
		return;
	a = ms_satisfy(n, &c, nonmall, &st, &ns);
	for (i = 0; a == MS_AVAIL_YES && i < ns; i++) {
		char item[4] = "?";

		if (st[i].len == 0)
			strcpy(item, "-");
		else if (st[i].len == 72)
			item[0] = (char)('A' + st[i].p[0] - 1);
		else if (st[i].len == 33)
			strcpy(item, st[i].p == e.keys[0] ? "kA" : "k?");
		else if (st[i].len == 32)
			strcpy(item, "P");
		else if (st[i].len == 1 && st[i].p[0] == 1)
			strcpy(item, "1");
		if (i > 0)
			strcat(got, " ");
		strcat(got, item);
	}
	if (want == NULL) {
		CHECK(a == MS_AVAIL_NO);
	} else {
		CHECK(a == MS_AVAIL_YES);
		CHECK_EQ_STR(got, want);
	}
	free(st);
	ms_free(n);
}

static void
test_choices(void)
{
	/* and_v(v:pk,older): both needed. */
	check_sat("and_v(v:pk(" KA "),older(144))", "A", 0, 1, 0, 1, "A");
	check_sat("and_v(v:pk(" KA "),older(144))", "A", 0, 0, 0, 1, NULL);
	check_sat("and_v(v:pk(" KA "),older(144))", "", 0, 1, 0, 1, NULL);
	/* or_d: the smaller branch; the other one after the lock. */
	check_sat("or_d(pk(" KA "),and_v(v:pk(" KB "),after(100)))", "AB", 0,
	    0, 1, 1, "A");
	check_sat("or_d(pk(" KA "),and_v(v:pk(" KB "),after(100)))", "B", 0, 0,
	    1, 1, "B -");
	check_sat("or_d(pk(" KA "),and_v(v:pk(" KB "),after(100)))", "B", 0, 0,
	    0, 1, NULL);
	/* thresh: the first sub's item on top. */
	check_sat("thresh(2,pk(" KA "),s:pk(" KB "),s:pk(" KC "))", "AC", 0, 0,
	    0, 1, "C - A");
	check_sat("thresh(2,pk(" KA "),s:pk(" KB "),s:pk(" KC "))", "B", 0, 0,
	    0, 1, NULL);
	/* Hash lock with its preimage. */
	check_sat("and_v(v:pk(" KA "),sha256(" H32 "))", "A", 1, 0, 0, 1,
	    "P A");
	check_sat("and_v(v:pk(" KA "),sha256(" H32 "))", "A", 0, 0, 0, 1,
	    NULL);
	/* andor: X and Y, else Z after X's dissatisfaction. */
	check_sat("andor(pk(" KA "),pk(" KB "),and_v(v:pk(" KC "),older(10)))",
	    "AB", 0, 0, 0, 1, "B A");
	check_sat("andor(pk(" KA "),pk(" KB "),and_v(v:pk(" KC "),older(10)))",
	    "C", 0, 1, 0, 1, "C -");
	/* multi: the CHECKMULTISIG dummy, then signatures in key order. */
	check_sat("multi(2," KA "," KB "," KC ")", "CA", 0, 0, 0, 1, "- A C");
	/* multi_a: one item per key, the first key's on top. */
	check_sat("multi_a(2," KA "," KB "," KC ")", "CA", 0, 0, 0, 1,
	    "C - A");
	check_sat("multi_a(2," KA "," KB "," KC ")", "B", 0, 0, 0, 1, NULL);
	/* pkh: signature, then the key. */
	check_sat("pkh(" KA ")", "A", 0, 0, 0, 1, "A kA");
	/* or_i: the smaller branch and its selector. */
	check_sat("or_i(pk(" KA "),and_v(v:pk(" KB "),pk(" KC ")))", "ABC", 0,
	    0, 0, 1, "A 1");
	check_sat("or_i(pk(" KA "),and_v(v:pk(" KB "),pk(" KC ")))", "BC", 0,
	    0, 0, 1, "C B -");
}

static void
test_malleability(void)
{
	/* A signature-free satisfaction: refused unless malleable is fine. */
	check_sat("or_d(pk(" KA "),older(10))", "", 0, 1, 0, 1, NULL);
	check_sat("or_d(pk(" KA "),older(10))", "", 0, 1, 0, 0, "-");
	/*
	 * With A's signature too, the signature-free branch still wins the
	 * choice (a third party could swap to it): Core satisfies no
	 * non-malleable way either.
	 */
	check_sat("or_d(pk(" KA "),older(10))", "A", 0, 1, 0, 1, NULL);
	check_sat("or_d(pk(" KA "),older(10))", "A", 0, 0, 0, 1, "A");
}

static void
test_sign_order(void)
{
	struct env e;
	struct ms_keyops ko = { &e, e_parse, e_cmp, NULL };
	struct ms_satisfier c = { &e, e_sign, e_key, e_pre, e_older, e_after };
	const char *text = "andor(pk(" KA "),pk(" KB "),pk(" KC "))";
	struct ms_node *n;
	struct ms_item *st;
	size_t ns;

	memset(&e, 0, sizeof(e));
	n = ms_parse(text, strlen(text), MS_P2WSH, &ko);
	CHECK(n != NULL);
	/* Every key is asked for, left to right (Core's missing list). */
	CHECK(ms_satisfy(n, &c, 1, &st, &ns) == MS_AVAIL_NO);
	CHECK(e.nsign == 3);
	CHECK(e.order[0] == 0 && e.order[1] == 1 && e.order[2] == 2);
	free(st);
	ms_free(n);
}

UNIT_MAIN(UNIT_CASE(test_choices), UNIT_CASE(test_malleability),
    UNIT_CASE(test_sign_order))
