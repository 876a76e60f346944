/*
 * anchors.dat (anchors.c): Core's file of the block-relay-only peers to
 * reconnect to after a restart. Pure functions of their arguments plus
 * the file; any thread (the net thread uses them at start and stop).
 */
#ifndef BR_NET_ANCHORS_H
#define BR_NET_ANCHORS_H

#include <stddef.h>
#include <stdint.h>

#include "net/protocol.h"

/* Core's MAX_BLOCK_RELAY_ONLY_ANCHORS. */
#define MAX_BLOCK_RELAY_ONLY_ANCHORS 2

struct wbuf;

/* Appends the file's bytes for the n addresses a to w. */
void anchors_serialize(const uint8_t magic[4], const struct addr_entry *a,
    size_t n, struct wbuf *w);
/*
 * Reads a file's bytes: at most max addresses into out, *n of them.
 * 0, or -1 for a wrong message start, a bad checksum or malformed bytes.
 */
int anchors_parse(const uint8_t magic[4], const uint8_t *p, size_t len,
    struct addr_entry *out, size_t max, size_t *n);
/* Writes path atomically. 0 or -1 (logged). */
int anchors_write(const char *path, const uint8_t magic[4],
    const struct addr_entry *a, size_t n);
/*
 * Reads path and deletes it, as Core (the anchors are used once); a
 * missing or corrupt file gives none. Returns the count in out.
 */
size_t anchors_read(const char *path, const uint8_t magic[4],
    struct addr_entry *out, size_t max);

#endif
