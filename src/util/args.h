/*
 * Command-line and config-file arguments, as Bitcoin Core's ArgsManager.
 *
 * Other modules read their options with the getters below, by
 * name without the dash ("maxconnections"). Getters see the effective value
 * for the selected chain: the command line first, then the config file's
 * section for the chain, then (for options that are not network-specific)
 * its top level. For repeatable options args_get_all returns every value.
 * After start-up the struct is read-only and any thread may read it.
 */
#ifndef BR_ARGS_H
#define BR_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct args;

/* Last effective value, or NULL if unset. "-noname" yields "0". */
const char *args_get(const struct args *a, const char *name);
int args_is_set(const struct args *a, const char *name);
int64_t args_get_int(const struct args *a, const char *name, int64_t def);
int args_get_bool(const struct args *a, const char *name, int def);
/* Every effective value of a repeatable option, in order; *vals valid while a lives. */
size_t args_get_all(const struct args *a, const char *name,
    const char *const **vals);
/* "main", "test", "testnet4", "signet" or "regtest". */
const char *args_chain_name(const struct args *a);
/* The datadir and the chain's directory under it (datadir itself for main). */
const char *args_datadir(const struct args *a);
const char *args_chaindir(const struct args *a);

/*
 * Set-up, main thread only, in this order: args_new, args_parse_argv,
 * (help and version), args_read_config, args_select_chain. Each step that
 * fails returns -1 and writes a complete sentence to err (main prints it
 * after "Error: "); the struct stays usable for args_free.
 *
 * Values: "-name=v" stores v; a bare "-name" stores "1" for boolean and
 * integer options and "" for the others (as Core, where "" reads as true);
 * "-noname" is a negation, read as "0". Integer and boolean options are
 * checked when parsed. The getters above refer to a registered option by
 * name without the dash; asking for an unregistered name is a programming
 * error and calls fatalx(). Pointers returned by the getters stay valid
 * until the next set-up call or args_free.
 */
struct args *args_new(void);
/*
 * bitroot-cli's arguments: the same config files and chain sections, plus
 * the client's options (-rpcconnect); args_select_chain then refuses
 * nothing, since what the daemon refuses at start-up is the daemon's
 * concern, and a network-only option at the top is dropped for a test
 * chain, as bitcoin-cli does.
 */
struct args *args_new_client(void);
void args_free(struct args *a);
/*
 * Parses argv[1..]: unknown options, stray words, bad values fail: -2 for
 * a word that is not an option (Core reports it on its own), -1 for the
 * rest (Core's "Error parsing command line arguments"), with err filled.
 */
int args_parse_argv(struct args *a, int argc, char *const argv[], char *err,
    size_t errlen);
/* -?, -h, -help or -help-debug (2 for -help-debug), else 0. */
int args_help_requested(const struct args *a);
/* The grouped option list (debug-only options when debug is set). */
void args_print_help(FILE *fp, int debug);
/*
 * Finds the datadir (-datadir, default ~/.bitroot; a given one must
 * exist) and reads the config file (-conf, else <datadir>/bitroot.conf,
 * else <datadir>/bitcoin.conf; none is fine) and its includeconf files.
 */
int args_read_config(struct args *a, char *err, size_t errlen);
/*
 * Picks the chain from -chain/-regtest/-testnet/-testnet4/-signet,
 * resolves every option for it, and fails on Core's rule that a
 * network-only option (port, rpcport, bind, rpcbind, connect, addnode,
 * wallet, walletdir) set only at the top of the config file does not apply
 * to a test chain; and on any option bitrootd does not support (the
 * registry's ARG_UNSUPP) asking for anything but off, with one line naming
 * it and what to use instead.
 */
int args_select_chain(struct args *a, char *err, size_t errlen);
/* Whether the effective value is a negation ("-noname"). */
int args_is_negated(const struct args *a, const char *name);
/* Whether name is a registered option (without the dash). */
int args_is_known(const char *name);
/* The config file read, or NULL when there was none (or -noconf). */
const char *args_config_path(const struct args *a);
/* Non-fatal findings of set-up (unknown config keys, ...), in order. */
size_t args_warnings(const struct args *a, const char *const **msgs);
/*
 * After log_init: logs the warnings, the command-line and config-file
 * settings (sensitive values masked, as Core's LogArgs), and a warning for
 * each option that is set but has no effect in bitrootd (the registry's
 * ARG_IGNORED options, and ARG_WARN_ON ones set to anything but off).
 */
void args_log(const struct args *a);
/*
 * Effective settings as text, one per line, for tests and -debug=config:
 * "chain=", "datadir=", "chaindir=", "conf=", then "-name=value" for
 * every option that is set ("-name+=value" per value of a repeatable one),
 * then "warning: ..." lines. The caller frees the string.
 */
char *args_dump(const struct args *a);

#endif
