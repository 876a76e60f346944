/*
 * Fee-rate diagram comparison (Core 28's CompareChunks in util/feefrac):
 * walks both cumulative curves by size and, at each point of one, asks
 * whether it lies above or below the segment of the other that spans its
 * size. Only the ordering matters, so slopes are compared as fractions,
 * never divided.
 */
#include <stdlib.h>

#include "mempool/feerate_diagram.h"

/* GCC and clang have it on every target we build for. */
__extension__ typedef __int128 i128;

int
feefrac_cmp_rate(const struct feefrac *a, const struct feefrac *b)
{
	i128 l = (i128)a->fee * b->size, r = (i128)b->fee * a->size;

	return l < r ? -1 : l > r;
}

/* qsort order: best first (see the header). */
static int
chunk_order(const void *x, const void *y)
{
	const struct feefrac *a = x, *b = y;
	int c = feefrac_cmp_rate(a, b);

	if (c != 0)
		return -c;
	return a->size < b->size ? -1 : a->size > b->size;
}

void
feefrac_sort(struct feefrac *c, size_t n)
{
	if (n > 1)
		qsort(c, n, sizeof(*c), chunk_order);
}

static struct feefrac
ff_sub(struct feefrac a, struct feefrac b)
{
	struct feefrac d = { a.fee - b.fee, a.size - b.size };

	return d;
}

enum diagram_order
feerate_diagram_compare(const struct feefrac *a, size_t na,
    const struct feefrac *b, size_t nb)
{
	const struct feefrac *chunks[2] = { a, b };
	const size_t len[2] = { na, nb };
	size_t next[2] = { 0, 0 };
	struct feefrac acc[2] = { { 0, 0 }, { 0, 0 } };
	int better[2] = { 0, 0 };

	for (;;) {
		int done0 = next[0] == len[0], done1 = next[1] == len[1];
		struct feefrac pt[2], ap, ab;
		int side, other, cmp;

		if (done0 && done1)
			break;
		if (!done0) {
			pt[0] = acc[0];
			pt[0].fee += chunks[0][next[0]].fee;
			pt[0].size += chunks[0][next[0]].size;
		}
		if (!done1) {
			pt[1] = acc[1];
			pt[1].fee += chunks[1][next[1]].fee;
			pt[1].size += chunks[1][next[1]].size;
		}
		/* The side whose next point comes first (by size). */
		if (done0 || done1)
			side = done0;
		else
			side = pt[0].size > pt[1].size;
		other = !side;
		/*
		 * Is P (the next point of side) above or below the line from
		 * A (the other's last point) to B (its next one)? Compare
		 * the slopes AP and AB; past the other's end AB is flat.
		 */
		ap = ff_sub(pt[side], acc[other]);
		if (done0 || done1) {
			struct feefrac flat = { 0, 1 };

			cmp = feefrac_cmp_rate(&ap, &flat);
		} else {
			ab = ff_sub(pt[other], acc[other]);
			cmp = feefrac_cmp_rate(&ap, &ab);
			/* B at the same size is compared already: step it. */
			if (pt[other].size == pt[side].size) {
				acc[other] = pt[other];
				next[other]++;
			}
		}
		if (cmp > 0)
			better[side] = 1;
		if (cmp < 0)
			better[other] = 1;
		acc[side] = pt[side];
		next[side]++;
		if (better[0] && better[1])
			return DIAGRAM_UNORDERED;
	}
	if (better[0])
		return DIAGRAM_BETTER;
	return better[1] ? DIAGRAM_WORSE : DIAGRAM_EQUAL;
}
