/*
 * banlist.json codec (store/banlist.c): round trip, Core's own file, and
 * what is refused or skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "store/banlist.h"

static const char *
tmp_path(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "/tmp/br-test-%d-%s", (int)getpid(), name);
	return buf;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	fputs(text, f);
	fclose(f);
}

static void
test_banlist_roundtrip(void)
{
	const char *path = tmp_path("banlist.json");
	struct banlist_entry in[3], *out;
	size_t n, bad;

	memset(in, 0, sizeof(in));
	snprintf(in[0].address, sizeof(in[0].address), "1.2.3.0/24");
	in[0].created = 1700000000;
	in[0].until = 1700086400;
	snprintf(in[1].address, sizeof(in[1].address), "2001:4860::/32");
	in[1].created = 1;
	in[1].until = 99999999999LL;
	snprintf(in[2].address, sizeof(in[2].address), "10.0.0.1/32");
	in[2].created = -5;
	in[2].until = 0;
	unlink(path);
	CHECK_EQ_INT(banlist_read(path, &out, &n, &bad), 1);
	CHECK(out == NULL);
	CHECK_EQ_INT(banlist_write(path, in, 3), 0);
	CHECK_EQ_INT(banlist_read(path, &out, &n, &bad), 0);
	CHECK_EQ_INT(n, 3);
	CHECK_EQ_INT(bad, 0);
	CHECK(memcmp(out, in, sizeof(in)) == 0);
	free(out);
	/* An empty list is a list. */
	CHECK_EQ_INT(banlist_write(path, in, 0), 0);
	CHECK_EQ_INT(banlist_read(path, &out, &n, &bad), 0);
	CHECK_EQ_INT(n, 0);
	free(out);
	unlink(path);
}

/* The file as Bitcoin Core 28 writes it (four-space indent, key order). */
static void
test_banlist_core_file(void)
{
	const char *path = tmp_path("core-banlist.json");
	struct banlist_entry *out;
	size_t n, bad;

	write_file(path,
	    "{\n"
	    "    \"banned_nets\": [\n"
	    "        {\n"
	    "            \"version\": 1,\n"
	    "            \"ban_created\": 1733493000,\n"
	    "            \"banned_until\": 1733579400,\n"
	    "            \"address\": \"192.168.0.0/16\"\n"
	    "        },\n"
	    "        {\n"
	    "            \"version\": 1,\n"
	    "            \"ban_created\": 1733493001,\n"
	    "            \"banned_until\": 1765029001,\n"
	    "            \"address\": \"fe80::/10\"\n"
	    "        }\n"
	    "    ]\n"
	    "}\n");
	CHECK_EQ_INT(banlist_read(path, &out, &n, &bad), 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_STR(out[0].address, "192.168.0.0/16");
	CHECK_EQ_INT(out[0].created, 1733493000);
	CHECK_EQ_INT(out[0].until, 1733579400);
	CHECK_EQ_STR(out[1].address, "fe80::/10");
	CHECK_EQ_INT(out[1].until, 1765029001);
	/* Written back, it reads the same. */
	CHECK_EQ_INT(banlist_write(path, out, n), 0);
	free(out);
	CHECK_EQ_INT(banlist_read(path, &out, &n, &bad), 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_STR(out[1].address, "fe80::/10");
	CHECK_EQ_INT(out[1].created, 1733493001);
	free(out);
	unlink(path);
}

static void
test_banlist_malformed(void)
{
	const char *path = tmp_path("bad-banlist.json");
	struct banlist_entry *out;
	size_t n, bad;

	write_file(path, "{\"banned_nets\": [");
	CHECK_EQ_INT(banlist_read(path, &out, &n, &bad), -1);
	write_file(path, "{\"banned\": []}");
	CHECK_EQ_INT(banlist_read(path, &out, &n, &bad), -1);
	write_file(path, "{\"banned_nets\": [1, 2]}");
	CHECK_EQ_INT(banlist_read(path, &out, &n, &bad), 0);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(bad, 2);
	free(out);
	/* Wrong version, a time that is not an integer, no address: skipped. */
	write_file(path,
	    "{\"banned_nets\": ["
	    "{\"version\": 2, \"ban_created\": 1, \"banned_until\": 2, "
	    "\"address\": \"1.1.1.1/32\"},"
	    "{\"version\": 1, \"ban_created\": 1.5, \"banned_until\": 2, "
	    "\"address\": \"1.1.1.2/32\"},"
	    "{\"version\": 1, \"ban_created\": 1, \"banned_until\": 2},"
	    "{\"version\": 1, \"ban_created\": 1, \"banned_until\": 2, "
	    "\"address\": \"1.1.1.3/32\"}]}");
	CHECK_EQ_INT(banlist_read(path, &out, &n, &bad), 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(bad, 3);
	CHECK_EQ_STR(out[0].address, "1.1.1.3/32");
	free(out);
	unlink(path);
}

/*
 * Found while writing fuzz_banlist: one address with \u0000 in it made
 * jansson refuse the whole file, so every ban was lost at start-up; Core
 * drops that entry alone. (Read as a string, it would have banned the
 * text before the NUL.)
 */
static void
test_banlist_address_with_nul_skipped(void)
{
	static const char text[] =
	    "{\"banned_nets\": ["
	    "{\"version\": 1, \"ban_created\": 1, \"banned_until\": 2, "
	    "\"address\": \"1.2.3.4\\u0000/8\"},"
	    "{\"version\": 1, \"ban_created\": 1, \"banned_until\": 2, "
	    "\"address\": \"5.6.7.8\"}]}";
	struct banlist_entry *out;
	size_t n, bad;
	char *back;

	CHECK_EQ_INT(banlist_parse(text, sizeof(text) - 1, "test", &out, &n,
			 &bad),
	    0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(bad, 1);
	CHECK_EQ_STR(out[0].address, "5.6.7.8");
	/* The text it writes parses back to the same entries. */
	back = banlist_text(out, n);
	free(out);
	CHECK_EQ_INT(banlist_parse(back, strlen(back), "test", &out, &n, &bad),
	    0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_STR(out[0].address, "5.6.7.8");
	free(out);
	free(back);
}

UNIT_MAIN(UNIT_CASE(test_banlist_address_with_nul_skipped),
    UNIT_CASE(test_banlist_roundtrip), UNIT_CASE(test_banlist_core_file),
    UNIT_CASE(test_banlist_malformed))
