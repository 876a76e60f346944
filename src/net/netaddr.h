/*
 * Network addresses as the P2P protocol knows them: an address of one of
 * the BIP155 networks, a service (address and port), and subnets for bans
 * and -whitelist. IPv4 is kept as 4 bytes, never as an IPv4-mapped IPv6
 * address, so that two spellings of one host compare equal.
 *
 * All of these are plain values owned by the caller; every function is
 * reentrant and may run on any thread.
 */
#ifndef BR_NETADDR_H
#define BR_NETADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* BIP155 network ids. */
enum net_id {
	NET_NONE = 0,
	NET_IPV4 = 1,
	NET_IPV6 = 2,
	NET_TORV2 = 3,
	NET_TORV3 = 4,
	NET_I2P = 5,
	NET_CJDNS = 6,
};

/* The address classes getpeerinfo and getnodeaddresses name. */
enum net_class {
	NETC_UNROUTABLE,
	NETC_IPV4,
	NETC_IPV6,
	NETC_ONION,
	NETC_I2P,
	NETC_CJDNS,
};

#define NETADDR_MAXLEN 32

struct netaddr {
	uint8_t net;		   /* enum net_id */
	uint8_t len;		   /* bytes used in a */
	uint8_t a[NETADDR_MAXLEN]; /* network byte order */
	/*
	 * IPv6 zone (interface index, "fe80::1%2"), 0 for none. As in Core it
	 * is kept for connecting and printing but never compared, hashed or
	 * sent: two addresses that differ only in zone are the same address.
	 */
	uint32_t scope;
};

struct service {
	struct netaddr addr;
	uint16_t port; /* host order */
};

struct subnet {
	struct netaddr base; /* masked */
	uint8_t bits;	     /* prefix length */
};

/* Longest text netaddr_format and service_format write, with the NUL. */
#define NETADDR_STRLEN 80

void netaddr_set_ipv4(struct netaddr *a, const uint8_t b[4]);
/* IPv4-mapped IPv6 addresses become IPv4. */
void netaddr_set_ipv6(struct netaddr *a, const uint8_t b[16]);
/*
 * Parses a numeric IPv4 or IPv6 address (no brackets, no port). Returns 0,
 * or -1 if s is not one.
 */
/*
 * Core's internal address for a name (the source of what a DNS seed or
 * the fixed seeds gave): unroutable, in a bucket group of its own.
 */
void netaddr_set_internal(struct netaddr *a, const char *name);
int netaddr_is_internal(const struct netaddr *a);
int netaddr_parse(const char *s, struct netaddr *a);
/*
 * Parses a numeric host as Core's LookupHost does without name lookups
 * (setban, subnets): IPv4 in every form inet_aton takes ("1.2.3",
 * "0x7f.1", "010.0.0.1"), IPv6, either inside one pair of brackets; an
 * OnionCat (Tor v2) address reads as "::", an internal one not at all.
 * Returns 0, or -1 if s is not one.
 */
int netaddr_lookup_numeric(const char *s, struct netaddr *a);
void netaddr_format(const struct netaddr *a, char *out, size_t outlen);
/*
 * The names of Tor v3 and I2P addresses (netaddr_name.c): parse a
 * "....onion" (checksum checked) or "....b32.i2p" name, 0 or -1; format
 * one, 0, or -1 when a is neither.
 */
int netaddr_parse_name(const char *s, struct netaddr *a);
int netaddr_format_name(const struct netaddr *a, char *out, size_t outlen);
int netaddr_eq(const struct netaddr *a, const struct netaddr *b);
/* Core's IsValid: not unspecified, not documentation, not INADDR_NONE. */
int netaddr_is_valid(const struct netaddr *a);
/* Loopback: 127.0.0.0/8, 0.0.0.0/8 and ::1. */
int netaddr_is_local(const struct netaddr *a);
/* Core's IsRoutable: valid and in none of the reserved ranges. */
int netaddr_is_routable(const struct netaddr *a);
enum net_class netaddr_class(const struct netaddr *a);
const char *net_class_name(enum net_class c);
/* -1 if s is not one of ipv4, ipv6, onion, i2p, cjdns. */
int net_class_parse(const char *s, enum net_class *c);
/*
 * The group Core spreads connections over: /16 for IPv4, /32 for IPv6,
 * one group for all local and for all unroutable addresses. Writes at most
 * NETGROUP_MAXLEN bytes and returns the length.
 */
#define NETGROUP_MAXLEN 11
size_t netaddr_group(const struct netaddr *a, uint8_t out[NETGROUP_MAXLEN]);
/* Bytes identifying the address (net id, then the address), for hashing. */
size_t netaddr_key(const struct netaddr *a, uint8_t out[1 + NETADDR_MAXLEN]);

int service_from_sockaddr(struct service *s, const struct sockaddr *sa);
/* Returns the length of the sockaddr written, or 0 if s is not IPv4/IPv6. */
socklen_t service_to_sockaddr(const struct service *s,
    struct sockaddr_storage *ss);
/*
 * Parses "1.2.3.4", "1.2.3.4:8333", "::1", "[::1]:8333". default_port is
 * used when no port is given. Returns 0, or -1 if it is not a numeric
 * address (perhaps a host name) or the port is bad.
 */
int service_parse(const char *s, uint16_t default_port, struct service *out);
/*
 * Splits "host:port" / "[v6]:port" / "host" into host and port without
 * requiring the host to be numeric. Returns 0 or -1 (bad port, too long).
 */
int service_split(const char *s, uint16_t default_port, char *host,
    size_t hostlen, uint16_t *port);
/* "1.2.3.4:8333" or "[::1]:8333". */
void service_format(const struct service *s, char *out, size_t outlen);
int service_eq(const struct service *a, const struct service *b);

/*
 * Parses "1.2.3.4", "1.2.3.0/24", "1.2.3.0/255.255.255.0", "::1/128" as
 * Core's LookupSubNet: the host as netaddr_lookup_numeric reads it, after
 * the last '/' a prefix length or a contiguous netmask. A single address
 * is a /32 or /128. Returns 0 or -1.
 */
int subnet_parse(const char *s, struct subnet *out);
int subnet_match(const struct subnet *sn, const struct netaddr *a);
void subnet_format(const struct subnet *sn, char *out, size_t outlen);
int subnet_eq(const struct subnet *a, const struct subnet *b);
/* The subnet holding exactly a. */
void subnet_single(struct subnet *sn, const struct netaddr *a);

#endif
