/*
 * Descriptors back to text: the canonical public form getdescriptorinfo
 * prints (Core's Descriptor::ToString), with its checksum.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/descriptor_int.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"

void
desc_append(char **buf, const char *fmt, ...)
{
	size_t old = *buf != NULL ? strlen(*buf) : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("%s: bad format", __func__);
	*buf = xrealloc(*buf, old + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(*buf + old, (size_t)n + 1, fmt, ap);
	va_end(ap);
}

static const char *
type_name(enum desc_type t)
{
	switch (t) {
	case DESC_PK: return "pk";
	case DESC_PKH: return "pkh";
	case DESC_WPKH: return "wpkh";
	case DESC_COMBO: return "combo";
	case DESC_SH: return "sh";
	case DESC_WSH: return "wsh";
	case DESC_MULTI: return "multi";
	case DESC_SORTEDMULTI: return "sortedmulti";
	case DESC_MULTI_A: return "multi_a";
	case DESC_SORTEDMULTI_A: return "sortedmulti_a";
	case DESC_TR: return "tr";
	case DESC_RAWTR: return "rawtr";
	case DESC_ADDR: return "addr";
	case DESC_RAW: return "raw";
	case DESC_MINISCRIPT: return "";
	}
	return "?";
}

static void node_string(const struct chainparams *cp,
    const struct desc_node *n, char **buf);

/* Core's TRDescriptor::ToStringSubScriptHelper: braces from the depths. */
static void
tree_string(const struct chainparams *cp, const struct desc_node *n,
    char **buf)
{
	/* path[i]: whether the branch at depth i is now the right one. */
	uint8_t path[DESC_MAX_TREE_DEPTH + 1];
	size_t depth = 0, i;

	for (i = 0; i < n->nsubs; i++) {
		desc_append(buf, ",");
		while ((int)depth <= n->depths[i]) {
			if (depth > 0)
				desc_append(buf, "{");
			path[depth++] = 0;
		}
		node_string(cp, n->subs[i], buf);
		while (depth > 0 && path[depth - 1]) {
			if (depth > 1)
				desc_append(buf, "}");
			depth--;
		}
		if (depth > 0)
			path[depth - 1] = 1;
	}
}

static void
node_string(const struct chainparams *cp, const struct desc_node *n,
    char **buf)
{
	char *hex;
	size_t i;

	if (n->type == DESC_MINISCRIPT) {
		desc_miniscript_append(cp, n, buf);
		return;
	}
	desc_append(buf, "%s(", type_name(n->type));
	switch (n->type) {
	case DESC_RAW:
		hex = hex_encode_alloc(n->script, n->script_len);
		desc_append(buf, "%s", hex);
		free(hex);
		break;
	case DESC_ADDR: desc_append(buf, "%s", n->addr); break;
	case DESC_SH:
	case DESC_WSH: node_string(cp, n->subs[0], buf); break;
	case DESC_TR:
		desc_key_append(cp, n->keys[0], buf);
		tree_string(cp, n, buf);
		break;
	case DESC_MULTI:
	case DESC_SORTEDMULTI:
	case DESC_MULTI_A:
	case DESC_SORTEDMULTI_A:
		desc_append(buf, "%u", n->threshold);
		for (i = 0; i < n->nkeys; i++) {
			desc_append(buf, ",");
			desc_key_append(cp, n->keys[i], buf);
		}
		break;
	default: desc_key_append(cp, n->keys[0], buf); break;
	}
	desc_append(buf, ")");
}

char *
descriptor_to_string(const struct descriptor *d)
{
	char sum[DESCRIPTOR_CHECKSUM_LEN + 1], *body = NULL, *out;

	node_string(d->cp, d->root, &body);
	/* Keys, hex and addresses are all in the descriptor set. */
	if (descriptor_checksum(body, strlen(body), sum) == -1)
		fatalx("%s: no checksum for %s", __func__, body);
	out = xasprintf("%s#%s", body, sum);
	free(body);
	return out;
}
