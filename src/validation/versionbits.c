/*
 * BIP9 state machine (see versionbits.h). States change only at period
 * boundaries, so the state after prev is the state computed at the last
 * block of the previous period, walking forward from the first period.
 */
#include <stddef.h>
#include <stdint.h>

#include "chain/chainparams.h"
#include "validation/versionbits.h"

/* Core's regtest: testdummy starts at once and never times out. */
static const struct vb_deployment regtest_deployments[] = {
	{ "testdummy", 28, 0, INT64_MAX, 0, 144, 108 },
};

const struct vb_deployment *
vb_deployments(const struct chainparams *cp, int *n)
{
	if (cp->id == CHAIN_REGTEST) {
		*n = (int)(sizeof(regtest_deployments) /
		    sizeof(regtest_deployments[0]));
		return regtest_deployments;
	}
	*n = 0;
	return NULL;
}

static int
signals(const struct vb_deployment *d, int32_t version)
{
	return ((uint32_t)version & VERSIONBITS_TOP_MASK) ==
	    VERSIONBITS_TOP_BITS &&
	    ((uint32_t)version >> d->bit & 1);
}

/*
 * Walks the periods up to prev; *since gets the first height of the
 * period where the final state began.
 */
static enum vb_state
walk(const struct vb_deployment *d, struct bindex *prev, int32_t *since)
{
	enum vb_state st = VB_DEFINED;
	int32_t end, h, count;
	struct bindex *last, *b;

	*since = 0;
	if (d->start_time == -1)
		return VB_ACTIVE;
	if (d->start_time == -2)
		return VB_FAILED;
	if (prev == NULL)
		return VB_DEFINED;
	/* Last block of each complete period up to prev. */
	end = prev->e.height - ((prev->e.height + 1) % d->period);
	for (h = d->period - 1; h <= end; h += d->period) {
		enum vb_state next = st;

		last = bindex_ancestor(prev, h);
		switch (st) {
		case VB_DEFINED:
			if (bindex_median_time_past(last) >= d->start_time)
				next = VB_STARTED;
			break;
		case VB_STARTED:
			/* Lock-in wins over a timeout in the same period. */
			count = 0;
			for (b = last; b && b->e.height > h - d->period;
			     b = b->parent)
				count += signals(d, b->e.hdr.version);
			if (count >= d->threshold)
				next = VB_LOCKED_IN;
			else if (bindex_median_time_past(last) >= d->timeout)
				next = VB_FAILED;
			break;
		case VB_LOCKED_IN:
			if (h + 1 >= d->min_activation_height)
				next = VB_ACTIVE;
			break;
		case VB_ACTIVE:
		case VB_FAILED: break;
		}
		if (next != st) {
			st = next;
			*since = h + 1;
		}
	}
	return st;
}

enum vb_state
vb_state_after(const struct vb_deployment *d, struct bindex *prev)
{
	int32_t since;

	return walk(d, prev, &since);
}

int32_t
vb_state_since(const struct vb_deployment *d, struct bindex *prev)
{
	int32_t since;

	(void)walk(d, prev, &since);
	return since;
}

const char *
vb_state_name(enum vb_state s)
{
	switch (s) {
	case VB_DEFINED: return "defined";
	case VB_STARTED: return "started";
	case VB_LOCKED_IN: return "locked_in";
	case VB_ACTIVE: return "active";
	case VB_FAILED: return "failed";
	}
	return "unknown";
}

int32_t
vb_block_version(const struct chainparams *cp, struct bindex *prev)
{
	const struct vb_deployment *d;
	uint32_t v = VERSIONBITS_TOP_BITS;
	int n, i;

	d = vb_deployments(cp, &n);
	for (i = 0; i < n; i++) {
		enum vb_state s = vb_state_after(&d[i], prev);

		if (s == VB_STARTED || s == VB_LOCKED_IN)
			v |= 1u << d[i].bit;
	}
	return (int32_t)v;
}
