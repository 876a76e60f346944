/*
 * BIP9 version bits, for the block version miners signal and for
 * getblocktemplate/getdeploymentinfo. No deployment is enforced through
 * version bits any more (Core buries them all); the one Core still defines
 * is "testdummy", which only regtest starts. Owner thread only (it walks
 * the block index without the lock).
 */
#ifndef BR_VERSIONBITS_H
#define BR_VERSIONBITS_H

#include <stdint.h>

#include "validation/blockindex.h"

#define VERSIONBITS_TOP_BITS 0x20000000
#define VERSIONBITS_TOP_MASK 0xe0000000u

enum vb_state { VB_DEFINED, VB_STARTED, VB_LOCKED_IN, VB_ACTIVE, VB_FAILED };

struct vb_deployment {
	const char *name;
	int bit;
	int64_t start_time; /* -1: always active, -2: never */
	int64_t timeout;
	int32_t min_activation_height;
	int32_t period;
	int32_t threshold;
};

struct chainparams;

/* The chain's version-bits deployments; *n of them. */
const struct vb_deployment *vb_deployments(const struct chainparams *cp,
    int *n);
/* State of d for the block after prev (NULL: the genesis block). */
enum vb_state vb_state_after(const struct vb_deployment *d,
    struct bindex *prev);
/* Height of the first block of the period in which that state began. */
int32_t vb_state_since(const struct vb_deployment *d, struct bindex *prev);
const char *vb_state_name(enum vb_state s);
/* Core's ComputeBlockVersion: the top bits and every signalling bit. */
int32_t vb_block_version(const struct chainparams *cp, struct bindex *prev);

/*
 * Core's unknown-rules watcher (WarningBitsConditionChecker): every
 * version bit is followed as a deployment that starts at once and never
 * times out, with the chain's miner confirmation window and activation
 * threshold, counting a block when it sets the bit and our own block
 * version would not. The states are kept per period so that each new tip
 * costs one period's walk at most. Owner thread only; zero it to start.
 */
#define VB_NUM_BITS 29
struct vb_warn {
	struct bindex *end; /* last period-end block the states are for */
	enum vb_state st[VB_NUM_BITS];
};
/* The lowest bit whose unknown rules are active after tip, or -1. */
int vb_warn_active(struct vb_warn *w, const struct chainparams *cp,
    struct bindex *tip);

#endif
