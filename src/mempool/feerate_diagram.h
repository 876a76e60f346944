/*
 * Fee-rate diagrams (Core's util/feefrac and CompareChunks): a chunk is a
 * fee and a size; a diagram is a list of chunks sorted by fee rate, best
 * first, read as the cumulative (size, fee) curve they draw. Package RBF
 * replaces only when the diagram with the replacement is strictly better
 * somewhere and worse nowhere. Pure functions, any thread.
 */
#ifndef BR_FEERATE_DIAGRAM_H
#define BR_FEERATE_DIAGRAM_H

#include <stddef.h>
#include <stdint.h>

struct feefrac {
	int64_t fee;
	int64_t size; /* vbytes, > 0 in a chunk */
};

/*
 * Compares the fee rates a.fee/a.size and b.fee/b.size exactly (128-bit
 * cross products): -1, 0 or 1. A size of 0 counts as an infinite rate
 * when its fee is positive, as Core's cross multiplication makes it.
 */
int feefrac_cmp_rate(const struct feefrac *a, const struct feefrac *b);

/*
 * Core's FeeFrac ordering, best first: higher fee rate first, and for
 * equal rates the smaller chunk first. Sorts c in place.
 */
void feefrac_sort(struct feefrac *c, size_t n);

enum diagram_order {
	DIAGRAM_EQUAL = 0, /* neither is better anywhere */
	DIAGRAM_BETTER,	   /* the first is better somewhere, worse nowhere */
	DIAGRAM_WORSE,	   /* the second is */
	DIAGRAM_UNORDERED, /* each is better somewhere */
};

/*
 * Core's CompareChunks: compares the diagrams drawn by chunk lists a and b
 * (each sorted with feefrac_sort); past its end a diagram stays flat.
 */
enum diagram_order feerate_diagram_compare(const struct feefrac *a, size_t na,
    const struct feefrac *b, size_t nb);

#endif
