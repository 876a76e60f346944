/*
 * Output script templates as Bitcoin Core's Solver classifies them, with
 * the data each template carries (keys, hashes, programs), and the
 * builders signing and the RPC methods need: minimal pushes, numbers,
 * multisig scripts.
 *
 * Reentrant. A struct script_solution borrows the script it was solved
 * from: keep the script alive and unchanged while the solution is used.
 */
#ifndef BR_SCRIPT_SOLVER_H
#define BR_SCRIPT_SOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "script/opcodes.h"
#include "util/buf.h"

/* Core's TxoutType, same order. */
enum script_type {
	SCRIPT_NONSTANDARD,
	SCRIPT_ANCHOR,
	SCRIPT_PUBKEY,
	SCRIPT_PUBKEYHASH,
	SCRIPT_SCRIPTHASH,
	SCRIPT_MULTISIG,
	SCRIPT_NULL_DATA,
	SCRIPT_WITNESS_V0_SCRIPTHASH,
	SCRIPT_WITNESS_V0_KEYHASH,
	SCRIPT_WITNESS_V1_TAPROOT,
	SCRIPT_WITNESS_UNKNOWN,
};

struct script_solution {
	enum script_type type;
	/*
	 * PUBKEY: the key; PUBKEYHASH, SCRIPTHASH: the 20-byte hash;
	 * MULTISIG: the keys; witness types: the program. Borrowed.
	 */
	const uint8_t *item[MAX_PUBKEYS_PER_MULTISIG];
	size_t len[MAX_PUBKEYS_PER_MULTISIG];
	size_t n;
	int required; /* MULTISIG: signatures needed */
	int version;  /* witness types: the version */
};

/* Core's Solver. */
enum script_type script_solve(const uint8_t *s, size_t len,
    struct script_solution *sol);

/* Appends a push of data as Core's CScript << vector (the shortest form). */
void script_push_data(struct wbuf *w, const uint8_t *data, size_t len);
/* Appends a number as Core's CScript << int64 (OP_0, OP_1..16, a push). */
void script_push_int(struct wbuf *w, int64_t n);
/*
 * Core's GetScriptForMultisig: required, the keys, their count,
 * OP_CHECKMULTISIG. Keys are taken as given (lens[i] bytes each).
 */
void script_build_multisig(struct wbuf *w, int required,
    const uint8_t *const *keys, const size_t *lens, size_t n);

#endif
