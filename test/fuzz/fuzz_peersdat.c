/*
 * libFuzzer target for peers.dat (net/addrman.c), which the net thread
 * loads at start-up: a file anyone with the datadir can edit, whose
 * checksum only catches accidents.
 *
 * Input: a flags byte, then the file. With flag bit 0 the target appends
 * the SHA-256 the file ends with, so that the fuzzer gets past the
 * checksum; bits 1-7 pick the node time the loaded table is then used at.
 * Properties:
 *  - a refused file leaves the manager as it was (holding what the
 *    input before loaded);
 *  - a loaded one keeps the manager's invariants (addrman_check);
 *  - what addrman_save would write for it loads again, to a table that
 *    saves to the same bytes (one load makes a file canonical);
 *  - selecting addresses and answering getaddr from the loaded table, at
 *    any time a clock gives, keeps within the table's size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "net/addrman.h"
#include "util/buf.h"

#define FUZZ_NAME "fuzz_peersdat"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define GETADDR_MAX 64

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_quiet_log();
}

/*
 * Node times to use a table at: what a clock or setmocktime can give.
 * The file's own times are the fuzzer's, any 64 bits.
 */
static int64_t
pick_time(uint8_t sel)
{
	static const int64_t t[] = { 1700000000, 1231006505, 4294967296LL,
		1700000000 + 30 * 86400, 1, 253402300799LL };

	return t[sel % (sizeof(t) / sizeof(t[0]))];
}

static void
use_table(struct addrman *am, int64_t now)
{
	struct addr_entry a, out[GETADDR_MAX];
	size_t n, i, total;

	total = addrman_size(am, -1, -1);
	if (addrman_select(am, 0, now, &a) == 0)
		PROP(total > 0);
	else
		PROP(total == 0);
	(void)addrman_select(am, 1, now, &a);
	n = addrman_get_addr(am, GETADDR_MAX, 23, -1, now, out);
	PROP(n <= GETADDR_MAX && n <= total);
	for (i = 0; i < n; i++)
		(void)addrman_last_try(am, &out[i].svc);
}

static struct addrman *am, *am2;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wbuf before, w, w2;
	uint8_t *file;
	size_t len;
	int rc;

	if (size < 1 || size > 1 << 20)
		return 0;
	len = size - 1;
	file = malloc(len + 32);
	PROP(file != NULL);
	memcpy(file, data + 1, len);
	if (data[0] & 1) {
		sha256(file, len, file + len);
		len += 32;
	}

	/*
	 * Two managers for the whole run: each holds 320 KB of tables, and
	 * making them afresh for every input was most of the time. A
	 * refused file must leave whatever the last one loaded.
	 */
	if (am == NULL) {
		am = addrman_new(0);
		am2 = addrman_new(0);
	}
	wbuf_init(&before);
	addrman_serialize(am, &before);
	rc = addrman_load_buf(am, file, len, "fuzz");
	PROP(rc == 0 || rc == -1);
	wbuf_init(&w);
	addrman_serialize(am, &w);
	if (rc != 0) {
		PROP(w.len == before.len && memcmp(w.p, before.p, w.len) == 0);
		goto out;
	}
	PROP(addrman_check(am) == 0);

	PROP(addrman_load_buf(am2, w.p, w.len, "fuzz-again") == 0);
	PROP(addrman_check(am2) == 0);
	wbuf_init(&w2);
	addrman_serialize(am2, &w2);
	PROP(w2.len == w.len && memcmp(w2.p, w.p, w.len) == 0);
	wbuf_free(&w2);

	use_table(am, pick_time(data[0] >> 1));
	PROP(addrman_check(am) == 0);
out:
	wbuf_free(&w);
	wbuf_free(&before);
	free(file);
	return 0;
}
