/*
 * Miniscript: descriptors in wsh() and tr() leaves against Bitcoin Core
 * 28.1's answers for the same text (getdescriptorinfo's canonical string
 * or error, and the witness program deriveaddresses gives, taken from a
 * Core 28.1 regtest node), then the module directly: types, scripts byte
 * by byte, printing sugar and text that is no Miniscript.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "chain/descriptor.h"
#include "chain/miniscript.h"
#include "unit.h"
#include "util/hex.h"
#include "util/xmalloc.h"

#define K1 "0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2"
#define K2 "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
#define K3 "02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9"
#define H32 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define H20 "d0d6c3a2a7a61d0b5c3d2d6e36a2c0f1b9e5b00a"

/*
 * @A, @B, @C stand for K1, K2, K3 in wsh(); in tr() for K1 and K2 x-only
 * and K1 whole, @I for K3 x-only (the internal key); @H and @h for H32
 * and H20. prog: the witness program, NULL when Core refuses the text
 * with the message in out.
 */
struct ms_case {
	const char *in, *prog, *out;
};

static const struct ms_case core_cases[] = {
	{ "wsh(and_v(v:pk(@A),pk(@B)))",
	    "200f12e89c9feb0a63868a6783fa0309bd88d2a3d5100f0153eb24b9cd63e6a4",
	    "wsh(and_v(v:pk(@A),pk(@B)))" },
	{ "tr(@I,and_v(v:pk(@A),pk(@B)))",
	    "4f3ee4cfbbcd1ddc2d1480711ef25172eb8d4798e2faa28a7d1514ae761c903b",
	    "tr(@I,and_v(v:pk(@A),pk(@B)))" },
	{ "wsh(or_d(pk(@A),pkh(@B)))",
	    "64c0b8408ba80487fc33494105c4e3446daef6816cc00dee0d0a802e86089f8c",
	    "wsh(or_d(pk(@A),pkh(@B)))" },
	{ "tr(@I,or_d(pk(@A),pkh(@B)))",
	    "21a495a656375ffc8bbd4e0476590c13c13d0eb252ea7cc7754529e441ac0058",
	    "tr(@I,or_d(pk(@A),pkh(@B)))" },
	{ "wsh(and_v(v:pk(@A),older(144)))",
	    "bb4cc038144bd7c610d3aeea1200ff4af229324f4b08f32c9d3a020d6224887b",
	    "wsh(and_v(v:pk(@A),older(144)))" },
	{ "tr(@I,and_v(v:pk(@A),older(144)))",
	    "0be686d3bb52e4e40079b0163e77476bb1134b59ff4c12bbd6653a030402535a",
	    "tr(@I,and_v(v:pk(@A),older(144)))" },
	{ "wsh(t:or_c(pk(@A),v:pk(@B)))",
	    "3ddf892c944d633a959f9d89c6c00562af04f18936d932c8311338b176673419",
	    "wsh(t:or_c(pk(@A),v:pk(@B)))" },
	{ "tr(@I,t:or_c(pk(@A),v:pk(@B)))",
	    "e3047137285631aa46f17bfa9483e76e7ded7669926189a8756fafdc35888f27",
	    "tr(@I,t:or_c(pk(@A),v:pk(@B)))" },
	{ "wsh(andor(pk(@A),older(10),pk(@B)))",
	    "e19f049fbb1c3f6d1701295dcb854584298c38a1fe367cc29ad23dd207651759",
	    "wsh(andor(pk(@A),older(10),pk(@B)))" },
	{ "tr(@I,andor(pk(@A),older(10),pk(@B)))",
	    "3279eeabb56afa5954adaec162b7ea77a5a505c18a7e66703146be5789c32417",
	    "tr(@I,andor(pk(@A),older(10),pk(@B)))" },
	{ "wsh(and_n(pk(@A),sha256(@H)))",
	    "7b3f79bbed705908d0c17ad7e0037d4898cd4ccf440bba1a8bf60e939aaccdc6",
	    "wsh(and_n(pk(@A),sha256(@H)))" },
	{ "tr(@I,and_n(pk(@A),sha256(@H)))",
	    "eacea9176e4471399d01a817b1ced052b855afa2359c8a79d1078540bf673d5d",
	    "tr(@I,and_n(pk(@A),sha256(@H)))" },
	{ "wsh(thresh(2,pk(@A),s:pk(@B),s:pk(@C)))",
	    "138fe54c11ed151dfaf13e913d0a3ac8a574ecabc5e514475f0627bd779a5397",
	    "wsh(thresh(2,pk(@A),s:pk(@B),s:pk(@C)))" },
	{ "tr(@I,thresh(2,pk(@A),s:pk(@B),s:pk(@C)))",
	    "738b5f6620fcda45c20966ef0eb2f8a7df04c4faeee099cea9874993c93912ca",
	    "tr(@I,thresh(2,pk(@A),s:pk(@B),s:pk(@C)))" },
	{ "wsh(c:pk_h(@A))",
	    "83919c58469578be05523dbc844c949c46e81836630effb5ae9f264ffe01b9c7",
	    "wsh(pkh(@A))" },
	{ "tr(@I,c:pk_h(@A))",
	    "88853964d43b874354f0409a9701e592df9e63c3587818fe0f523841150a0c36",
	    "tr(@I,pkh(@A))" },
	{ "wsh(or_i(and_v(v:pk(@A),older(10)),pk(@B)))",
	    "c2026861df9657c5de66ec628e781c2237f1709c2cf3114e9b2a305c77ed9186",
	    "wsh(or_i(and_v(v:pk(@A),older(10)),pk(@B)))" },
	{ "tr(@I,or_i(and_v(v:pk(@A),older(10)),pk(@B)))",
	    "362b96cf3fc68db2f9d3a649d970752d21e3e41eae919f602e3e71ce7ec3bd69",
	    "tr(@I,or_i(and_v(v:pk(@A),older(10)),pk(@B)))" },
	{ "wsh(and_b(pk(@A),a:older(10)))",
	    "af4b3e18abb9bde2f617a379cd25cd0ed206502599f486de1860a85021290c81",
	    "wsh(and_b(pk(@A),a:older(10)))" },
	{ "tr(@I,and_b(pk(@A),a:older(10)))",
	    "ceeef14bd16b5a5d8eba9bf3ceda716960ce1f0975bbb3340fd372b5a5005b83",
	    "tr(@I,and_b(pk(@A),a:older(10)))" },
	{ "wsh(and_v(v:hash256(@H),pk(@A)))",
	    "9d9edef4b9cb03c8715faf5ed6fa879a36e172c414c1e642324a9c2f35bd961b",
	    "wsh(and_v(v:hash256(@H),pk(@A)))" },
	{ "tr(@I,and_v(v:hash256(@H),pk(@A)))",
	    "32f8729f8047bedf9d1e8474dac1c7b2294c43757a2a16a8330e07402e71b7d1",
	    "tr(@I,and_v(v:hash256(@H),pk(@A)))" },
	{ "wsh(and_v(v:ripemd160(@h),pk(@A)))",
	    "f48f6a9e5c2c4bdee4c7a2ef68852a4a1f7a3d32437e72dd2e72e9a1ab356d02",
	    "wsh(and_v(v:ripemd160(@h),pk(@A)))" },
	{ "tr(@I,and_v(v:ripemd160(@h),pk(@A)))",
	    "235db359cb3659e3c9d768aeb3ee576436cd720f9dd91a2110d184384c32c757",
	    "tr(@I,and_v(v:ripemd160(@h),pk(@A)))" },
	{ "wsh(and_v(vc:pk_h(@A),pk(@B)))",
	    "fd6ccb78f0dbeef7571aa556b0a51cb7cf9aefd410cd2447d26a6664e2f3bae4",
	    "wsh(and_v(v:pkh(@A),pk(@B)))" },
	{ "tr(@I,and_v(vc:pk_h(@A),pk(@B)))",
	    "4dbc64b0f4fc0a6f11b83186612fa6759028742579092935ef8813072257b3e0",
	    "tr(@I,and_v(v:pkh(@A),pk(@B)))" },
	{ "wsh(l:pk(@A))",
	    "97c5f2b7cd9e8691bdfb893bf96a7ed7e5e2811b2ba6832e3b3f013de6b0412a",
	    "wsh(l:pk(@A))" },
	{ "tr(@I,l:pk(@A))",
	    "a76d3a8df72edfb59398ff453887bb55c73f5ba4620b17471a347b721a10e3b2",
	    "tr(@I,l:pk(@A))" },
	{ "wsh(u:pk(@A))",
	    "25d6fb98335c933f28f6d4403862f9e20dc4611aea1c39882bed16d8bd3a9603",
	    "wsh(u:pk(@A))" },
	{ "tr(@I,u:pk(@A))",
	    "3b44238c58e7fc40e51c59039b4cf5e4289acd92bb7b3495fb1cc69415de4511",
	    "tr(@I,u:pk(@A))" },
	{ "wsh(thresh(3,pk(@A),s:pk(@B),s:pk(@C),sln:older(10)))",
	    "d5d293d36394387402639aefca2b7c6658a4404144cce122e4cfdf09f8831bed",
	    "wsh(thresh(3,pk(@A),s:pk(@B),s:pk(@C),sln:older(10)))" },
	{ "tr(@I,thresh(3,pk(@A),s:pk(@B),s:pk(@C),sln:older(10)))",
	    "27e0bda97565aec8bcac3025a4745e5e3c2fff4ab090db74b86e2332a3bfd3bd",
	    "tr(@I,thresh(3,pk(@A),s:pk(@B),s:pk(@C),sln:older(10)))" },
	{ "wsh(j:pk(@A))",
	    "8fed8d1c2ac714b1b3a8ae49a5c54e998a331128fd12b840179db3badb139774",
	    "wsh(j:pk(@A))" },
	{ "tr(@I,j:pk(@A))",
	    "83a33f366dd8b91cbc13c56c101516d99fc9738d21f0e8f1f54147b8666f47d2",
	    "tr(@I,j:pk(@A))" },
	{ "wsh(n:pk(@A))",
	    "708146ae03701ec2c62a161b1aa9bb22b5323fbadb1136a657244b7b190f1f85",
	    "wsh(n:pk(@A))" },
	{ "tr(@I,n:pk(@A))",
	    "cbe46e72f1f797f859fc6f1766ec5ad73b87c8e1672f6fcd1ea41af5f7f213d2",
	    "tr(@I,n:pk(@A))" },
	{ "wsh(tv:pk(@A))",
	    "f0d65edfe80622eec25f92a37d7f0e43b92966b877ad047966e28c9467a16267",
	    "wsh(tv:pk(@A))" },
	{ "tr(@I,tv:pk(@A))",
	    "98c5b8a8d6aa0d273e8036207e77d0551731459ac812914bfdc8771c4c1b83d8",
	    "tr(@I,tv:pk(@A))" },
	{ "wsh(and_v(v:pk(@A),after(500000000)))",
	    "f99ea2cdc37db1ffad4e3b75c1a5808187e6d948e1b3c11eb0bf9dbb7c4b22c0",
	    "wsh(and_v(v:pk(@A),after(500000000)))" },
	{ "tr(@I,and_v(v:pk(@A),after(500000000)))",
	    "601f58b3dce8954e802f38e76f8c1bb8d256d3bd4f779ed9dbecc4072ef20941",
	    "tr(@I,and_v(v:pk(@A),after(500000000)))" },
	{ "wsh(and_v(v:multi(2,@A,@B,@C),after(10)))",
	    "f6a71023e5bc3b13ddaa0dcaf983de5d1fef6143caa5e7ff89eed6bb5dbc4636",
	    "wsh(and_v(v:multi(2,@A,@B,@C),after(10)))" },
	{ "wsh(or_d(multi(2,@A,@B),and_v(v:pk(@C),older(10))))",
	    "99ad795254fdb69acdcfa7826e257c030cb377aff965f2e44f9b3dc4c7c84234",
	    "wsh(or_d(multi(2,@A,@B),and_v(v:pk(@C),older(10))))" },
	{ "wsh(and_v(v:pk(@A),older(4194305)))",
	    "5b93ff9cd903707766bd980ba9bf3e6e061f87a384393d260fa844d15f1d05a9",
	    "wsh(and_v(v:pk(@A),older(4194305)))" },
	{ "tr(@I,and_v(v:pk(@A),older(4194305)))",
	    "5a067547a84323efe87575799c75d02733664112ec0a2f4b16dd66ab95e1e586",
	    "tr(@I,and_v(v:pk(@A),older(4194305)))" },
	{ "wsh(andor(pk(@A),or_i(and_v(v:pkh(@B),hash160(@h)),older(1008)),pk(@C)))",
	    "7c9ab47962d2eb7d6c52af87c85797a948438eefc4f329da2d5bd630ca70d0f3",
	    "wsh(andor(pk(@A),or_i(and_v(v:pkh(@B),hash160(@h)),older(1008)),pk(@C)))" },
	{ "tr(@I,andor(pk(@A),or_i(and_v(v:pkh(@B),hash160(@h)),older(1008)),pk(@C)))",
	    "e674290c513bac684dcbfc2ef448bb946e2f77e418e282fe1a06ce93a3ac1b37",
	    "tr(@I,andor(pk(@A),or_i(and_v(v:pkh(@B),hash160(@h)),older(1008)),pk(@C)))" },
	{ "wsh(or_b(pk(@A),s:pk(@B)))",
	    "f772062463c3878690472936773a4b19ce0f5c45e6275659c44f854ffa9b3bbd",
	    "wsh(or_b(pk(@A),s:pk(@B)))" },
	{ "tr(@I,or_b(pk(@A),s:pk(@B)))",
	    "bb6f1f2e555acd1592a62f9926e36eb4201fe8d84adbdbb2e2761449233982c0",
	    "tr(@I,or_b(pk(@A),s:pk(@B)))" },
	{ "wsh(dv:older(5))", NULL,
	    "dv:older(5) is not sane: witnesses without signature exist" },
	{ "tr(@I,dv:older(5))", NULL,
	    "dv:older(5) is not sane: witnesses without signature exist" },
	{ "wsh(or_d(pk(@A),dv:older(5)))", NULL,
	    "or_d(pk(@A),dv:older(5)) is not sane: witnesses without signature exist" },
	{ "tr(@I,or_d(pk(@A),dv:older(5)))", NULL,
	    "or_d(pk(@A),dv:older(5)) is not sane: witnesses without signature exist" },
	{ "wsh(and_v(v:pk(@A),0))", NULL,
	    "and_v(v:pk(@A),0) is not satisfiable" },
	{ "tr(@I,and_v(v:pk(@A),0))", NULL,
	    "and_v(v:pk(@A),0) is not satisfiable" },
	{ "wsh(older(10))", NULL,
	    "older(10) is not sane: witnesses without signature exist" },
	{ "tr(@I,older(10))", NULL,
	    "older(10) is not sane: witnesses without signature exist" },
	{ "wsh(v:pk(@A))", NULL, "v:pk(@A) is not sane" },
	{ "tr(@I,v:pk(@A))", NULL, "v:pk(@A) is not sane" },
	{ "wsh(and_v(v:pk(@A),pk(@A)))", NULL,
	    "and_v(v:pk(@A),pk(@A)) is not sane: contains duplicate public keys" },
	{ "tr(@I,and_v(v:pk(@A),pk(@A)))", NULL,
	    "and_v(v:pk(@A),pk(@A)) is not sane: contains duplicate public keys" },
	{ "wsh(and_v(v:pk(@A),and_v(v:older(10),older(4194305))))", NULL,
	    "and_v(v:older(10),older(4194305)) is not sane: contains mixes of timelocks expressed in blocks and seconds" },
	{ "tr(@I,and_v(v:pk(@A),and_v(v:older(10),older(4194305))))", NULL,
	    "and_v(v:older(10),older(4194305)) is not sane: contains mixes of timelocks expressed in blocks and seconds" },
	{ "wsh(and_v(v:pk(@A),or_b(sha256(@H),a:sha256(@H))))", NULL,
	    "or_b(sha256(@H),a:sha256(@H)) is not sane: malleable witnesses exist" },
	{ "tr(@I,and_v(v:pk(@A),or_b(sha256(@H),a:sha256(@H))))", NULL,
	    "or_b(sha256(@H),a:sha256(@H)) is not sane: malleable witnesses exist" },
	{ "wsh(and_v(pk(@A),pk(@B)))", NULL,
	    "and_v(pk(@A),pk(@B)) is invalid" },
	{ "tr(@I,and_v(pk(@A),pk(@B)))", NULL,
	    "and_v(pk(@A),pk(@B)) is invalid" },
};

/* The text of a case with its placeholders filled in. */
static char *
expand(const char *t, int tr)
{
	char *out = xcalloc(1, strlen(t) * 70 + 1), *o = out;
	const char *v;

	for (; *t != '\0'; t++) {
		if (*t != '@') {
			*o++ = *t;
			continue;
		}
		switch (*++t) {
		case 'A': v = tr ? &K1[2] : K1; break;
		case 'B': v = tr ? &K2[2] : K2; break;
		case 'C': v = tr ? K1 : K3; break;
		case 'I': v = &K3[2]; break;
		case 'H': v = H32; break;
		default: v = H20; break;
		}
		strcpy(o, v);
		o += strlen(v);
	}
	return out;
}

static void
test_core_table(void)
{
	struct chainparams *cp = chainparams_new(CHAIN_REGTEST);
	char err[DESCRIPTOR_ERR_LEN], *in, *want, *s, hex[65];
	struct descriptor_output o;
	struct descriptor *d;
	size_t i;

	for (i = 0; i < sizeof(core_cases) / sizeof(core_cases[0]); i++) {
		int tr = strncmp(core_cases[i].in, "tr(", 3) == 0;

		in = expand(core_cases[i].in, tr);
		want = expand(core_cases[i].out, tr);
		if (descriptor_parse(cp, in, 0, &d, err, sizeof(err)) != 0) {
			CHECK(core_cases[i].prog == NULL);
			CHECK_EQ_STR(err, want);
			free(in);
			free(want);
			continue;
		}
		CHECK(core_cases[i].prog != NULL);
		s = descriptor_to_string(d);
		s[strcspn(s, "#")] = '\0';
		CHECK_EQ_STR(s, want);
		CHECK(descriptor_expand(d, 0, &o) == 0);
		CHECK(o.n == 1 && o.len[0] == 34);
		hex_encode(o.script[0] + 2, 32, hex);
		if (core_cases[i].prog != NULL)
			CHECK_EQ_STR(hex, core_cases[i].prog);
		descriptor_output_free(&o);
		descriptor_free(d);
		free(s);
		free(in);
		free(want);
	}
	chainparams_free(cp);
}

/* A key table of hex keys for the module alone. */
struct tab {
	uint8_t keys[8][33];
	size_t n;
};

static int
tab_parse(void *arg, const char *s, size_t n)
{
	struct tab *t = arg;
	char buf[67];

	if (n != 66 || t->n == 8)
		return -1;
	memcpy(buf, s, 66);
	buf[66] = '\0';
	if (hex_decode(buf, t->keys[t->n], 33) != 33)
		return -1;
	return (int)t->n++;
}

static int
tab_cmp(void *arg, size_t a, size_t b)
{
	struct tab *t = arg;

	return memcmp(t->keys[a], t->keys[b], 33);
}

static void
tab_print(void *arg, size_t i, int is_hash, char **buf)
{
	struct tab *t = arg;
	char hex[67];
	size_t old = *buf != NULL ? strlen(*buf) : 0;

	(void)is_hash;
	hex_encode(t->keys[i], 33, hex);
	*buf = xrealloc(*buf, old + 67);
	memcpy(*buf + old, hex, 67);
}

/* Parses text in P2WSH; returns the tree or NULL; t gets the keys. */
static struct ms_node *
parse(const char *text, struct tab *t, struct ms_keyops *ko)
{
	memset(t, 0, sizeof(*t));
	ko->arg = t;
	ko->parse = tab_parse;
	ko->cmp = tab_cmp;
	ko->print = tab_print;
	return ms_parse(text, strlen(text), MS_P2WSH, ko);
}

static void
test_scripts(void)
{
	static const struct {
		const char *ms, *script;
	} v[] = {
		/* <K1> CHECKSIGVERIFY <144> CSV */
		{ "and_v(v:pk(" K1 "),older(144))", "21" K1 "ad029000b2" },
		{ "and_v(v:sha256(" H32 "),pk(" K1 "))",
		    "82012088a820" H32 "8821" K1 "ac" },
		{ "t:or_c(pk(" K1 "),v:pk(" K2 "))",
		    "21" K1 "ac6421" K2 "ad6851" },
		{ "thresh(1,pk(" K1 "),a:pk(" K2 "))",
		    "21" K1 "ac6b21" K2 "ac6c935187" },
		{ "u:pk(" K1 ")", "6321" K1 "ac670068" },
		{ "l:pk(" K1 ")",
		    "630067"
		    "21" K1 "ac68" },
	};
	struct ms_keyops ko;
	struct tab t;
	struct ms_node *n;
	uint8_t *s;
	size_t i, len;
	char *hex;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = parse(v[i].ms, &t, &ko);
		CHECK(n != NULL);
		if (n == NULL)
			continue;
		s = ms_compile(n, (const uint8_t(*)[33])t.keys, &len);
		hex = hex_encode_alloc(s, len);
		CHECK_EQ_STR(hex, v[i].script);
		CHECK_EQ_INT(len, n->script_size);
		free(hex);
		free(s);
		ms_free(n);
	}
}

/* Types as BIP379's tables give them. */
static void
test_types(void)
{
	static const struct {
		const char *ms;
		uint32_t want, not ;
	} v[] = {
		{ "pk_k(" K1 ")", MS_T_K | MS_T_o | MS_T_n | MS_T_d | MS_T_u,
		    MS_T_B },
		{ "pk(" K1 ")", MS_T_B | MS_T_s | MS_T_m | MS_T_u, MS_T_x },
		{ "v:pk(" K1 ")", MS_T_V | MS_T_s | MS_T_f, MS_T_B },
		{ "older(1)", MS_T_B | MS_T_z | MS_T_f | MS_T_h, MS_T_s },
		{ "older(4194305)", MS_T_B | MS_T_g, MS_T_h },
		{ "after(500000000)", MS_T_B | MS_T_i, MS_T_j },
		{ "a:pk(" K1 ")", MS_T_W | MS_T_x, MS_T_B },
		{ "s:pk(" K1 ")", MS_T_W, MS_T_B },
		{ "dv:older(1)", MS_T_B | MS_T_o | MS_T_n | MS_T_d, MS_T_u },
		{ "and_v(v:older(1),older(4194305))", MS_T_B, MS_T_k },
		{ "or_b(pk(" K1 "),a:pk(" K2 "))", MS_T_B | MS_T_d | MS_T_u,
		    0 },
		{ "and_v(pk(" K1 "),pk(" K2 "))", 0,
		    MS_T_B | MS_T_V | MS_T_K | MS_T_W },
	};
	struct ms_keyops ko;
	struct tab t;
	struct ms_node *n;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = parse(v[i].ms, &t, &ko);
		CHECK(n != NULL);
		if (n == NULL)
			continue;
		if ((n->type & v[i].want) != v[i].want ||
		    (n->type & v[i].not ) != 0)
			fprintf(stderr, "type of %s: %x\n", v[i].ms, n->type);
		CHECK((n->type & v[i].want) == v[i].want);
		CHECK((n->type & v[i].not ) == 0);
		ms_free(n);
	}
}

/* Text that is no Miniscript, and the sugar printed back. */
static void
test_parse_print(void)
{
	static const char *const bad[] = { "", "x", "0x", "pk()", "older(0)",
		"older(2147483648)", "older(+1)", "vv:pk(" K1 ")",
		"thresh(2,pk(" K1 "))", "and_v(v:pk(" K1 "))",
		"sha256(" H20 ")", "multi_a(1," K1 ")", "and_b(1,1,1)",
		"q:pk(" K1 ")", "and_v(v:pk(" K1 "),pk(" K2 ")" };
	static const struct {
		const char *in, *out;
	} sugar[] = {
		{ "c:pk_k(" K1 ")", "pk(" K1 ")" },
		{ "c:pk_h(" K1 ")", "pkh(" K1 ")" },
		{ "and_v(v:pk(" K1 "),1)", "tv:pk(" K1 ")" },
		{ "or_i(0,pk(" K1 "))", "l:pk(" K1 ")" },
		{ "or_i(pk(" K1 "),0)", "u:pk(" K1 ")" },
		{ "andor(pk(" K1 "),pk(" K2 "),0)",
		    "and_n(pk(" K1 "),pk(" K2 "))" },
		{ "vc:pk_k(" K1 ")", "v:pk(" K1 ")" },
		{ "older(007)", "older(7)" },
	};
	struct ms_keyops ko;
	struct tab t;
	struct ms_node *n;
	size_t i;
	char *s;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = parse(bad[i], &t, &ko);
		if (n != NULL)
			fprintf(stderr, "parsed: %s\n", bad[i]);
		CHECK(n == NULL);
		ms_free(n);
	}
	for (i = 0; i < sizeof(sugar) / sizeof(sugar[0]); i++) {
		n = parse(sugar[i].in, &t, &ko);
		CHECK(n != NULL);
		if (n == NULL)
			continue;
		s = ms_to_string(n, &ko);
		CHECK_EQ_STR(s, sugar[i].out);
		free(s);
		ms_free(n);
	}
}

/* decodescript's segwit "desc" as Core 28.1 gives it for these scripts. */
static void
test_infer(void)
{
	static const struct {
		const char *script, *desc;
	} v[] = {
		{ "00", "wsh(0)#a0qjqdfq" },
		{ "21" K1 "ad51", "wsh(tv:pk(" K1 "))#7mx7gj65" },
		{ "21" K1 "ad029000b2",
		    "wsh(and_v(v:pk(" K1 "),older(144)))#jwx2hvgg" },
		{ "21" K1 "ad21" K2 "ad21" K3 "ac",
		    "wsh(and_v(and_v(v:pk(" K1 "),v:pk(" K2 ")),pk(" K3
		    ")))" },
		{ "829263"
		  "21" K1 "ac68",
		    "wsh(j:pk(" K1 "))#5kxcr9ha" },
		/* Not sane (no signature, duplicate key), not B, pk_h. */
		{ "0164b2", NULL },
		{ "21" K1 "ad21" K1 "ac", NULL },
		{ "21" K1 "ad", NULL },
		{ "21" K1 "ac6476a914" H20 "88ac68", NULL },
		/* A non-minimal number push. */
		{ "21" K1 "ad010ab2", NULL },
		{ "51", NULL },
	};
	uint8_t *s;
	size_t i, len;
	char *d;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(hex_decode_alloc(v[i].script, &s, &len) == 0);
		d = descriptor_infer_wsh_miniscript(s, len);
		if (v[i].desc == NULL)
			CHECK(d == NULL);
		else if (strchr(v[i].desc, '#') == NULL) {
			CHECK(d != NULL);
			if (d != NULL)
				d[strcspn(d, "#")] = '\0';
			CHECK_EQ_STR(d, v[i].desc);
		} else
			CHECK_EQ_STR(d, v[i].desc);
		free(d);
		free(s);
	}
}

/* Nesting, wrappers counted, stops at 1000 levels (doc/rpc.md). */
static void
test_depth(void)
{
	struct ms_keyops ko;
	struct tab t;
	struct ms_node *n;
	size_t k;
	char *text = xmalloc(200000);

	for (k = 990; k <= 1001; k += 11) {
		memset(text, 'n', k);
		strcpy(text + k, ":pk(" K1 ")");
		n = parse(text, &t, &ko);
		CHECK((n != NULL) == (k == 990));
		ms_free(n);
	}
	/* 100000 wrappers: refused, not a stack overflow. */
	memset(text, 'n', 100000);
	strcpy(text + 100000, ":pk(" K1 ")");
	CHECK(parse(text, &t, &ko) == NULL);
	free(text);
}

UNIT_MAIN(UNIT_CASE(test_core_table), UNIT_CASE(test_scripts),
    UNIT_CASE(test_types), UNIT_CASE(test_parse_print), UNIT_CASE(test_infer),
    UNIT_CASE(test_depth))
