/*
 * libFuzzer target for the -loadblock file reader (validation/blkfile.h),
 * which reads blk*.dat and bootstrap.dat files the user points it at.
 *
 * Input: a byte k, then the file (regtest message start). The reader runs
 * on the file through fmemopen, as on a real FILE, and its callback
 * refuses the k-th block when k < 255. Properties: the blocks handed
 * over, their sizes and end offsets are exactly those of a plain scan of
 * the whole buffer (skip to the next byte that can start a message start,
 * skip one byte past a length out of bounds, stop at a short block); the
 * count returned is the number accepted; a refusal stops the read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primitives/block.h"
#include "util/buf.h"
#include "validation/blkfile.h"

#define FUZZ_NAME "fuzz_loadblock"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t MAGIC[4] = { 0xfa, 0xbf, 0xb5, 0xda };

struct expect {
	const uint8_t *file;
	size_t len;
	size_t pos; /* the reference scan's position */
	uint64_t seen, refuse_at;
	int done;
};

/* The next block of the reference scan: 0 with *off and *size, or -1. */
static int
ref_next(struct expect *e, size_t *off, uint32_t *size)
{
	const uint8_t *q;
	uint32_t n;

	while (e->len - e->pos >= 8) {
		if (memcmp(e->file + e->pos, MAGIC, 4) != 0) {
			q = memchr(e->file + e->pos + 1, MAGIC[0],
			    e->len - e->pos - 1);
			e->pos = q ? (size_t)(q - e->file) : e->len;
			continue;
		}
		n = le32_read(e->file + e->pos + 4);
		if (n < BLOCK_HEADER_SIZE || n > MAX_BLOCK_SERIALIZED_SIZE) {
			e->pos++;
			continue;
		}
		if (e->len - e->pos - 8 < n)
			return -1;
		*off = e->pos + 8;
		*size = n;
		e->pos += 8 + (size_t)n;
		return 0;
	}
	return -1;
}

static int
on_block(void *arg, const uint8_t *block, uint32_t size, uint64_t end_off)
{
	struct expect *e = arg;
	size_t off;
	uint32_t n;

	PROP(!e->done);
	PROP(ref_next(e, &off, &n) == 0);
	PROP(size == n && end_off == off + n);
	PROP(memcmp(block, e->file + off, size) == 0);
	if (e->seen == e->refuse_at) {
		e->done = 1;
		return -1;
	}
	e->seen++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expect e;
	uint64_t n;
	size_t off;
	uint32_t bsize;
	FILE *f;

	if (size < 2 || size > (8u << 20))
		return 0;
	memset(&e, 0, sizeof(e));
	e.file = data + 1;
	e.len = size - 1;
	e.refuse_at = data[0] == 255 ? UINT64_MAX : data[0];
	f = fmemopen((void *)(uintptr_t)e.file, e.len, "rb");
	PROP(f != NULL);
	n = blkfile_scan(f, MAGIC, NULL, on_block, &e);
	fclose(f);
	PROP(n == e.seen);
	/* Unless refused, the reference scan has nothing more either. */
	if (!e.done)
		PROP(ref_next(&e, &off, &bsize) == -1);
	return 0;
}
