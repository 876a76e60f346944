/*
 * Fuzz target: the config-file parser and the command-line parser.
 *
 * The input is taken twice: as the text of a config file, and as a
 * command line (words separated by NUL bytes). Whatever is accepted is then
 * resolved for its chain and dumped, so every path from bytes to getters
 * runs. Nothing may crash, leak or read out of bounds; errors are fine.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/args.h"
#include "util/args_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
finish(struct args *a)
{
	const char *chain;
	char err[512], *dump;

	if (args_chain_from_settings(a, &chain, err, sizeof(err)) == 0) {
		a->chain = chain;
		args_resolve(a);
	}
	dump = args_dump(a);
	free(dump);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct args *a;
	char err[512], *buf, *argv[64], *p;
	int argc;

	if (size > 65536)
		return 0;
	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;

	/* as a config file */
	memcpy(buf, data, size);
	buf[size] = '\0';
	a = args_new();
	if (args_conf_parse(a, buf, size, "fuzz.conf", 1, err,
	    sizeof(err)) == 0)
		finish(a);
	args_free(a);

	/* as a command line */
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "bitrootd";
	argc = 1;
	for (p = buf; p < buf + size && argc < 63; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	a = args_new();
	if (args_parse_argv(a, argc, argv, err, sizeof(err)) == 0)
		finish(a);
	args_free(a);
	free(buf);
	return 0;
}
