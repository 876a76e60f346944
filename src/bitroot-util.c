/*
 * bitroot-util: offline helpers, after Bitcoin Core's bitcoin-util. One
 * command so far:
 *
 *	bitroot-util grind HEADER
 *
 * HEADER is an 80-byte block header in hex. Its nonce is searched (from 0,
 * one thread per core, each taking every n-th nonce) until the header's
 * hash meets its own nBits; the header with that nonce is printed in hex.
 * A signet miner signs the block first, then grinds: the signature does
 * not cover the nonce. Exit status: 0, or 1 with a message on standard
 * error (bad arguments, or no nonce meets the target).
 *
 * Threads: the main thread starts the workers and joins them; the workers
 * share only the found flag and the answer, written once under found_mu.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain/arith256.h"
#include "crypto/hash.h"
#include "primitives/block.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

/* Nonces tried between looks at the found flag. */
#define GRIND_CHECK_EVERY 4096
#define GRIND_MAX_THREADS 64

struct grind {
	uint8_t header[BLOCK_HEADER_SIZE];
	struct sha256_ctx mid; /* state after the first 64 bytes */
	struct arith256 target;
	unsigned nthreads;
	int found;		  /* atomic */
	pthread_mutex_t found_mu; /* guards nonce; a leaf lock */
	uint32_t nonce;
};

struct worker {
	struct grind *g;
	unsigned index;
	pthread_t thread;
};

static int
meets(const struct grind *g, const uint8_t hash[32])
{
	struct arith256 h;

	arith256_from_le(&h, hash);
	return arith256_cmp(&h, &g->target) <= 0;
}

static void *
grind_main(void *arg)
{
	struct worker *w = arg;
	struct grind *g = w->g;
	uint8_t tail[16], hash[32];
	struct sha256_ctx c;
	uint64_t nonce;
	unsigned k = 0;

	memcpy(tail, g->header + 64, 16);
	for (nonce = w->index; nonce <= UINT32_MAX; nonce += g->nthreads) {
		if (++k == GRIND_CHECK_EVERY) {
			k = 0;
			if (__atomic_load_n(&g->found, __ATOMIC_ACQUIRE))
				return NULL;
		}
		le32_write(tail + 12, (uint32_t)nonce);
		c = g->mid;
		sha256_update(&c, tail, sizeof(tail));
		hash256_final(&c, hash);
		if (!meets(g, hash))
			continue;
		pthread_mutex_lock(&g->found_mu);
		if (!g->found) {
			g->nonce = (uint32_t)nonce;
			__atomic_store_n(&g->found, 1, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&g->found_mu);
		return NULL;
	}
	return NULL;
}

static int
grind(const char *hex)
{
	struct grind g;
	struct worker *w;
	struct block_header h;
	struct rbuf r;
	long ncpu;
	unsigned i;
	int neg, over;
	char out[2 * BLOCK_HEADER_SIZE + 1];

	memset(&g, 0, sizeof(g));
	if (strlen(hex) != 2 * BLOCK_HEADER_SIZE ||
	    hex_decode(hex, g.header, sizeof(g.header)) != BLOCK_HEADER_SIZE) {
		fprintf(stderr, "error: Could not decode block header\n");
		return 1;
	}
	rbuf_init(&r, g.header, sizeof(g.header));
	if (header_parse(&r, &h) != 0) {
		fprintf(stderr, "error: Could not decode block header\n");
		return 1;
	}
	arith256_set_compact(&g.target, h.bits, &neg, &over);
	if (arith256_is_zero(&g.target) || neg || over) {
		fprintf(stderr,
		    "error: Could not satisfy difficulty target\n");
		return 1;
	}
	sha256_init(&g.mid);
	sha256_update(&g.mid, g.header, 64);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	g.nthreads = ncpu < 1	     ? 1 :
	    ncpu > GRIND_MAX_THREADS ? GRIND_MAX_THREADS :
				       (unsigned)ncpu;
	pthread_mutex_init(&g.found_mu, NULL);
	w = xcalloc(g.nthreads, sizeof(*w));
	for (i = 0; i < g.nthreads; i++) {
		w[i].g = &g;
		w[i].index = i;
		if (pthread_create(&w[i].thread, NULL, grind_main, &w[i]) !=
		    0) {
			fprintf(stderr, "error: cannot start a thread\n");
			exit(1);
		}
	}
	for (i = 0; i < g.nthreads; i++)
		pthread_join(w[i].thread, NULL);
	free(w);
	pthread_mutex_destroy(&g.found_mu);
	if (!g.found) {
		fprintf(stderr,
		    "error: Could not satisfy difficulty target\n");
		return 1;
	}
	le32_write(g.header + 76, g.nonce);
	hex_encode(g.header, sizeof(g.header), out);
	printf("%s\n", out);
	return 0;
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "bitroot-util version v%s\n\n"
	    "Usage:  bitroot-util [options] [command]\n"
	    "  bitroot-util [options] grind <hex-block-header>\n\n"
	    "Options:\n"
	    "  -?, -h, -help   Print this help message and exit\n"
	    "  -version        Print version and exit\n\n"
	    "Commands:\n"
	    "  grind           Perform proof of work on the hex header "
	    "string\n",
	    PACKAGE_VERSION);
}

int
main(int argc, char *argv[])
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i] + (argv[i][1] == '-' ? 2 : 1);

		if (strcmp(o, "?") == 0 || strcmp(o, "h") == 0 ||
		    strcmp(o, "help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(o, "version") == 0) {
			printf("bitroot-util version v%s\n", PACKAGE_VERSION);
			return 0;
		}
		fprintf(stderr, "Error: Invalid parameter %s\n", argv[i]);
		return 1;
	}
	if (i >= argc) {
		usage(stderr);
		return 1;
	}
	if (strcmp(argv[i], "grind") == 0) {
		if (argc - i != 2) {
			fprintf(stderr,
			    "error: Must specify block header to "
			    "grind\n");
			return 1;
		}
		return grind(argv[i + 1]);
	}
	fprintf(stderr, "error: Unknown command %s\n", argv[i]);
	return 1;
}
