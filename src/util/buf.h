/*
 * Byte cursors. Untrusted bytes are read only through struct rbuf: every
 * getter checks bounds and returns -1 without advancing when the bytes are
 * not there. struct wbuf is a growable output buffer (xmalloc policy).
 *
 * Both are plain values owned by the caller; an rbuf borrows its bytes and
 * must not outlive them.
 */
#ifndef BR_BUF_H
#define BR_BUF_H

#include <stddef.h>
#include <stdint.h>

/* Bitcoin's MAX_SIZE: the largest CompactSize a length may have. */
#define COMPACT_MAX_SIZE 0x02000000u

struct rbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
};

void rbuf_init(struct rbuf *r, const void *p, size_t len);
size_t rbuf_left(const struct rbuf *r);
int rbuf_get(struct rbuf *r, void *out, size_t n);
/* Returns a pointer to the next n bytes and advances, or NULL. */
const uint8_t *rbuf_ptr(struct rbuf *r, size_t n);
int rbuf_skip(struct rbuf *r, size_t n);
int rbuf_get_u8(struct rbuf *r, uint8_t *v);
int rbuf_get_le16(struct rbuf *r, uint16_t *v);
int rbuf_get_be16(struct rbuf *r, uint16_t *v);
int rbuf_get_le32(struct rbuf *r, uint32_t *v);
int rbuf_get_le64(struct rbuf *r, uint64_t *v);
/*
 * CompactSize as Core reads it: non-canonical encodings are rejected, and so
 * are values above COMPACT_MAX_SIZE.
 */
int rbuf_get_compact(struct rbuf *r, uint64_t *v);
/* Same, without the COMPACT_MAX_SIZE cap (for values that are not sizes). */
int rbuf_get_compact_nocap(struct rbuf *r, uint64_t *v);

struct wbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
};

void wbuf_init(struct wbuf *w);
void wbuf_free(struct wbuf *w);
void wbuf_reset(struct wbuf *w);
void wbuf_reserve(struct wbuf *w, size_t extra);
void wbuf_put(struct wbuf *w, const void *p, size_t n);
void wbuf_put_u8(struct wbuf *w, uint8_t v);
void wbuf_put_le16(struct wbuf *w, uint16_t v);
void wbuf_put_be16(struct wbuf *w, uint16_t v);
void wbuf_put_le32(struct wbuf *w, uint32_t v);
void wbuf_put_le64(struct wbuf *w, uint64_t v);
void wbuf_put_compact(struct wbuf *w, uint64_t v);
/* Size in bytes of v's CompactSize encoding. */
size_t compact_size_len(uint64_t v);
/* Detaches the bytes; the caller frees them. The wbuf is left empty. */
uint8_t *wbuf_steal(struct wbuf *w, size_t *len);

static inline uint32_t
le32_read(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline void
le32_write(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static inline uint64_t
le64_read(const uint8_t *p)
{
	return (uint64_t)le32_read(p) | (uint64_t)le32_read(p + 4) << 32;
}

static inline void
le64_write(uint8_t *p, uint64_t v)
{
	le32_write(p, (uint32_t)v);
	le32_write(p + 4, (uint32_t)(v >> 32));
}

#endif
