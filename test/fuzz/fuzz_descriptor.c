/*
 * libFuzzer target for output descriptors (chain/descriptor.h), on every
 * chain's parameters.
 *
 * Input: a selector byte (chain << 1 | checksum required), then the text.
 * Properties:
 *  - parsing never crashes; a failure leaves no descriptor (its message
 *    may be empty, as Core's is for text after a whole expression);
 *  - the input checksum is the BIP380 checksum of the text before '#';
 *  - the canonical string carries a matching checksum, parses with the
 *    checksum required, prints the same again, holds no private key, and
 *    keeps the range and solvability of the input;
 *  - expanding the canonical form at the first and the last position gives
 *    the same scripts (and, without private keys in the input, the same
 *    inferred strings) as the input where both derive, and the input
 *    (which may hold the private keys for hardened steps) derives
 *    whenever the canonical form does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chainparams.h"
#include "chain/descriptor.h"

#define FUZZ_NAME "fuzz_descriptor"
#include "prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Longer than any descriptor a test or a user gives the node. */
#define MAX_TEXT 4096

static struct chainparams *chains[5];

/*
 * b is a's canonical form. Their inferred strings agree unless a holds
 * private keys: tr(WIF) stands for the 02 or 03 key, tr(x-only) for the
 * 02 one, and Core's origins (the key's own id) differ with them.
 */
static void
same_expansion(struct descriptor *a, struct descriptor *b, uint32_t pos)
{
	int same_keys = !descriptor_has_private_keys(a);
	struct descriptor_output oa, ob;
	int ra = descriptor_expand(a, pos, &oa);
	int rb = descriptor_expand(b, pos, &ob);
	size_t i;

	PROP(rb != 0 || ra == 0);
	if (ra == 0 && rb == 0) {
		PROP(oa.n == ob.n && oa.n >= 1 &&
		    oa.n <= DESCRIPTOR_MAX_SCRIPTS);
		for (i = 0; i < oa.n; i++) {
			PROP(oa.len[i] == ob.len[i]);
			PROP(memcmp(oa.script[i], ob.script[i], oa.len[i]) ==
			    0);
			PROP((oa.inferred[i] == NULL) ==
			    (ob.inferred[i] == NULL));
			if (oa.inferred[i] != NULL && same_keys)
				PROP(strcmp(oa.inferred[i], ob.inferred[i]) ==
				    0);
		}
	}
	if (ra == 0)
		descriptor_output_free(&oa);
	if (rb == 0)
		descriptor_output_free(&ob);
}

static void
check(const struct chainparams *cp, const char *s, int require)
{
	char err[DESCRIPTOR_ERR_LEN], sum[DESCRIPTOR_CHECKSUM_LEN + 1];
	struct descriptor *d, *d2;
	char *str, *str2, *hash;
	size_t body;

	if (descriptor_parse(cp, s, require, &d, err, sizeof(err)) != 0) {
		PROP(d == NULL);
		return;
	}
	hash = strchr(s, '#');
	PROP(!require || hash != NULL);
	body = hash ? (size_t)(hash - s) : strlen(s);
	PROP(descriptor_checksum(s, body, sum) == 0);
	PROP(strcmp(descriptor_input_checksum(d), sum) == 0);

	str = descriptor_to_string(d);
	hash = strrchr(str, '#');
	PROP(hash != NULL && strlen(hash + 1) == DESCRIPTOR_CHECKSUM_LEN);
	PROP(descriptor_checksum(str, (size_t)(hash - str), sum) == 0);
	PROP(strcmp(hash + 1, sum) == 0);
	PROP(descriptor_parse(cp, str, 1, &d2, err, sizeof(err)) == 0);
	str2 = descriptor_to_string(d2);
	PROP(strcmp(str, str2) == 0);
	PROP(!descriptor_has_private_keys(d2));
	PROP(descriptor_is_range(d) == descriptor_is_range(d2));
	PROP(descriptor_is_solvable(d) == descriptor_is_solvable(d2));
	same_expansion(d, d2, 0);
	if (descriptor_is_range(d))
		same_expansion(d, d2, 0x7fffffffU);
	free(str2);
	free(str);
	descriptor_free(d2);
	descriptor_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum chain_id ids[5] = { CHAIN_MAIN, CHAIN_TESTNET3,
		CHAIN_TESTNET4, CHAIN_SIGNET, CHAIN_REGTEST };
	char *s;
	size_t i;

	if (chains[0] == NULL)
		for (i = 0; i < 5; i++)
			chains[i] = chainparams_new(ids[i]);
	if (size < 1 || size - 1 > MAX_TEXT)
		return 0;
	s = malloc(size);
	if (s == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	check(chains[(data[0] >> 1) % 5], s, data[0] & 1);
	free(s);
	return 0;
}
