/*
 * anchors.dat, as Core: the block-relay-only outbound peers of the last
 * run (at most MAX_BLOCK_RELAY_ONLY_ANCHORS), written at shutdown and read
 * (then deleted) at start-up, so a restarted node reconnects to peers an
 * attacker could not choose for it (Core's defence against eclipse by
 * restart).
 *
 * Core's file format (SerializeFileDB of a vector of CAddress in its
 * addrv2 disk form): the network's message start, a CompactSize count,
 * each address as a 32-bit format version (220000 with bit 29 set: addrv2)
 * and an addrv2 entry (time, CompactSize services, BIP155 address,
 * big-endian port), then SHA256d of everything before it. The same bytes
 * as Core's, so either reads the other's file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/hash.h"
#include "net/anchors.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define DISK_VERSION_INIT 220000u
#define DISK_VERSION_ADDRV2 (1u << 29)
/* A file larger than this is not anchors.dat. */
#define ANCHORS_FILE_MAX 4096

void
anchors_serialize(const uint8_t magic[4], const struct addr_entry *a, size_t n,
    struct wbuf *w)
{
	uint8_t h[32];
	size_t i;

	wbuf_put(w, magic, 4);
	wbuf_put_compact(w, n);
	for (i = 0; i < n; i++) {
		wbuf_put_le32(w, DISK_VERSION_INIT | DISK_VERSION_ADDRV2);
		addrv2_entry_encode(w, &a[i]);
	}
	hash256(w->p, w->len, h);
	wbuf_put(w, h, sizeof(h));
}

int
anchors_parse(const uint8_t magic[4], const uint8_t *p, size_t len,
    struct addr_entry *out, size_t max, size_t *n)
{
	struct rbuf r;
	uint8_t h[32];
	uint64_t count, i;
	uint32_t version;

	*n = 0;
	if (len < 4 + 1 + 32)
		return -1;
	hash256(p, len - 32, h);
	if (memcmp(h, p + len - 32, 32) != 0 || memcmp(p, magic, 4) != 0)
		return -1;
	rbuf_init(&r, p + 4, len - 4 - 32);
	if (rbuf_get_compact(&r, &count) == -1)
		return -1;
	for (i = 0; i < count; i++) {
		struct addr_entry e;

		if (rbuf_get_le32(&r, &version) == -1 ||
		    !(version & DISK_VERSION_ADDRV2) ||
		    addrv2_entry_parse(&r, &e) != 0)
			return -1;
		/* Core keeps the first MAX_BLOCK_RELAY_ONLY_ANCHORS. */
		if (*n < max && e.svc.addr.net != NET_NONE)
			out[(*n)++] = e;
	}
	return rbuf_left(&r) == 0 ? 0 : -1;
}

int
anchors_write(const char *path, const uint8_t magic[4],
    const struct addr_entry *a, size_t n)
{
	struct wbuf w;
	const char *step;
	int rc;

	wbuf_init(&w);
	anchors_serialize(magic, a, n, &w);
	rc = file_write_atomic(path, w.p, w.len, &step);
	if (rc != 0)
		log_warn("anchors: %s %s", step, path);
	wbuf_free(&w);
	return rc;
}

size_t
anchors_read(const char *path, const uint8_t magic[4], struct addr_entry *out,
    size_t max)
{
	uint8_t *p = NULL;
	size_t len = 0, n = 0;

	if (file_read_all(path, ANCHORS_FILE_MAX, &p, &len) != 0) {
		if (errno != ENOENT) {
			log_warn("anchors: cannot read %s", path);
			unlink(path);
		}
		free(p);
		return 0;
	}
	if (anchors_parse(magic, p, len, out, max, &n) != 0) {
		log_warnx("anchors: %s is corrupt, ignored", path);
		n = 0;
	} else
		log_info("Loaded %zu addresses from \"anchors.dat\"", n);
	free(p);
	/* Used once: a crash must not pin the node to them (Core). */
	if (unlink(path) != 0)
		log_warn("anchors: cannot remove %s", path);
	return n;
}
