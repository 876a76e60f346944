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

#endif
