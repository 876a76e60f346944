#include <string.h>

#include "util/buf.h"
#include "util/xmalloc.h"

void
rbuf_init(struct rbuf *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
}

size_t
rbuf_left(const struct rbuf *r)
{
	return r->len - r->off;
}

const uint8_t *
rbuf_ptr(struct rbuf *r, size_t n)
{
	const uint8_t *p;

	if (n > r->len - r->off)
		return NULL;
	p = r->p + r->off;
	r->off += n;
	return p;
}

int
rbuf_get(struct rbuf *r, void *out, size_t n)
{
	const uint8_t *p = rbuf_ptr(r, n);

	if (p == NULL)
		return -1;
	if (n)
		memcpy(out, p, n);
	return 0;
}

int
rbuf_skip(struct rbuf *r, size_t n)
{
	return rbuf_ptr(r, n) ? 0 : -1;
}

int
rbuf_get_u8(struct rbuf *r, uint8_t *v)
{
	if (r->off >= r->len)
		return -1;
	*v = r->p[r->off++];
	return 0;
}

int
rbuf_get_le16(struct rbuf *r, uint16_t *v)
{
	const uint8_t *p = rbuf_ptr(r, 2);

	if (p == NULL)
		return -1;
	*v = (uint16_t)(p[0] | p[1] << 8);
	return 0;
}

int
rbuf_get_be16(struct rbuf *r, uint16_t *v)
{
	const uint8_t *p = rbuf_ptr(r, 2);

	if (p == NULL)
		return -1;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return 0;
}

int
rbuf_get_le32(struct rbuf *r, uint32_t *v)
{
	const uint8_t *p = rbuf_ptr(r, 4);

	if (p == NULL)
		return -1;
	*v = le32_read(p);
	return 0;
}

int
rbuf_get_le64(struct rbuf *r, uint64_t *v)
{
	const uint8_t *p = rbuf_ptr(r, 8);

	if (p == NULL)
		return -1;
	*v = le64_read(p);
	return 0;
}

int
rbuf_get_compact_nocap(struct rbuf *r, uint64_t *v)
{
	size_t save = r->off;
	uint8_t b;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	if (rbuf_get_u8(r, &b) == -1)
		return -1;
	if (b < 0xfd) {
		*v = b;
		return 0;
	}
	/* Core rejects encodings that a shorter form could have carried. */
	if (b == 0xfd) {
		if (rbuf_get_le16(r, &v16) == -1 || v16 < 0xfd)
			goto bad;
		*v = v16;
	} else if (b == 0xfe) {
		if (rbuf_get_le32(r, &v32) == -1 || v32 < 0x10000u)
			goto bad;
		*v = v32;
	} else {
		if (rbuf_get_le64(r, &v64) == -1 || v64 < 0x100000000ull)
			goto bad;
		*v = v64;
	}
	return 0;
bad:
	r->off = save;
	return -1;
}

int
rbuf_get_compact(struct rbuf *r, uint64_t *v)
{
	size_t save = r->off;

	if (rbuf_get_compact_nocap(r, v) == -1)
		return -1;
	if (*v > COMPACT_MAX_SIZE) {
		r->off = save;
		return -1;
	}
	return 0;
}

void
wbuf_init(struct wbuf *w)
{
	w->p = NULL;
	w->len = 0;
	w->cap = 0;
}

void
wbuf_free(struct wbuf *w)
{
	free(w->p);
	wbuf_init(w);
}

void
wbuf_reset(struct wbuf *w)
{
	w->len = 0;
}

void
wbuf_reserve(struct wbuf *w, size_t extra)
{
	size_t need = w->len + extra, cap;

	if (need <= w->cap)
		return;
	cap = w->cap ? w->cap : 64;
	while (cap < need)
		cap *= 2;
	w->p = xrealloc(w->p, cap);
	w->cap = cap;
}

void
wbuf_put(struct wbuf *w, const void *p, size_t n)
{
	if (n == 0)
		return;
	wbuf_reserve(w, n);
	memcpy(w->p + w->len, p, n);
	w->len += n;
}

void
wbuf_put_u8(struct wbuf *w, uint8_t v)
{
	wbuf_reserve(w, 1);
	w->p[w->len++] = v;
}

void
wbuf_put_le16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	wbuf_put(w, b, 2);
}

void
wbuf_put_be16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	wbuf_put(w, b, 2);
}

void
wbuf_put_le32(struct wbuf *w, uint32_t v)
{
	wbuf_reserve(w, 4);
	le32_write(w->p + w->len, v);
	w->len += 4;
}

void
wbuf_put_le64(struct wbuf *w, uint64_t v)
{
	wbuf_reserve(w, 8);
	le64_write(w->p + w->len, v);
	w->len += 8;
}

void
wbuf_put_compact(struct wbuf *w, uint64_t v)
{
	if (v < 0xfd) {
		wbuf_put_u8(w, (uint8_t)v);
	} else if (v <= 0xffff) {
		wbuf_put_u8(w, 0xfd);
		wbuf_put_le16(w, (uint16_t)v);
	} else if (v <= 0xffffffffu) {
		wbuf_put_u8(w, 0xfe);
		wbuf_put_le32(w, (uint32_t)v);
	} else {
		wbuf_put_u8(w, 0xff);
		wbuf_put_le64(w, v);
	}
}

size_t
compact_size_len(uint64_t v)
{
	if (v < 0xfd)
		return 1;
	if (v <= 0xffff)
		return 3;
	if (v <= 0xffffffffu)
		return 5;
	return 9;
}

uint8_t *
wbuf_steal(struct wbuf *w, size_t *len)
{
	uint8_t *p = w->p;

	if (len)
		*len = w->len;
	wbuf_init(w);
	return p;
}
