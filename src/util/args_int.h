/*
 * Inside the args module: the option registry and the parsed state, shared
 * by args.c (command line, resolution, getters), args_conf.c (config files)
 * and args_table.c (the registry and -help). Only those and the config
 * fuzz target include this.
 */
#ifndef BR_ARGS_INT_H
#define BR_ARGS_INT_H

#include <stddef.h>

#include "util/args.h"
#include "util/errbuf.h"

/* Flags of a registered option. */
#define ARG_NET 0x0001	     /* Core's NETWORK_ONLY */
#define ARG_MULTI 0x0002     /* repeatable; read with args_get_all */
#define ARG_INT 0x0004	     /* value must be an integer */
#define ARG_BOOL 0x0008	     /* value must be an integer (0: off) */
#define ARG_NONEG 0x0010     /* -noname is an error */
#define ARG_NOELIDE 0x0020   /* a bare -name is an error */
#define ARG_IGNORED 0x0040   /* accepted (Core has it), unused: warned */
#define ARG_UNSUPP 0x0080    /* a value other than 0 is refused */
#define ARG_DEBUG 0x0100     /* shown by -help-debug only */
#define ARG_HIDDEN 0x0200    /* never shown in help */
#define ARG_SENSITIVE 0x0400 /* value never logged */
#define ARG_CMDLINE 0x0800   /* not allowed in a config file */
#define ARG_CONFONLY 0x1000  /* not allowed on the command line */
#define ARG_WARN_ON 0x2000   /* a value other than 0 is warned about */
#define ARG_EMPTY_ON 0x4000  /* for U and W: "" asks for the feature */
#define ARG_CLIENT 0x8000    /* bitroot-cli's only; unknown to the daemon */

enum arg_group {
	ARG_GRP_OPTIONS,
	ARG_GRP_CONNECTION,
	ARG_GRP_WALLET,
	ARG_GRP_WALLET_DEBUG,
	ARG_GRP_ZMQ,
	ARG_GRP_DEBUG,
	ARG_GRP_CHAIN,
	ARG_GRP_RELAY,
	ARG_GRP_BLOCK,
	ARG_GRP_RPC,
	ARG_GRP_COUNT
};

struct arg_def {
	const char *name; /* without the dash */
	const char *val;  /* "=<n>" shown in help, or "" */
	unsigned int flags;
	enum arg_group group;
	const char *help;
	/*
	 * For ARG_IGNORED, ARG_UNSUPP and ARG_WARN_ON: why bitrootd does not
	 * act on it, and what to use instead; shown in the warning, the
	 * refusal and -help. contrib/devtools/check_options.py checks that
	 * every option is read somewhere or carries one of those flags.
	 */
	const char *note;
};

/* Registry lookup; -1 when name is not registered. Thread-safe. */
int arg_lookup(const char *name);
/* arg_lookup, -1 also for an option of the other program (ARG_CLIENT). */
int args_lookup_for(const struct args *a, const char *name);
const struct arg_def *arg_def_at(int idx);
size_t arg_count(void);

/* One occurrence of an option. */
struct arg_val {
	char *value; /* as given; "0" for a negation */
	int negated;
	char *section;	  /* "": top level; NULL: command line */
	const char *file; /* file: its path (owned by struct args) */
	int line;
};

struct arg_vals {
	struct arg_val *v;
	size_t n, cap;
};

/* What the getters return, per option, for the selected chain. */
struct arg_eff {
	const char *value; /* NULL when unset */
	int negated;
	const char **all; /* args_get_all, xmalloc'd array */
	size_t nall;
};

struct args {
	struct arg_vals *cmd;  /* per registry index */
	struct arg_vals *conf; /* per registry index, every section */
	struct arg_eff *eff;   /* per registry index */
	const char *chain;     /* NULL until args_select_chain */
	char *datadir;
	char *chaindir;
	char *conf_path; /* file read, or NULL */
	char **files;	 /* every file read, for arg_val.file */
	size_t nfiles;
	char **warnings;
	size_t nwarnings;
	int client; /* args_new_client: bitroot-cli's view */
};

/* args.c */
void args_add_value(struct arg_vals *vs, const char *value, int negated,
    const char *section, const char *file, int line);
void args_warn(struct args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Checks value v (NULL for a bare -name) for option d and the negation
 * rules; sets *out to the value to store and *neg. Returns 0, or -1 with
 * err.
 */
int args_interpret(struct args *a, const struct arg_def *d, const char *v,
    int negated, const char **out, int *neg, char *err, size_t errlen);
/* Recomputes every effective value for a->chain (NULL: top level only). */
void args_resolve(struct args *a);
/* The chain named by -chain & co. from the command line and top level. */
int args_chain_from_settings(struct args *a, const char **chain, char *err,
    size_t errlen);

/* args_conf.c */
/* Parses config text into a->conf; also the fuzz target's entry. */
int args_conf_parse(struct args *a, char *buf, size_t len, const char *path,
    int top, char *err, size_t errlen);
/* Sets a->datadir: -datadir (must exist, made absolute) or ~/.bitroot. */
int args_find_datadir(struct args *a, char *err, size_t errlen);

#endif
