/*
 * The client side of a SOCKS5 handshake (RFC 1928, with RFC 1929's
 * username/password) as Core's Socks5() speaks it: greeting, optional
 * authentication, CONNECT to a host name (ATYP 3, also for IP addresses
 * and .onion names, so the proxy resolves), then the reply. After it the
 * connection carries the P2P protocol.
 *
 * A struct socks5 belongs to one outbound peer on the net thread; it only
 * turns bytes into bytes, so it is tested without sockets.
 */
#ifndef BR_SOCKS5_H
#define BR_SOCKS5_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct socks5;

enum socks5_step {
	SOCKS5_MORE, /* needs more input */
	SOCKS5_DONE, /* connected: the rest is the peer's */
	SOCKS5_FAIL, /* the proxy refused or spoke nonsense */
};

/*
 * A handshake to host:port; with user (and pass) non-NULL it offers
 * username/password authentication too (Core's -proxyrandomize).
 * NULL when host is longer than 255 bytes or a credential than 255.
 */
struct socks5 *socks5_new(const char *host, uint16_t port, const char *user,
    const char *pass);
void socks5_free(struct socks5 *s);
/* The greeting, to send once the TCP connection to the proxy is up. */
void socks5_start(struct socks5 *s, struct wbuf *out);
/*
 * Consumes what it can of in[0..len) (*used bytes), appends what to send
 * to out. On SOCKS5_FAIL, *why says what went wrong in Core's words.
 */
enum socks5_step socks5_feed(struct socks5 *s, const uint8_t *in, size_t len,
    size_t *used, struct wbuf *out, const char **why);

#endif
