/*
 * Unknown version-bits rules (versionbits.h, struct vb_warn): Core's
 * warning "Unknown new rules activated (versionbit N)" needs the BIP9
 * state of every bit, not only of the deployments we know, so each bit is
 * walked as Core's WarningBitsConditionChecker does. States change only at
 * period ends; the walk resumes from the last period end it saw when that
 * block is still an ancestor of the tip, and starts over after a reorg
 * below it.
 */
#include <string.h>

#include "chain/chainparams.h"
#include "validation/versionbits.h"

/* Core's nMinerConfirmationWindow and nRuleChangeActivationThreshold. */
static void
window(const struct chainparams *cp, int32_t *period, int32_t *threshold)
{
	switch (cp->id) {
	case CHAIN_REGTEST:
		*period = 144;
		*threshold = 108;
		break;
	case CHAIN_TESTNET3:
	case CHAIN_TESTNET4:
		*period = 2016;
		*threshold = 1512;
		break;
	default:
		*period = 2016;
		*threshold = 1815;
		break;
	}
}

/* One period ending at last: counts and moves every bit's state. */
static void
step(struct vb_warn *w, const struct chainparams *cp, struct bindex *last,
    int32_t period, int32_t threshold)
{
	int32_t count[VB_NUM_BITS];
	struct bindex *b, *first_prev;
	uint32_t expected, v, bits;
	int bit;

	memset(count, 0, sizeof(count));
	/* Our own version is the same for the whole period (states move at its ends). */
	first_prev = last->e.height >= period ?
	    bindex_ancestor(last, last->e.height - period) :
	    NULL;
	expected = (uint32_t)vb_block_version(cp, first_prev);
	for (b = last; b && b->e.height > last->e.height - period;
	     b = b->parent) {
		v = (uint32_t)b->e.hdr.version;
		if ((v & VERSIONBITS_TOP_MASK) != VERSIONBITS_TOP_BITS)
			continue;
		bits = v & ~expected & ((1u << VB_NUM_BITS) - 1);
		for (bit = 0; bits; bit++, bits >>= 1)
			count[bit] += bits & 1;
	}
	for (bit = 0; bit < VB_NUM_BITS; bit++) {
		switch (w->st[bit]) {
		case VB_DEFINED:
			/* Start time 0: every median time past is past it. */
			w->st[bit] = VB_STARTED;
			break;
		case VB_STARTED:
			if (count[bit] >= threshold)
				w->st[bit] = VB_LOCKED_IN;
			break;
		case VB_LOCKED_IN: w->st[bit] = VB_ACTIVE; break;
		default: break;
		}
	}
}

int
vb_warn_active(struct vb_warn *w, const struct chainparams *cp,
    struct bindex *tip)
{
	int32_t period, threshold, end, h;
	int bit;

	window(cp, &period, &threshold);
	if (tip == NULL)
		return -1;
	/* The last block of the last complete period up to tip. */
	end = tip->e.height - ((tip->e.height + 1) % period);
	if (w->end != NULL &&
	    (w->end->e.height > end ||
		bindex_ancestor(tip, w->end->e.height) != w->end)) {
		memset(w, 0, sizeof(*w)); /* a reorg below it: start over */
	}
	h = w->end != NULL ? w->end->e.height + period : period - 1;
	for (; h <= end; h += period) {
		w->end = bindex_ancestor(tip, h);
		step(w, cp, w->end, period, threshold);
	}
	for (bit = 0; bit < VB_NUM_BITS; bit++)
		if (w->st[bit] == VB_ACTIVE)
			return bit;
	return -1;
}
