/*
 * -loadblock file reader (see blkfile.h): a growing buffer over the file,
 * read in large chunks, so that a block is always whole in memory when it
 * is handed over.
 */
#include <stdlib.h>
#include <string.h>

#include "primitives/block.h"
#include "util/buf.h"
#include "util/xmalloc.h"
#include "validation/blkfile.h"

/*
 * Bytes read at a time. The fuzz target builds with a small one, so that
 * blocks and message starts straddle refills.
 */
#ifndef BLKFILE_READ_CHUNK
#define BLKFILE_READ_CHUNK (1u << 20)
#endif

struct reader {
	FILE *f;
	uint8_t *buf;
	size_t cap, len, off;
	uint64_t consumed; /* file offset of buf[off] */
	int eof;
};

/* Makes at least n bytes available at r->buf + r->off; 0, or -1 at EOF. */
static int
reader_need(struct reader *r, size_t n)
{
	size_t got;

	while (r->len - r->off < n) {
		if (r->eof)
			return -1;
		if (r->off > 0) {
			memmove(r->buf, r->buf + r->off, r->len - r->off);
			r->len -= r->off;
			r->off = 0;
		}
		if (r->cap - r->len < BLKFILE_READ_CHUNK) {
			r->cap = r->len + n + BLKFILE_READ_CHUNK;
			r->buf = xrealloc(r->buf, r->cap);
		}
		got = fread(r->buf + r->len, 1, r->cap - r->len, r->f);
		r->len += got;
		if (got == 0)
			r->eof = 1;
	}
	return 0;
}

static void
reader_skip(struct reader *r, size_t n)
{
	r->off += n;
	r->consumed += n;
}

uint64_t
blkfile_scan(FILE *f, const uint8_t magic[4], const int *stop,
    blkfile_block_fn on_block, void *arg)
{
	struct reader r;
	uint64_t nblocks = 0;
	uint32_t size;
	uint8_t *p;

	memset(&r, 0, sizeof(r));
	r.f = f;
	while (stop == NULL || !__atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
		if (reader_need(&r, 8) != 0)
			break;
		p = r.buf + r.off;
		if (memcmp(p, magic, 4) != 0) {
			/* Garbage between blocks: look for the next start. */
			const uint8_t *q = memchr(p + 1, magic[0],
			    r.len - r.off - 1);

			reader_skip(&r, q ? (size_t)(q - p) : r.len - r.off);
			continue;
		}
		size = le32_read(p + 4);
		if (size < BLOCK_HEADER_SIZE ||
		    size > MAX_BLOCK_SERIALIZED_SIZE) {
			reader_skip(&r, 1);
			continue;
		}
		if (reader_need(&r, 8 + (size_t)size) != 0)
			break; /* truncated last block */
		if (on_block(arg, r.buf + r.off + 8, size,
			r.consumed + 8 + size) != 0)
			break;
		reader_skip(&r, 8 + (size_t)size);
		nblocks++;
	}
	free(r.buf);
	return nblocks;
}
