/*
 * Output script descriptors, as far as the node needs them: the BIP380
 * checksum, and the top-level raw(HEX) and addr(ADDR) forms (BIP385) with
 * an optional "#checksum", which is then checked, as Core's Parse does.
 *
 * struct descriptor is opaque, owned by the caller and freed with
 * descriptor_free. Reentrant; chainparams is only read.
 */
#ifndef BR_DESCRIPTOR_H
#define BR_DESCRIPTOR_H

#include <stddef.h>
#include <stdint.h>

#include "chain/chainparams.h"

#define DESCRIPTOR_CHECKSUM_LEN 8
#define DESCRIPTOR_ERR_LEN 160

struct descriptor;

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
 * bytes, may be 0), e.g. "Missing checksum", "Provided checksum 'x' does not
 * match computed checksum 'y'", "Raw script is not hex", "Address is not
 * valid", "'foo' is not a valid descriptor function".
 */
int descriptor_parse(const struct chainparams *p, const char *s,
    int require_checksum, struct descriptor **out, char *err, size_t errlen);
void descriptor_free(struct descriptor *d);

/* The output script; valid while d lives. */
const uint8_t *descriptor_script(const struct descriptor *d, size_t *len);
/*
 * The normalised form with its checksum appended, as getdescriptorinfo's
 * "descriptor": raw() in lowercase hex, addr() re-encoded (Bech32 in
 * lowercase). xmalloc'd; the caller frees it.
 */
char *descriptor_to_string(const struct descriptor *d);
/*
 * Checksum of the text as given, before any '#' (getdescriptorinfo's
 * "checksum"); valid while d lives.
 */
const char *descriptor_input_checksum(const struct descriptor *d);
/*
 * raw() and addr() descriptors are never ranged, solvable or holders of
 * private keys; these say so for getdescriptorinfo.
 */
int descriptor_is_range(const struct descriptor *d);
int descriptor_is_solvable(const struct descriptor *d);
int descriptor_has_private_keys(const struct descriptor *d);

#endif
