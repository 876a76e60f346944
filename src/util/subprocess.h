/*
 * Runs a program and collects what it writes, for RPC methods that call
 * an external tool (enumeratesigners' -signer, as Core's
 * RunCommandParseJSON). posix_spawn, not fork: the daemon is
 * multi-threaded, and nothing but exec may follow a fork there.
 *
 * No state; any thread. The call blocks until the program exits.
 */
#ifndef BR_UTIL_SUBPROCESS_H
#define BR_UTIL_SUBPROCESS_H

#include <stddef.h>

struct subprocess_out {
	char *out; /* stdout, NUL-terminated (at most the cap given) */
	char *err; /* stderr, likewise */
	int status; /* the exit code, or the signal that killed it (as Core's) */
};

/*
 * Splits cmd on spaces and tabs (no shell, as Core's subprocess), runs it
 * with its path searched, stdin from /dev/null, and reads stdout and
 * stderr, each up to cap bytes (the rest is read and dropped). 0 with *o
 * filled (free with subprocess_out_free), or an errno value when the
 * program could not be started (nothing to free).
 */
int subprocess_run(const char *cmd, size_t cap, struct subprocess_out *o);
void subprocess_out_free(struct subprocess_out *o);

#endif
