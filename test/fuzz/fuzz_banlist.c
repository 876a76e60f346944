/*
 * libFuzzer target for banlist.json (store/banlist.h), which the ban
 * manager reads at start-up and whose addresses it turns into subnets
 * (net/banman.c: subnet_parse).
 *
 * Input: the file's text. Properties:
 *  - it parses, or fails (not JSON, no banned_nets array) with nothing
 *    returned;
 *  - every entry kept has a NUL-terminated address without a NUL inside,
 *    shorter than BANLIST_ADDR_MAX, and kept plus skipped is the number
 *    of elements of banned_nets;
 *  - the text banlist_write would write for the entries parses back to
 *    the same entries, none skipped;
 *  - an address that parses as a subnet formats to text that parses to
 *    the same subnet.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/netaddr.h"
#include "store/banlist.h"

#define FUZZ_NAME "fuzz_banlist"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_quiet_log();
}

static void
check_subnet(const char *text)
{
	struct subnet sn, back;
	char out[128];

	if (subnet_parse(text, &sn) != 0)
		return;
	subnet_format(&sn, out, sizeof(out));
	PROP(subnet_parse(out, &back) == 0);
	PROP(subnet_eq(&sn, &back));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct banlist_entry *v, *w;
	size_t n, skipped, n2, skipped2, i, len;
	char *text;

	if (size > 65536)
		return 0;
	if (banlist_parse((const char *)data, size, "fuzz", &v, &n,
		&skipped) != 0) {
		PROP(v == NULL && n == 0);
		return 0;
	}
	PROP(v != NULL);
	for (i = 0; i < n; i++) {
		len = strnlen(v[i].address, BANLIST_ADDR_MAX);
		PROP(len < BANLIST_ADDR_MAX);
		check_subnet(v[i].address);
	}
	text = banlist_text(v, n);
	PROP(banlist_parse(text, strlen(text), "fuzz", &w, &n2, &skipped2) ==
	    0);
	PROP(n2 == n && skipped2 == 0);
	for (i = 0; i < n; i++) {
		PROP(strcmp(v[i].address, w[i].address) == 0);
		PROP(v[i].created == w[i].created && v[i].until == w[i].until);
	}
	free(text);
	free(w);
	free(v);
	return 0;
}
