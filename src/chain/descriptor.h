/*
 * Output script descriptors (BIP380-386) as Bitcoin Core 28 parses them
 * for its non-wallet RPCs: pk, pkh, wpkh, combo, sh, wsh, multi,
 * sortedmulti, multi_a, sortedmulti_a, tr (with script trees), rawtr, addr
 * and raw, over hex, WIF and xpub/xprv keys with derivation paths, ranges
 * and [fingerprint/path] origins, and the "#checksum". Miniscript and
 * multipath <a;b> paths are not parsed (Core 28 has no multipath either).
 *
 * struct descriptor is opaque, owned by the caller and freed with
 * descriptor_free; it keeps any private keys it was given, wiped on free.
 * Reentrant; chainparams is only read and must outlive the descriptor.
 */
#ifndef BR_DESCRIPTOR_H
#define BR_DESCRIPTOR_H

#include <stddef.h>
#include <stdint.h>

#include "chain/chainparams.h"

#define DESCRIPTOR_CHECKSUM_LEN 8
/* As long as an RPC error message (struct rpc_error); longer ones are cut. */
#define DESCRIPTOR_ERR_LEN 512
/* combo() gives the most scripts: P2PK, P2PKH, P2WPKH, P2SH-P2WPKH. */
#define DESCRIPTOR_MAX_SCRIPTS 4

struct descriptor;

/* The scripts of a descriptor at one position (descriptor_expand). */
struct descriptor_output {
	size_t n;
	uint8_t *script[DESCRIPTOR_MAX_SCRIPTS];
	size_t len[DESCRIPTOR_MAX_SCRIPTS];
	/*
	 * For each script, what Core's InferDescriptor gives for it with the
	 * keys and scripts of the expansion known: the keys at this position
	 * as hex with their origins, sortedmulti as multi in script order,
	 * and the checksum appended (scantxoutset's "desc").
	 */
	char *inferred[DESCRIPTOR_MAX_SCRIPTS];
};

/*
 * Checksum of the len bytes at s (the descriptor without '#...') into out
 * (8 characters and a NUL). Returns 0, or -1 if s has a character outside
 * the descriptor character set.
 */
int descriptor_checksum(const char *s, size_t len,
    char out[DESCRIPTOR_CHECKSUM_LEN + 1]);
/*
 * Parses s for chain p. With require_checksum the "#checksum" must be
 * there. Returns 0 with *out set, or -1 with Core's message in err (errlen
 * bytes, may be 0), e.g. "Missing checksum", "pkh(): key 'x' is not
 * valid", "Can only have wpkh() at top level or inside sh()". Like Core,
 * the message is empty when text follows a complete expression.
 */
int descriptor_parse(const struct chainparams *p, const char *s,
    int require_checksum, struct descriptor **out, char *err, size_t errlen);
void descriptor_free(struct descriptor *d);

/*
 * The scripts at position pos (ignored unless the descriptor is ranged).
 * 0 with out filled (free with descriptor_output_free), or -1 when a
 * hardened step needs a private key the descriptor does not hold (Core's
 * "Cannot derive script without private keys"). d keeps each ranged key's
 * parent once derived, so a range costs one derivation a key and position:
 * one thread at a time per descriptor.
 */
int descriptor_expand(struct descriptor *d, uint32_t pos,
    struct descriptor_output *out);
void descriptor_output_free(struct descriptor_output *o);
/*
 * The private keys the descriptor gives at pos (WIF keys, and xprv keys
 * derived along their paths), for signing: secrets into keys (room for
 * max), compressed flags into compressed; returns how many, at most max.
 * The caller wipes keys after use.
 */
size_t descriptor_private_keys(const struct descriptor *d, uint32_t pos,
    uint8_t (*keys)[32], int *compressed, size_t max);

/*
 * What Core's Expand and ExpandPrivate put in a FlatSigningProvider for
 * position pos: the private keys, every derived key's origin, the public
 * keys of pkh/wpkh/combo/tr, the redeem and witness scripts of sh()/wsh()
 * (and combo's P2WPKH), and each tr() output's tree. 0, or -1 as
 * descriptor_expand fails.
 */
struct sign_provider;
int descriptor_provide(struct descriptor *d, uint32_t pos,
    struct sign_provider *p);

/*
 * The canonical form with its checksum appended, as getdescriptorinfo's
 * "descriptor": private keys replaced by public ones, hex in lowercase,
 * hardened steps marked as the input marked them last (' or h).
 * xmalloc'd; the caller frees it.
 */
char *descriptor_to_string(const struct descriptor *d);
/*
 * Checksum of the text as given, before any '#' (getdescriptorinfo's
 * "checksum"); valid while d lives.
 */
const char *descriptor_input_checksum(const struct descriptor *d);
int descriptor_is_range(const struct descriptor *d);
/* Everything but raw() and addr() is solvable, as in Core. */
int descriptor_is_solvable(const struct descriptor *d);
/* Whether any key was given as WIF or xprv. */
int descriptor_has_private_keys(const struct descriptor *d);
/*
 * What Core's InferDescriptor gives for a P2WSH output whose witness script
 * is known and is sane Miniscript (decodescript's segwit "desc"):
 * "wsh(...)#checksum" with the keys as hex, or NULL when the script is no
 * such Miniscript. xmalloc'd.
 */
char *descriptor_infer_wsh_miniscript(const uint8_t *script, size_t len);

#endif
