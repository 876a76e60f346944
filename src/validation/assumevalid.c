/*
 * The assumevalid decision (assumevalid.h). Kept apart from connect.c so a
 * unit test can hand it synthetic block-index states.
 */
#include <string.h>

#include "chain/pow.h"
#include "validation/assumevalid.h"

const char *
assumevalid_check_reason(const struct assumevalid_view *v, struct bindex *bi)
{
	int32_t h = bi->e.height;

	if (!v->enabled)
		return "assumevalid=0";
	if (v->av == NULL)
		return "assumevalid block not in the block index";
	if (bindex_ancestor(v->av, h) != bi)
		return "block not in the assumevalid block's chain";
	if (v->best == NULL || bindex_ancestor(v->best, h) != bi)
		return "block not in the best header's chain";
	/* Big-endian: bytewise order is numeric order. */
	if (memcmp(v->best->e.chainwork, v->min_work, 32) < 0)
		return "best header below the minimum chain work";
	/*
	 * Buried under two weeks of work: to slip an invalid script past
	 * nodes, hash power would have to out-mine the chain for that long
	 * in the open, rather than just ask users to set -assumevalid.
	 */
	if (pow_equivalent_time(v->best->e.chainwork, bi->e.chainwork,
		v->best->e.hdr.bits, v->spacing) <= ASSUMEVALID_MIN_AGE)
		return "block too recent relative to the best header";
	return NULL;
}
