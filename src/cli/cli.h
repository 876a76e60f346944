/*
 * bitroot-cli: the client's connection to the server and the commands that
 * are the client's own (-getinfo, -netinfo, -addrinfo, -generate), each a
 * few JSON-RPC calls whose answers the client formats as bitcoin-cli does.
 *
 * Single-threaded; every function may exit the process with Core's message
 * (cli_die) when the server cannot be reached or answers nonsense.
 */
#ifndef BR_CLI_H
#define BR_CLI_H

#include <stddef.h>

#include <jansson.h>

struct args;

/* What the command line asked of the client itself. */
struct cli_opts {
	char **shared; /* argv[0] then the options the config reader takes */
	int nshared;
	char *rpcpassword; /* -stdinrpcpass */
	int rpcwait;
	long rpcwaittimeout;
	long rpcclienttimeout;
	int named;
	int use_stdin;
	int stdinrpcpass;
	int getinfo;
	int netinfo;
	int addrinfo;
	int generate;
	int help;
	int version;
};

/* Where the server is and how to log in. */
struct cli_conn {
	char host[256];
	int port;
	char *auth;	   /* base64 of user:pass */
	char *cookie_path; /* cookie auth: re-read before each attempt */
	int no_cookie;	   /* credentials could not be found */
	char *conf_path;
	const struct args *args; /* the chain, for -netinfo and -generate */
};

/* One HTTP answer: status 0 when there was no connection. */
struct cli_reply {
	int status;
	int error;
	char *body;
	size_t len;
};

/* Prints "error: ..." to stderr and exits 1 at once. */
_Noreturn void cli_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* Base64 of a string, xmalloc'd. */
char *cli_base64(const char *s);
/* One line without its line end, xmalloc'd, or NULL at EOF. */
char *cli_read_line(FILE *f);
/* (Re)reads the cookie file into c->auth. */
void cli_load_cookie(struct cli_conn *c);
/*
 * POSTs body (a request or a batch) and returns the parsed answer; rep
 * keeps the raw text (free rep->body). Waits with -rpcwait; otherwise
 * exits with Core's message when the server cannot be reached.
 */
json_t *cli_call(const struct cli_opts *o, const struct cli_conn *c,
    const char *body, struct cli_reply *rep);
/*
 * One method: the reply object {result, error, id} (the caller decrefs).
 * params is stolen (NULL: none).
 */
json_t *cli_request(const struct cli_opts *o, const struct cli_conn *c,
    const char *method, json_t *params);
/* Prints a JSON-RPC error as bitcoin-cli does. */
void cli_print_error(const json_t *err);
/* The exit status bitcoin-cli gives for error (abs(code)), never 0. */
int cli_error_status(const json_t *err);

/* The client's own commands; each returns the exit status. */
int cli_getinfo(const struct cli_opts *o, const struct cli_conn *c);
int cli_netinfo(const struct cli_opts *o, const struct cli_conn *c,
    char **args, int nargs);
int cli_addrinfo(const struct cli_opts *o, const struct cli_conn *c,
    char **args, int nargs);
int cli_generate(const struct cli_opts *o, const struct cli_conn *c,
    char **args, int nargs);

#endif
