/*
 * The Bitcoin P2P wire codec (v1 transport): the 24-byte message header
 * and the encoding and parsing of every message bitrootd speaks.
 *
 * Parsers read untrusted bytes only through struct rbuf and return 0, or
 * PROTO_EMALFORMED (truncated, non-canonical CompactSize, bad field) or
 * PROTO_ETOOMANY (a count over the message's limit: the sender misbehaved).
 * Whatever a parser allocates (arrays of entries) is xmalloc'd and owned by
 * the caller; on error nothing is allocated (NULL), and on PROTO_ETOOMANY
 * the count output holds the count the peer claimed. Encoders append to a
 * wbuf.
 *
 * Everything here is reentrant; no state.
 */
#ifndef BR_PROTOCOL_H
#define BR_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "net/netaddr.h"
#include "primitives/block.h"
#include "util/buf.h"

#define PROTOCOL_VERSION 70016
#define MIN_PEER_PROTO_VERSION 31800
#define BIP0031_VERSION 60000
#define SENDHEADERS_VERSION 70012
#define FEEFILTER_VERSION 70013
#define SHORT_IDS_BLOCKS_VERSION 70014
#define WTXID_RELAY_VERSION 70016

#define MSG_HEADER_SIZE 24
#define MSG_COMMAND_SIZE 12
/* No message over 4 MB is acceptable; checked before the body is buffered. */
#define MAX_PROTOCOL_MESSAGE_LENGTH 4000000u
#define MAX_INV_SZ 50000
#define MAX_ADDR_TO_SEND 1000
#define MAX_LOCATOR_SZ 101
#define MAX_HEADERS_RESULTS 2000
#define MAX_BLOCKS_TO_ANNOUNCE 8
#define MAX_GETBLOCKS_RESULTS 500
#define MAX_SUBVERSION_LENGTH 256
/* BIP155: longest address an addrv2 entry may carry. */
#define MAX_ADDRV2_SIZE 512

/* Service bits. */
#define NODE_NETWORK (1ULL << 0)
#define NODE_BLOOM (1ULL << 2)
#define NODE_WITNESS (1ULL << 3)
#define NODE_COMPACT_FILTERS (1ULL << 6)
#define NODE_NETWORK_LIMITED (1ULL << 10)
/* BIP159: the blocks a NODE_NETWORK_LIMITED node serves below its tip. */
#define NODE_NETWORK_LIMITED_MIN_BLOCKS 288
#define NODE_P2P_V2 (1ULL << 11)

/* Inventory types. */
#define MSG_TX 1u
#define MSG_BLOCK 2u
#define MSG_FILTERED_BLOCK 3u
#define MSG_CMPCT_BLOCK 4u
#define MSG_WTX 5u
#define MSG_WITNESS_FLAG (1u << 30)
#define MSG_WITNESS_BLOCK (MSG_BLOCK | MSG_WITNESS_FLAG)
#define MSG_WITNESS_TX (MSG_TX | MSG_WITNESS_FLAG)

#define PROTO_EMALFORMED (-1)
#define PROTO_ETOOMANY (-2)

/* Every message type Core knows, in one table (counters are per type). */
enum msg_type {
	MT_VERSION,
	MT_VERACK,
	MT_ADDR,
	MT_ADDRV2,
	MT_SENDADDRV2,
	MT_INV,
	MT_GETDATA,
	MT_MERKLEBLOCK,
	MT_GETBLOCKS,
	MT_GETHEADERS,
	MT_TX,
	MT_HEADERS,
	MT_BLOCK,
	MT_GETADDR,
	MT_MEMPOOL,
	MT_PING,
	MT_PONG,
	MT_NOTFOUND,
	MT_FILTERLOAD,
	MT_FILTERADD,
	MT_FILTERCLEAR,
	MT_SENDHEADERS,
	MT_FEEFILTER,
	MT_SENDCMPCT,
	MT_CMPCTBLOCK,
	MT_GETBLOCKTXN,
	MT_BLOCKTXN,
	MT_GETCFILTERS,
	MT_CFILTER,
	MT_GETCFHEADERS,
	MT_CFHEADERS,
	MT_GETCFCHECKPT,
	MT_CFCHECKPT,
	MT_WTXIDRELAY,
	MT_SENDTXRCNCL,
	MT_OTHER, /* unknown commands: "*other*" */
	MT_COUNT
};

const char *msg_type_name(enum msg_type t);
/* The type of a NUL-terminated command, MT_OTHER if unknown. */
enum msg_type msg_type_lookup(const char *cmd);
/* Looks up a type by name including "*other*"; -1 if none. */
int msg_type_from_name(const char *name);

struct msg_header {
	uint8_t magic[4];
	char cmd[MSG_COMMAND_SIZE + 1]; /* NUL-terminated copy */
	int cmd_valid;			/* printable, NUL-padded */
	uint32_t len;
	uint8_t checksum[4];
};

void msg_header_parse(const uint8_t b[MSG_HEADER_SIZE], struct msg_header *h);
/* First 4 bytes of double SHA-256. */
void msg_checksum(const void *p, size_t n, uint8_t out[4]);
/* cmd at most 12 characters. */
void msg_header_build(uint8_t out[MSG_HEADER_SIZE], const uint8_t magic[4],
    const char *cmd, const void *payload, size_t len);

/* version (BIP14, BIP37 relay flag). */
struct version_msg {
	int32_t version;
	uint64_t services;
	int64_t timestamp;
	uint64_t recv_services;
	struct service addr_recv; /* as the peer sees us */
	uint64_t from_services;
	struct service addr_from;
	uint64_t nonce;
	char subver[MAX_SUBVERSION_LENGTH +
	    1]; /* raw, may hold anything but NUL */
	size_t subver_len;
	int32_t start_height;
	int relay;
};

/* Optional trailing fields take Core's defaults when absent. */
int version_parse(struct rbuf *r, struct version_msg *v);
void version_encode(struct wbuf *w, const struct version_msg *v);

/* One address of an addr or addrv2 message. */
struct addr_entry {
	uint32_t time;
	uint64_t services;
	struct service svc;
};

/*
 * addr (v2 = 0) or addrv2 (v2 = 1). Every entry is returned, as Core reads
 * every one: IPv4, IPv6, TORv3, I2P and CJDNS addresses as such, and those
 * BIP155 says to ignore (unknown networks, TORv2, an IPv4-mapped or TORv2
 * IPv6 address in addrv2) as an address of net NET_NONE, which is never
 * valid; *unknown counts those. More than MAX_ADDR_TO_SEND entries:
 * PROTO_ETOOMANY. addr_encode skips NET_NONE entries, and in addr (v1)
 * those of networks v1 cannot carry.
 */
int addr_parse(struct rbuf *r, int v2, struct addr_entry **out, size_t *n,
    size_t *unknown);
void addr_encode(struct wbuf *w, int v2, const struct addr_entry *a, size_t n);
/*
 * One addrv2 entry (time, services, BIP155 address, port), as files such
 * as anchors.dat hold them; parse: 0 or PROTO_EMALFORMED.
 */
int addrv2_entry_parse(struct rbuf *r, struct addr_entry *e);
void addrv2_entry_encode(struct wbuf *w, const struct addr_entry *e);
/* Whether a can be sent in the v1 addr format (IPv4, IPv6). */
int addr_v1_compatible(const struct netaddr *a);

struct inv {
	uint32_t type;
	uint8_t hash[32];
};

/* inv, getdata, notfound: more than MAX_INV_SZ entries: PROTO_ETOOMANY. */
int inv_parse(struct rbuf *r, struct inv **out, size_t *n);
void inv_encode(struct wbuf *w, const struct inv *v, size_t n);

/* getheaders, getblocks. */
struct locator_msg {
	uint32_t version;
	size_t n;
	uint8_t (*hashes)[32];
	uint8_t stop[32];
};

/* More than MAX_LOCATOR_SZ hashes: PROTO_ETOOMANY. */
int locator_parse(struct rbuf *r, struct locator_msg *m);
void locator_encode(struct wbuf *w, const uint8_t (*hashes)[32], size_t n,
    const uint8_t stop[32]);

/*
 * headers: each header is followed by a transaction count, which is read
 * and ignored as Core does. More than MAX_HEADERS_RESULTS: PROTO_ETOOMANY.
 */
int headers_parse(struct rbuf *r, struct block_header **out, size_t *n);
void headers_encode(struct wbuf *w, const struct block_header *h, size_t n);

/*
 * cmpctblock (BIP152): the header is returned. The short ids and the
 * prefilled transactions are only checked to read as Core reads them: six
 * bytes per short id, each prefilled index a CompactSize below 65536, each
 * transaction whole, and at most 65535 transactions in all. *bad is set
 * when the message reads but could not describe a block, which Core's
 * PartiallyDownloadedBlock::InitData calls invalid: a null header, no
 * transactions, a prefilled transaction with neither inputs nor outputs,
 * or a prefilled index past the end. A wrapper of cmpct_block_parse
 * (cmpct.c, which keeps the short ids and transactions) for the tests and
 * the fuzzer.
 */
#define SHORTTXID_SIZE 6
#define MAX_CMPCTBLOCK_TXS 65535
int cmpctblock_parse(struct rbuf *r, struct block_header *h, int *bad);

/* ping, pong: a 64-bit nonce. */
int nonce_parse(struct rbuf *r, uint64_t *nonce);
void nonce_encode(struct wbuf *w, uint64_t nonce);

/* feefilter: fee rate in satoshis per 1000 vbytes. */
int feefilter_parse(struct rbuf *r, int64_t *feerate);

/* sendcmpct (BIP152). */
int sendcmpct_parse(struct rbuf *r, int *announce, uint64_t *version);

/*
 * BIP157: getcfilters and getcfheaders (filter type, start height, stop
 * hash), getcfcheckpt (filter type, stop hash); trailing bytes are
 * ignored, as Core does. The answers: cfilter (one block's filter),
 * cfheaders (the previous filter header then n filter hashes), cfcheckpt
 * (n filter headers).
 */
struct getcf_msg {
	uint8_t type;
	uint32_t start; /* 0 for getcfcheckpt */
	uint8_t stop[32];
};
int getcf_parse(struct rbuf *r, struct getcf_msg *m);
int getcfcheckpt_parse(struct rbuf *r, struct getcf_msg *m);
void cfilter_encode(struct wbuf *w, uint8_t type, const uint8_t block[32],
    const uint8_t *filter, size_t len);
void cfheaders_encode(struct wbuf *w, uint8_t type, const uint8_t stop[32],
    const uint8_t prev[32], const uint8_t (*hashes)[32], size_t n);
void cfcheckpt_encode(struct wbuf *w, uint8_t type, const uint8_t stop[32],
    const uint8_t (*headers)[32], size_t n);

/*
 * Keeps the characters Core's SanitizeString allows in a user agent, so
 * that a peer cannot put control characters into logs or JSON.
 */
void subver_sanitize(const char *in, size_t inlen, char *out, size_t outlen);

#endif
