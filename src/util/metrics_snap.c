/*
 * Published snapshots for the status page (see metrics.h).
 *
 * A snapshot is a sequence lock over an array of atomic 64-bit words: the
 * writer makes the sequence odd, stores the words, and makes it even again;
 * a reader copies the words between two reads of an even, unchanged
 * sequence. Every access is atomic, so there is no data race for a reader
 * to trip over, and the writer (a node thread) never waits for a reader.
 *
 * Ownership: the peers snapshot has one writer, the net thread; the blocks
 * ring and its snapshot have one writer, the validation thread. Readers are
 * the metrics thread (and tests).
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/metrics.h"
#include "util/xmalloc.h"

#define SNAP_READ_TRIES 1000

struct peers_data {
	uint64_t n;
	struct metrics_peer p[METRICS_MAX_PEERS];
};

struct blocks_data {
	uint64_t n;
	struct metrics_block b[METRICS_RECENT_BLOCKS];
};

#define WORDS(t) ((sizeof(t) + 7) / 8)

static atomic_uint peers_seq;
static _Atomic uint64_t peers_words[WORDS(struct peers_data)];
static atomic_uint blocks_seq;
static _Atomic uint64_t blocks_words[WORDS(struct blocks_data)];

/* Validation thread only: the ring, newest at ring.b[0]. */
static struct blocks_data ring;

static void
snap_write(atomic_uint *seq, _Atomic uint64_t *w, const void *data, size_t len)
{
	unsigned s = atomic_load_explicit(seq, memory_order_relaxed);
	const uint8_t *p = data;
	uint64_t word;
	size_t i;

	atomic_store_explicit(seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	for (i = 0; i * 8 < len; i++) {
		word = 0;
		memcpy(&word, p + i * 8, len - i * 8 < 8 ? len - i * 8 : 8);
		atomic_store_explicit(&w[i], word, memory_order_relaxed);
	}
	atomic_store_explicit(seq, s + 2, memory_order_release);
}

static int
snap_read(atomic_uint *seq, _Atomic uint64_t *w, void *out, size_t len)
{
	uint8_t *p = out;
	unsigned s1, s2;
	uint64_t word;
	size_t i;
	int tries;

	for (tries = 0; tries < SNAP_READ_TRIES; tries++) {
		s1 = atomic_load_explicit(seq, memory_order_acquire);
		if (s1 & 1)
			continue;
		for (i = 0; i * 8 < len; i++) {
			word = atomic_load_explicit(&w[i],
			    memory_order_relaxed);
			memcpy(p + i * 8, &word,
			    len - i * 8 < 8 ? len - i * 8 : 8);
		}
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(seq, memory_order_relaxed);
		if (s1 == s2)
			return 0;
	}
	return -1;
}

void
metrics_publish_peers(const struct metrics_peer *p, size_t n)
{
	static struct peers_data d; /* net thread only */

	if (n > METRICS_MAX_PEERS)
		n = METRICS_MAX_PEERS;
	memset(&d, 0, sizeof(d));
	d.n = n;
	memcpy(d.p, p, n * sizeof(*p));
	snap_write(&peers_seq, peers_words, &d, sizeof(d));
}

/*
 * Reads a snapshot laid out as a count then an array (at off) of
 * elements of elsize bytes; copies up to cap of them to out.
 */
static size_t
read_list(atomic_uint *seq, _Atomic uint64_t *w, size_t len, size_t off,
    void *out, size_t elsize, size_t cap)
{
	uint8_t *d = xmalloc(len);
	uint64_t n = 0;

	if (snap_read(seq, w, d, len) == 0) {
		memcpy(&n, d, sizeof(n));
		if (n > cap)
			n = cap;
		memcpy(out, d + off, (size_t)n * elsize);
	}
	free(d);
	return (size_t)n;
}

size_t
metrics_read_peers(struct metrics_peer *out, size_t cap)
{
	return read_list(&peers_seq, peers_words, sizeof(struct peers_data),
	    offsetof(struct peers_data, p), out, sizeof(*out), cap);
}

void
metrics_block_connected(const struct metrics_block *b)
{
	memmove(&ring.b[1], &ring.b[0],
	    (METRICS_RECENT_BLOCKS - 1) * sizeof(ring.b[0]));
	ring.b[0] = *b;
	if (ring.n < METRICS_RECENT_BLOCKS)
		ring.n++;
	snap_write(&blocks_seq, blocks_words, &ring, sizeof(ring));
}

void
metrics_block_disconnected(int32_t height)
{
	size_t i = 0;

	while (i < ring.n && ring.b[i].height >= height)
		i++;
	if (i == 0)
		return;
	memmove(&ring.b[0], &ring.b[i], (ring.n - i) * sizeof(ring.b[0]));
	ring.n -= i;
	snap_write(&blocks_seq, blocks_words, &ring, sizeof(ring));
}

size_t
metrics_read_blocks(struct metrics_block *out, size_t cap)
{
	return read_list(&blocks_seq, blocks_words, sizeof(struct blocks_data),
	    offsetof(struct blocks_data, b), out, sizeof(*out), cap);
}
