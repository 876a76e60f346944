/*
 * libFuzzer target for fee_estimates.dat (mempool/fees.h): a file anyone
 * with access to the datadir, or a copy from elsewhere, may hand the node
 * at start-up.
 *
 * Input: the bytes of a file. Properties:
 *  - fees_read fails with a message and leaves the estimator as it was
 *    (it writes the same bytes as before), or reports a too-old format
 *    (nothing changed either), or succeeds;
 *  - after a success, what it writes reads back and writes the same bytes
 *    again;
 *  - estimates of every kind, at every target the horizons track, come
 *    back without reading outside the loaded arrays (ASan checks that).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mempool/fees.h"
#include "util/buf.h"

#define FUZZ_NAME "fuzz_feeestimates"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same_bytes(const struct wbuf *a, const struct wbuf *b)
{
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fees *f = fees_new(), *g;
	struct fees_result r;
	struct wbuf before, after, again;
	char err[256];
	int rc, t, h, returned;

	wbuf_init(&before);
	wbuf_init(&after);
	wbuf_init(&again);
	fees_write(f, &before);
	err[0] = '\0';
	rc = fees_read(f, data, size, err, sizeof(err));
	PROP(rc >= -1 && rc <= 1);
	fees_write(f, &after);
	if (rc != 0) {
		PROP(rc == 1 || err[0] != '\0');
		PROP(same_bytes(&before, &after));
	} else {
		g = fees_new();
		PROP(fees_read(g, after.p, after.len, err, sizeof(err)) == 0);
		fees_write(g, &again);
		PROP(same_bytes(&after, &again));
		fees_free(g);
	}
	/* A few targets of each kind, ends included (estimates are slow). */
	for (h = 0; h < FEES_NHORIZONS; h++)
		for (t = 0; t <= (int)fees_max_target(f, h) + 1;
		     t += 1 + (int)fees_max_target(f, h) / 3)
			(void)fees_estimate_raw(f, t, 0.95, h, &r);
	for (t = 0; t <= 1009; t += 101) {
		(void)fees_estimate_smart(f, t, 0, &returned);
		(void)fees_estimate_smart(f, t, 1, &returned);
	}
	wbuf_free(&before);
	wbuf_free(&after);
	wbuf_free(&again);
	fees_free(f);
	return 0;
}
