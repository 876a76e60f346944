/*
 * libFuzzer target for the store's block-file record reader
 * (store/blkfiles.h, blkfiles_read_fd), which reads blkNNNNN.dat and
 * revNNNNN.dat records at the places LMDB recorded; the files may be cut
 * short, flipped or replaced behind the node's back.
 *
 * Input: LE32 pos, LE32 len, a byte tail_len, then the file's bytes (the
 * regtest message start). The file goes to a memfd. Properties: the read
 * succeeds exactly when pos >= 8, the record and its tail lie inside the
 * file, and the 8 bytes before pos are the message start and len; then the
 * bytes returned are the file's, else an error message is set.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/mman.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/blkfiles.h"
#include "util/buf.h"

#define FUZZ_NAME "fuzz_blkfiles"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t MAGIC[4] = { 0xfa, 0xbf, 0xb5, 0xda };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	const uint8_t *file;
	uint8_t *out = NULL;
	uint32_t pos, len, tail;
	uint64_t end;
	size_t flen;
	char err[512];
	int rc, want;

	if (size < 9)
		return 0;
	if (fd == -1 && (fd = memfd_create("blk", 0)) == -1)
		abort();
	pos = le32_read(data);
	len = le32_read(data + 4);
	tail = data[8];
	file = data + 9;
	flen = size - 9;
	if (ftruncate(fd, 0) == -1 ||
	    (flen > 0 && pwrite(fd, file, flen, 0) != (ssize_t)flen))
		abort();
	end = (uint64_t)pos + len + tail;
	want = pos >= BLKF_HDR && end <= flen &&
	    memcmp(file + pos - BLKF_HDR, MAGIC, 4) == 0 &&
	    le32_read(file + pos - 4) == len;
	err[0] = '\0';
	rc = blkfiles_read_fd(fd, "blk00000.dat", MAGIC, pos, len, tail, &out,
	    err, sizeof(err));
	PROP((rc == 0) == want);
	if (rc == 0) {
		PROP(memcmp(out, file + pos, (size_t)len + tail) == 0);
		free(out);
	} else
		PROP(err[0] != '\0' && strstr(err, "blk00000.dat") != NULL);
	return 0;
}
