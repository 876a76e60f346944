/*
 * Internal to the PSBT code: what psbt.c (parsing) and psbt_write.c
 * (writing, copying, merging) share. Not for other modules.
 */
#ifndef BR_PSBT_INT_H
#define BR_PSBT_INT_H

#include <stdint.h>

#include "script/psbt.h"

/* Whether p holds 32 zero bytes. */
int psbt_is_zero32(const uint8_t *p);
/* Empty records with their maps' orderings set. */
void psbt_init_input(struct psbt_input *in);
void psbt_init_output(struct psbt_output *o);
void psbt_init(struct psbt *p);
/* Frees what an input owns (it is then to be initialised again). */
void psbt_input_free(struct psbt_input *in);

/* ---- psbt_final.c, for psbt_sign.c ---- */

/*
 * PrecomputePSBTData: NULL unless every input's UTXO is known, with
 * *spent (free it after the result) holding them.
 */
struct script_txdata *psbt_precompute(const struct psbt *p,
    struct txout **spent);
/* PSBTInputSignedAndVerified: the final scripts (maybe none) pass. */
int psbt_input_verified(const struct psbt *p, size_t i,
    const struct script_txdata *td);
/*
 * The keyless end of SignPSBTInput on input i: whether its signatures
 * complete it (then, with finalize, the final scripts replace the
 * partial fields), and the witness UTXO of a witness spend.
 */
int psbt_input_finish(struct psbt *p, size_t i, const struct script_txdata *td,
    int finalize);

/* A pk() (k = 1, one key) or multi_a() tapscript: its x-only keys. */
struct psbt_tapkeys {
	const uint8_t **key; /* into the script; xmalloc'd array */
	size_t n;
	uint32_t k;
};
/* 1 with *out (free out->key) when s is one of those, else 0. */
int psbt_tapleaf_keys(const uint8_t *s, size_t len, struct psbt_tapkeys *out);

#endif
