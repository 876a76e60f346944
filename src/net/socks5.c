/*
 * SOCKS5 client handshake (see socks5.h).
 */
#include <stdlib.h>
#include <string.h>

#include "net/socks5.h"
#include "util/xmalloc.h"

enum state { S_METHOD, S_AUTH, S_REPLY, S_DONE };

struct socks5 {
	enum state st;
	char host[256];
	uint16_t port;
	char *user, *pass; /* NULL: no authentication offered */
};

struct socks5 *
socks5_new(const char *host, uint16_t port, const char *user, const char *pass)
{
	struct socks5 *s;

	if (strlen(host) > 255 ||
	    (user &&
		(strlen(user) > 255 || pass == NULL || strlen(pass) > 255)))
		return NULL;
	s = xcalloc(1, sizeof(*s));
	strcpy(s->host, host);
	s->port = port;
	if (user) {
		s->user = xstrdup(user);
		s->pass = xstrdup(pass);
	}
	return s;
}

void
socks5_free(struct socks5 *s)
{
	if (s == NULL)
		return;
	free(s->user);
	free(s->pass);
	free(s);
}

void
socks5_start(struct socks5 *s, struct wbuf *out)
{
	static const uint8_t noauth[] = { 0x05, 0x01, 0x00 };
	static const uint8_t both[] = { 0x05, 0x02, 0x00, 0x02 };

	if (s->user)
		wbuf_put(out, both, sizeof(both));
	else
		wbuf_put(out, noauth, sizeof(noauth));
	s->st = S_METHOD;
}

static void
put_connect(const struct socks5 *s, struct wbuf *out)
{
	uint8_t h[5] = { 0x05, 0x01, 0x00, 0x03, 0 }, p[2];

	h[4] = (uint8_t)strlen(s->host);
	wbuf_put(out, h, sizeof(h));
	wbuf_put(out, s->host, h[4]);
	p[0] = (uint8_t)(s->port >> 8);
	p[1] = (uint8_t)s->port;
	wbuf_put(out, p, 2);
}

static void
put_auth(const struct socks5 *s, struct wbuf *out)
{
	uint8_t b;

	b = 0x01;
	wbuf_put(out, &b, 1);
	b = (uint8_t)strlen(s->user);
	wbuf_put(out, &b, 1);
	wbuf_put(out, s->user, b);
	b = (uint8_t)strlen(s->pass);
	wbuf_put(out, &b, 1);
	wbuf_put(out, s->pass, b);
}

/* Core's Socks5ErrorString. */
static const char *
reply_text(uint8_t code)
{
	switch (code) {
	case 0x01: return "general failure";
	case 0x02: return "connection not allowed";
	case 0x03: return "network unreachable";
	case 0x04: return "host unreachable";
	case 0x05: return "connection refused";
	case 0x06: return "TTL expired";
	case 0x07: return "protocol error";
	case 0x08: return "address type not supported";
	}
	return "unknown";
}

enum socks5_step
socks5_feed(struct socks5 *s, const uint8_t *in, size_t len, size_t *used,
    struct wbuf *out, const char **why)
{
	size_t need;

	*used = 0;
	for (;;) {
		switch (s->st) {
		case S_METHOD:
			if (len - *used < 2)
				return SOCKS5_MORE;
			if (in[*used] != 0x05) {
				*why = "Proxy failed to initialize";
				return SOCKS5_FAIL;
			}
			if (in[*used + 1] == 0x02 && s->user) {
				put_auth(s, out);
				s->st = S_AUTH;
			} else if (in[*used + 1] == 0x00) {
				put_connect(s, out);
				s->st = S_REPLY;
			} else {
				*why = "Proxy requested wrong authentication "
				       "method";
				return SOCKS5_FAIL;
			}
			*used += 2;
			break;
		case S_AUTH:
			if (len - *used < 2)
				return SOCKS5_MORE;
			if (in[*used] != 0x01 || in[*used + 1] != 0x00) {
				*why = "Proxy authentication unsuccessful";
				return SOCKS5_FAIL;
			}
			*used += 2;
			put_connect(s, out);
			s->st = S_REPLY;
			break;
		case S_REPLY:
			if (len - *used < 5)
				return SOCKS5_MORE;
			if (in[*used] != 0x05) {
				*why = "Proxy failed to accept request";
				return SOCKS5_FAIL;
			}
			if (in[*used + 1] != 0x00) {
				*why = reply_text(in[*used + 1]);
				return SOCKS5_FAIL;
			}
			if (in[*used + 2] != 0x00) {
				*why = "Error: malformed proxy response";
				return SOCKS5_FAIL;
			}
			/* VER REP RSV ATYP, the bound address, its port. */
			switch (in[*used + 3]) {
			case 0x01: need = 4 + 4 + 2; break;
			case 0x04: need = 4 + 16 + 2; break;
			case 0x03:
				need = 4 + 1 + (size_t)in[*used + 4] + 2;
				break;
			default:
				*why = "Error: malformed proxy response";
				return SOCKS5_FAIL;
			}
			if (len - *used < need)
				return SOCKS5_MORE;
			*used += need;
			s->st = S_DONE;
			return SOCKS5_DONE;
		case S_DONE: return SOCKS5_DONE;
		}
	}
}
