/*
 * Import benchmark driver: what bitrootd does with -loadblock, without the
 * network and RPC: opens a store in a fresh datadir, starts the validation
 * thread with -loadblock=FILE, waits for the tip to reach the target
 * height and prints the wall time from process start, blocks/s, tx/s,
 * inputs/s, peak RSS and store size as "key=value" lines.
 *
 * usage: bench_import DATADIR FILE HEIGHT [-par=N]
 *        bench_import --count FILE	(blocks, transactions, inputs)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "chain/chainparams.h"
#include "store/store.h"
#include "util/args.h"
#include "util/log.h"
#include "rpc/rpcerr.h"
#include "util/shutdown.h"
#include "util/time.h"
#include "validation/chainstate.h"
#include "validation/validation.h"

static int64_t
process_start_us(void)
{
	/* Field 22 of /proc/self/stat: start time in clock ticks since boot. */
	FILE *f = fopen("/proc/self/stat", "r");
	unsigned long long start = 0;
	struct timespec up;
	char buf[1024], *p;
	int i;

	if (f == NULL || fgets(buf, sizeof(buf), f) == NULL) {
		if (f)
			fclose(f);
		return time_mono_micros();
	}
	fclose(f);
	p = strrchr(buf, ')');
	for (i = 2; p && i < 22; i++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	clock_gettime(CLOCK_BOOTTIME, &up);
	/* Convert to the monotonic clock the rest of the program uses. */
	return time_mono_micros() -
	    ((int64_t)up.tv_sec * 1000000 + up.tv_nsec / 1000 -
		(int64_t)(start * 1000000 /
		    (unsigned long long)sysconf(_SC_CLK_TCK)));
}

static uint64_t
count_inputs(const char *path, uint64_t *ntx)
{
	FILE *f = fopen(path, "rb");
	uint8_t hdr[8], *raw = malloc(MAX_BLOCK_SERIALIZED_SIZE);
	uint64_t nin = 0;
	struct block b;
	uint32_t len;
	size_t i;

	*ntx = 0;
	if (f == NULL || raw == NULL) {
		if (f)
			fclose(f);
		free(raw);
		return 0;
	}
	while (fread(hdr, 1, 8, f) == 8) {
		len = le32_read(hdr + 4);
		if (len > MAX_BLOCK_SERIALIZED_SIZE ||
		    fread(raw, 1, len, f) != len)
			break;
		if (block_parse(raw, len, &b) != 0)
			continue;
		*ntx += b.tx_count;
		for (i = 1; i < b.tx_count; i++)
			nin += b.txs[i].vin_count;
		block_free(&b);
	}
	fclose(f);
	free(raw);
	return nin;
}

int
main(int argc, char **argv)
{
	int64_t t0 = process_start_us(), t1;
	char dd[600], lb[600], path[700], err[256];
	char *av[6];
	struct log_options lo;
	struct chainparams *cp;
	struct store *s;
	struct args *a;
	struct validation *v;
	struct block_index_entry tip;
	struct rusage ru;
	uint64_t size = 0, ntx, nin;
	long target;
	int ac = 0;
	double secs;

	if (argc == 3 && strcmp(argv[1], "--count") == 0) {
		nin = count_inputs(argv[2], &ntx);
		printf("txs=%llu\ninputs=%llu\n", (unsigned long long)ntx,
		    (unsigned long long)nin);
		return 0;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: %s DATADIR FILE HEIGHT [-par=N]\n",
		    argv[0]);
		return 2;
	}
	target = strtol(argv[3], NULL, 10);
	snprintf(dd, sizeof(dd), "-datadir=%s", argv[1]);
	snprintf(lb, sizeof(lb), "-loadblock=%s", argv[2]);
	av[ac++] = argv[0];
	av[ac++] = (char *)(uintptr_t) "-regtest";
	av[ac++] = dd;
	av[ac++] = lb;
	if (argc > 4)
		av[ac++] = argv[4];
	av[ac] = NULL;
	memset(&lo, 0, sizeof(lo));
	snprintf(path, sizeof(path), "%s/debug.log", argv[1]);
	lo.path = path;
	lo.timestamps = 1;
	lo.level = LOGL_INFO;
	if (log_init(&lo) != 0 || shutdown_init() != 0)
		return 1;
	a = args_new();
	if (args_parse_argv(a, ac, av, err, sizeof(err)) != 0 ||
	    args_read_config(a, err, sizeof(err)) != 0 ||
	    args_select_chain(a, err, sizeof(err)) != 0) {
		fprintf(stderr, "Error: %s\n", err);
		return 1;
	}
	cp = chainparams_new(CHAIN_REGTEST);
	snprintf(path, sizeof(path), "%s/chainstate", argv[1]);
	if (store_open(path, cp->magic, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "Error: %s\n", err);
		return 1;
	}
	if (validation_start(a, cp, s, &v) != 0)
		return 1;
	for (;;) {
		if (chainstate_tip(validation_chainstate(v), &tip) == 0 &&
		    tip.height >= target)
			break;
		usleep(1000);
	}
	t1 = time_mono_micros();
	validation_stop(v);
	(void)store_disk_size(s, &size);
	store_close(s);
	getrusage(RUSAGE_SELF, &ru);
	nin = count_inputs(argv[2], &ntx);
	secs = (t1 - t0) / 1e6;
	printf("seconds=%.3f\n", secs);
	printf("blocks=%d\n", tip.height);
	printf("blocks_per_s=%.1f\n", tip.height / secs);
	printf("tx_per_s=%.1f\n", (double)tip.chain_tx / secs);
	printf("inputs_per_s=%.1f\n", (double)nin / secs);
	printf("peak_rss_kb=%ld\n", ru.ru_maxrss);
	printf("store_bytes=%llu\n", (unsigned long long)size);
	args_free(a);
	chainparams_free(cp);
	return 0;
}
