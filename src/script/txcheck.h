/*
 * Context-free transaction checks (Core's CheckTransaction): what can be
 * said of a transaction without its inputs or its block. Reentrant.
 */
#ifndef BR_TXCHECK_H
#define BR_TXCHECK_H

#include "primitives/tx.h"

/*
 * Returns 0, or -1 with *reason (may be NULL) set to Core's reject reason,
 * a static string: bad-txns-vin-empty, bad-txns-vout-empty,
 * bad-txns-oversize, bad-txns-vout-negative, bad-txns-vout-toolarge,
 * bad-txns-txouttotal-toolarge, bad-txns-inputs-duplicate, bad-cb-length,
 * bad-txns-prevout-null.
 */
int tx_check_basic(const struct tx *tx, const char **reason);

#endif
