/*
 * Internals shared by the descriptor files (descriptor.c: entry points and
 * checksum; descriptor_keys.c: key expressions; descriptor_parse.c: script
 * functions; descriptor_expand.c: scripts at a position and their
 * inferred strings; descriptor_taptree.c: taproot trees;
 * descriptor_string.c: the canonical string). Not for other
 * modules: they see only descriptor.h.
 */
#ifndef BR_DESCRIPTOR_INT_H
#define BR_DESCRIPTOR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chain/chainparams.h"
#include "chain/descriptor.h"
#include "crypto/bip32.h"

struct ms_node;

/* Core's limits (script/script.h, policy and descriptor.cpp). */
#define DESC_MAX_MULTISIG_KEYS 20 /* MAX_PUBKEYS_PER_MULTISIG */
#define DESC_MAX_BARE_MULTISIG 3  /* bare multi() at top level */
#define DESC_MAX_MULTI_A_KEYS 999 /* MAX_PUBKEYS_PER_MULTI_A */
#define DESC_MAX_ELEMENT_SIZE 520 /* MAX_SCRIPT_ELEMENT_SIZE */
#define DESC_MAX_TREE_DEPTH 128	  /* TAPROOT_CONTROL_MAX_NODE_COUNT */

/* Where a script expression stands; decides what it may contain. */
enum desc_ctx { CTX_TOP, CTX_P2SH, CTX_P2WPKH, CTX_P2WSH, CTX_P2TR };

enum desc_derive { DERIVE_NONE, DERIVE_UNHARDENED, DERIVE_HARDENED };

/* One key expression: a constant key or an extended key with a path. */
struct desc_key {
	int is_ext;
	/* Constant: the key (33 or 65 bytes), and whether it stands x-only. */
	uint8_t pub[65];
	size_t publen;
	int xonly;
	uint8_t secret[32]; /* WIF, or the xprv's key */
	int has_secret;
	/* Extended: the root as given, the path after it, the range. */
	struct bip32_key ext;
	uint32_t *path;
	size_t npath;
	enum desc_derive derive;
	/*
	 * Ranged: the key at the end of path, derived once on first use, so
	 * each position costs one step (a descriptor is one caller's).
	 */
	struct bip32_key prefix;
	int have_prefix;
	/* Optional [fingerprint/path] origin. */
	int has_origin;
	uint8_t fpr[4];
	uint32_t *opath;
	size_t nopath;
	/* Core prints hardened steps with the marker seen last: ' or h. */
	int apostrophe;
};

enum desc_type {
	DESC_PK,
	DESC_PKH,
	DESC_WPKH,
	DESC_COMBO,
	DESC_SH,
	DESC_WSH,
	DESC_MULTI,
	DESC_SORTEDMULTI,
	DESC_MULTI_A,
	DESC_SORTEDMULTI_A,
	DESC_TR,
	DESC_RAWTR,
	DESC_ADDR,
	DESC_RAW,
	DESC_MINISCRIPT, /* in wsh() or a tr() leaf; keys in keys */
};

struct desc_node {
	enum desc_type type;
	int xonly; /* pk() inside tr(): 32-byte key */
	struct desc_key **keys;
	size_t nkeys;
	uint32_t threshold;
	struct desc_node **subs; /* sh/wsh: one; tr: the leaves */
	int *depths;		 /* tr: depth of each leaf */
	size_t nsubs;
	uint8_t *script; /* raw/addr */
	size_t script_len;
	char *addr; /* addr: normalised */
	struct ms_node *ms; /* miniscript: the tree, over keys */
};

struct descriptor {
	struct desc_node *root;
	const struct chainparams *cp;
	char checksum[DESCRIPTOR_CHECKSUM_LEN + 1];
};

/* A key derived at one position, with its origin for inferred strings. */
struct desc_pubkey {
	uint8_t pub[65];
	size_t len;
	int xonly;
	uint8_t fpr[4];
	uint32_t *path; /* xmalloc'd */
	size_t npath;
};

/* descriptor_keys.c */
int desc_key_parse(const struct chainparams *cp, const char *s, size_t n,
    enum desc_ctx ctx, struct desc_key **out, char *err, size_t errlen);
void desc_key_free(struct desc_key *k);
int desc_key_is_range(const struct desc_key *k);
/* 33 or 65: the size of the key this expression gives (for P2SH sizes). */
size_t desc_key_size(const struct desc_key *k);
/* The key at pos; 0, or -1 when a hardened step needs a missing secret. */
int desc_key_derive(struct desc_key *k, uint32_t pos,
    struct desc_pubkey *out);
void desc_pubkey_clear(struct desc_pubkey *p);
/* Appends the public form of k to *buf (xmalloc'd, grown). */
void desc_key_append(const struct chainparams *cp, const struct desc_key *k,
    char **buf);
void desc_path_append(char **buf, const uint32_t *path, size_t n,
    int apostrophe);

/* descriptor_parse.c */
struct desc_node *desc_parse_script(const struct chainparams *cp,
    const char **sp, const char *end, enum desc_ctx ctx, char *err,
    size_t errlen);
void desc_node_free(struct desc_node *n);

/* descriptor_miniscript.c */
/*
 * Miniscript text in wsh() (ctx CTX_P2WSH) or a tr() leaf (CTX_P2TR):
 * the node, or NULL. With NULL, *failed says whether err holds the answer
 * (a bad key, Core's "... is not sane" verdict, or Miniscript where it
 * may not stand: any other ctx) or the text is no miniscript and the
 * caller gives its generic error.
 */
struct desc_node *desc_parse_miniscript(const struct chainparams *cp,
    const char *s, size_t n, enum desc_ctx ctx, char *err, size_t errlen,
    int *failed);
void desc_miniscript_append(const struct chainparams *cp,
    const struct desc_node *n, char **buf);
/*
 * The script of n for the keys at one position (keys[i]: key i of n, 33
 * bytes), and its text with each key printed by print (xmalloc'd both).
 */
void desc_miniscript_script(const struct desc_node *n,
    const uint8_t (*keys)[33],
    void (*print)(void *arg, size_t i, int is_hash, char **buf), void *arg,
    uint8_t **script, size_t *len, char **inferred);

/* descriptor_taptree.c: a tr() leaf, expanded. */
struct desc_tapleaf {
	uint8_t *script;
	size_t len;
	char *inferred;
	int depth;
};
void desc_taptree_root(const struct desc_tapleaf *l, size_t n,
    uint8_t root[32]);
/*
 * Appends ",TREE" as Core's InferTaprootTree rebuilds it from spending
 * data; 0, or -1 where Core would fail and infer rawtr() instead.
 */
int desc_taptree_infer(const struct desc_tapleaf *l, size_t n, char **buf);

/* descriptor_expand.c: the script of one node (xmalloc'd), 0 or -1. */
int desc_node_script(const struct desc_node *n, uint32_t pos, uint8_t **s,
    size_t *len);

/* descriptor_string.c */
void desc_append(char **buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
