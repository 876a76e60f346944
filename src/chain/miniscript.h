/*
 * Miniscript (BIP379) as Bitcoin Core 28 parses, type-checks, compiles and
 * prints it inside wsh() and tr() leaves of output descriptors.
 *
 * miniscript.c: text to tree (Core's Parse, same acceptance) and tree back
 * to text (Core's ToString, with its t:, l:, u:, and_n, pk and pkh sugar);
 * miniscript_type.c: the type system (B/V/K/W and z,o,n,d,u,e,f,s,m,x,k),
 * script size, op count, stack sizes, duplicate keys and Core's sanity
 * verdict with its exact error text; miniscript_compile.c: tree to script;
 * miniscript_decode.c: script back to a tree (Core's DecodeScript);
 * miniscript_satisfy.c: witness stacks (Core's ProduceInput).
 *
 * Keys are not this module's: a node names its keys by index into a table
 * the caller owns (the descriptor's keys, in the order the text gives
 * them). Parsing asks the caller to parse each key through struct
 * ms_keyops; compiling takes the keys' bytes at one position.
 *
 * A struct ms_node tree is owned by whoever parsed or decoded it and freed
 * with ms_free. Everything here is reentrant; nothing is global.
 */
#ifndef BR_MINISCRIPT_H
#define BR_MINISCRIPT_H

#include <stddef.h>
#include <stdint.h>

enum ms_ctx { MS_P2WSH, MS_TAPSCRIPT };

enum ms_frag {
	MS_0,
	MS_1,
	MS_PK_K,
	MS_PK_H,
	MS_OLDER,
	MS_AFTER,
	MS_SHA256,
	MS_HASH256,
	MS_RIPEMD160,
	MS_HASH160,
	MS_WRAP_A,
	MS_WRAP_S,
	MS_WRAP_C,
	MS_WRAP_D,
	MS_WRAP_V,
	MS_WRAP_J,
	MS_WRAP_N,
	MS_AND_V,
	MS_AND_B,
	MS_OR_B,
	MS_OR_C,
	MS_OR_D,
	MS_OR_I,
	MS_ANDOR,
	MS_THRESH,
	MS_MULTI,
	MS_MULTI_A,
};

/* Type bits: the base types, then the properties (BIP379). */
#define MS_T_B (1u << 0)
#define MS_T_V (1u << 1)
#define MS_T_K (1u << 2)
#define MS_T_W (1u << 3)
#define MS_T_z (1u << 4)
#define MS_T_o (1u << 5)
#define MS_T_n (1u << 6)
#define MS_T_d (1u << 7)
#define MS_T_u (1u << 8)
#define MS_T_e (1u << 9)
#define MS_T_f (1u << 10)
#define MS_T_s (1u << 11)
#define MS_T_m (1u << 12)
#define MS_T_x (1u << 13)
#define MS_T_k (1u << 14) /* no mix of timelock kinds */
/* Timelock kinds present: relative time, relative height, absolute
 * time, absolute height (Core's g, h, i, j). */
#define MS_T_g (1u << 15)
#define MS_T_h (1u << 16)
#define MS_T_i (1u << 17)
#define MS_T_j (1u << 18)

/* A bound that may not exist (Core's MaxInt). */
struct ms_maxint {
	int valid;
	uint32_t v;
};

/* Stack effect of a set of scripts (Core's SatInfo). */
struct ms_satinfo {
	int valid;
	int32_t netdiff, exec;
};

struct ms_node {
	enum ms_frag frag;
	enum ms_ctx ctx;
	uint32_t k;	       /* older/after value, multi/thresh threshold */
	struct ms_node **subs; /* owned */
	size_t nsubs;
	size_t *keys; /* indices into the caller's key table; owned */
	size_t nkeys;
	uint8_t data[32]; /* hash fragments: 32 or 20 bytes */
	size_t datalen;
	/* Derived by ms_node_finish, bottom-up. */
	uint32_t type;
	size_t script_size;
	uint32_t ops_count;
	struct ms_maxint ops_sat, ops_dsat;
	struct ms_satinfo ss_sat, ss_dsat;
	int dup_keys;
};

/* How the caller's keys are parsed and compared while parsing. */
struct ms_keyops {
	void *arg;
	/*
	 * Parses the n bytes at s as one key; returns its index in the
	 * caller's table, or -1 with the caller's own error recorded (a key
	 * error ends the parse; Core reports it as the descriptor's error).
	 */
	int (*parse)(void *arg, const char *s, size_t n);
	/* Orders two keys of the table (for duplicate detection). */
	int (*cmp)(void *arg, size_t a, size_t b);
	/*
	 * Appends key i's text to *buf (xmalloc'd, grown); is_hash when the
	 * key stands under pk_h (inference prints those differently).
	 */
	void (*print)(void *arg, size_t i, int is_hash, char **buf);
};

/*
 * Parses the n bytes at s as Core's miniscript::FromString does. NULL when
 * the text is no miniscript (or a key failed: keyops->parse recorded why).
 * The tree is typed, sized and duplicate-checked but maybe not sane.
 */
struct ms_node *ms_parse(const char *s, size_t n, enum ms_ctx ctx,
    const struct ms_keyops *keyops);
void ms_free(struct ms_node *n);

/*
 * Core's MiniscriptDescriptor verdict: 0 when the tree is sane and
 * satisfiable, else -1 with Core's message ("X is not sane: ...") in err.
 */
int ms_check_sane(const struct ms_node *n, const struct ms_keyops *keyops,
    char *err, size_t errlen);
int ms_is_sane(const struct ms_node *n);

/* The text of the tree (Core's ToString); xmalloc'd. */
char *ms_to_string(const struct ms_node *n, const struct ms_keyops *keyops);

/*
 * The script. keys[i] is key i of the table as a 33-byte compressed key;
 * tapscript pushes its x-only part. xmalloc'd, length in *len.
 */
uint8_t *ms_compile(const struct ms_node *n, const uint8_t (*keys)[33],
    size_t *len);

/*
 * Decodes a script as Core's miniscript::FromScript. keyfn maps a pushed
 * key (33 bytes in P2WSH, 32 in tapscript) or, with is_hash, a 20-byte key
 * hash to an index in the caller's table, or -1 when it cannot (the decode
 * then fails, as Core's does); cmp orders the table's keys. NULL when the
 * script is no valid top-level (B) Miniscript; the tree may be insane.
 */
struct ms_node *ms_decode(const uint8_t *s, size_t len, enum ms_ctx ctx,
    int (*keyfn)(void *arg, const uint8_t *p, size_t n, int is_hash),
    void *arg, int (*cmp)(void *arg, size_t a, size_t b));

/* Core's miniscript::Availability. */
enum ms_avail { MS_AVAIL_NO, MS_AVAIL_YES, MS_AVAIL_MAYBE };

/* A witness stack element, borrowed (from the satisfier or static). */
struct ms_item {
	const uint8_t *p;
	size_t len;
};

/*
 * What a satisfaction may use (Core's satisfier context). sign gives the
 * signature for key i (the table's index) in *sig, or says it is not
 * available; key_bytes the key as pk_h pushes it; preimage the preimage
 * of a hash fragment's hash (data, datalen); older and after whether the
 * spending transaction meets a relative or absolute lock.
 */
struct ms_satisfier {
	void *arg;
	enum ms_avail (*sign)(void *arg, size_t key, struct ms_item *sig);
	struct ms_item (*key_bytes)(void *arg, size_t key);
	enum ms_avail (*preimage)(void *arg, enum ms_frag f,
	    const uint8_t *hash, size_t hlen, struct ms_item *out);
	int (*older)(void *arg, uint32_t n);
	int (*after)(void *arg, uint32_t n);
};

/*
 * miniscript_satisfy.c: Core's Node::Satisfy. The best satisfaction's
 * stack, bottom first (*stack xmalloc'd, its items borrowed); with
 * nonmalleable, a malleable or signature-free one counts as none
 * (MS_AVAIL_NO, empty stack).
 */
enum ms_avail ms_satisfy(const struct ms_node *n,
    const struct ms_satisfier *c, int nonmalleable, struct ms_item **stack,
    size_t *nstack);

/* miniscript_type.c: internals shared by the module's files. */
struct ms_node *ms_node_new(enum ms_frag f, enum ms_ctx ctx);
void ms_node_add_sub(struct ms_node *n, struct ms_node *sub);
void ms_node_add_key(struct ms_node *n, size_t key);
/* Computes type, size, ops and stack sizes from the subs' values. */
void ms_node_finish(struct ms_node *n);
/* Marks duplicate keys over the whole tree (Core's DuplicateKeyCheck). */
void ms_dup_check(struct ms_node *n, int (*cmp)(void *, size_t, size_t),
    void *arg);
size_t ms_max_script_size(enum ms_ctx ctx);
int ms_is_valid(const struct ms_node *n);

#endif
