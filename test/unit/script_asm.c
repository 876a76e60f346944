/*
 * Reader for Core's test-vector script notation; see script_asm.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "script/opcodes.h"
#include "test/unit/script_asm.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

static void
put_push(struct wbuf *w, const uint8_t *d, size_t n)
{
	if (n < OP_PUSHDATA1)
		wbuf_put_u8(w, (uint8_t)n);
	else if (n <= 0xff) {
		wbuf_put_u8(w, OP_PUSHDATA1);
		wbuf_put_u8(w, (uint8_t)n);
	} else if (n <= 0xffff) {
		wbuf_put_u8(w, OP_PUSHDATA2);
		wbuf_put_le16(w, (uint16_t)n);
	} else {
		wbuf_put_u8(w, OP_PUSHDATA4);
		wbuf_put_le32(w, (uint32_t)n);
	}
	wbuf_put(w, d, n);
}

/* CScript << int64: small numbers as opcodes, others as minimal data. */
static void
put_number(struct wbuf *w, int64_t v)
{
	uint8_t b[9];
	uint64_t a;
	size_t n = 0;
	int neg = v < 0;

	if (v == 0) {
		wbuf_put_u8(w, OP_0);
		return;
	}
	if (v == -1 || (v >= 1 && v <= 16)) {
		wbuf_put_u8(w, (uint8_t)(v + (OP_1 - 1)));
		return;
	}
	a = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	while (a != 0) {
		b[n++] = (uint8_t)a;
		a >>= 8;
	}
	if (b[n - 1] & 0x80)
		b[n++] = neg ? 0x80 : 0;
	else if (neg)
		b[n - 1] |= 0x80;
	put_push(w, b, n);
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
parse_word(struct wbuf *w, char *word, size_t n)
{
	char *end;
	long long v;
	uint8_t *raw;
	size_t rawlen;
	int op;

	if (all_digits(word, n) ||
	    (word[0] == '-' && n > 1 && all_digits(word + 1, n - 1))) {
		errno = 0;
		v = strtoll(word, &end, 10);
		if (errno != 0 || *end != '\0' || v > 0xffffffffLL ||
		    v < -0xffffffffLL)
			return -1;
		put_number(w, v);
		return 0;
	}
	if (n > 2 && word[0] == '0' && word[1] == 'x') {
		if (hex_decode_alloc(word + 2, &raw, &rawlen) != 0)
			return -1;
		wbuf_put(w, raw, rawlen);
		free(raw);
		return 0;
	}
	if (n >= 2 && word[0] == '\'' && word[n - 1] == '\'') {
		put_push(w, (const uint8_t *)word + 1, n - 2);
		return 0;
	}
	op = script_op_parse(word);
	if (op < 0)
		return -1;
	wbuf_put_u8(w, (uint8_t)op);
	return 0;
}

int
script_asm_parse(const char *s, uint8_t **out, size_t *len, const char **bad)
{
	struct wbuf w;
	char *word;
	size_t n;
	int rc;

	wbuf_init(&w);
	while (*s != '\0') {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (*s == '\0')
			break;
		n = strcspn(s, " \t\n");
		word = xmalloc(n + 1);
		memcpy(word, s, n);
		word[n] = '\0';
		rc = parse_word(&w, word, n);
		free(word);
		if (rc != 0) {
			if (bad != NULL)
				*bad = s;
			wbuf_free(&w);
			return -1;
		}
		s += n;
	}
	*out = wbuf_steal(&w, len);
	return 0;
}
