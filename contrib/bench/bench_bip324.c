/*
 * bench_bip324: the cost of a BIP324 handshake's cryptography on one side,
 * and of packet encryption.
 *
 * Handshake = a fresh key pair with its ElligatorSwift encoding
 * (bip324_cipher_init), then the x-only ECDH with the peer's encoding and the
 * HKDF key derivation (bip324_cipher_start). Each part is timed over N
 * handshakes in CPU time (the machine is shared; wall time would count
 * other jobs); the figures are the medians of RUNS runs.
 *
 *	usage: bench_bip324 [-n handshakes]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/bip324.h"
#include "crypto/ellswift.h"

#define RUNS 7

static const uint8_t magic[4] = { 0xfa, 0xbf, 0xb5, 0xda };

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int
main(int argc, char **argv)
{
	struct bip324_cipher *c, peer;
	double keygen[RUNS], start[RUNS], decode[RUNS], pkt[RUNS], t0;
	uint8_t x[32], buf[4096 + BIP324_EXPANSION], contents[4096];
	int n = 200, r, i, npkt = 20000;

	if (argc == 3 && strcmp(argv[1], "-n") == 0)
		n = atoi(argv[2]);
	if (n <= 0) {
		fprintf(stderr, "usage: bench_bip324 [-n handshakes]\n");
		return 2;
	}
	c = calloc((size_t)n, sizeof(*c));
	if (c == NULL)
		return 1;
	bip324_cipher_init(&peer);
	memset(contents, 0x5a, sizeof(contents));
	for (r = 0; r < RUNS; r++) {
		t0 = now();
		for (i = 0; i < n; i++)
			bip324_cipher_init(&c[i]);
		keygen[r] = (now() - t0) / n;
		t0 = now();
		for (i = 0; i < n; i++)
			if (bip324_cipher_start(&c[i], peer.ell_ours, i & 1,
				magic, 0) != 0)
				return 1;
		start[r] = (now() - t0) / n;
		t0 = now();
		for (i = 0; i < n; i++)
			ellswift_decode(c[i].ell_ours, x);
		decode[r] = (now() - t0) / n;
		t0 = now();
		for (i = 0; i < npkt; i++)
			bip324_encrypt(&c[0], contents, 1024, NULL, 0, 0, buf);
		pkt[r] = (now() - t0) / npkt;
		for (i = 0; i < n; i++)
			bip324_cipher_free(&c[i]);
	}
	printf("bench_bip324: %d handshakes x %d runs, medians\n", n, RUNS);
	printf("keygen + ElligatorSwift encode  %8.1f us\n",
	    median(keygen, RUNS) * 1e6);
	printf("ECDH + key derivation           %8.1f us\n",
	    median(start, RUNS) * 1e6);
	printf("handshake total (one side)      %8.1f us\n",
	    (median(keygen, RUNS) + median(start, RUNS)) * 1e6);
	printf("  of which ElligatorSwift decode %7.1f us\n",
	    median(decode, RUNS) * 1e6);
	printf("encrypt 1 KiB packet            %8.2f us (%.0f MB/s)\n",
	    median(pkt, RUNS) * 1e6, 1024 / median(pkt, RUNS) / 1e6);
	bip324_cipher_free(&peer);
	free(c);
	return 0;
}
