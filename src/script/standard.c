/*
 * Script templates and signature-operation counts (Core's IsPayToScriptHash,
 * IsWitnessProgram, GetSigOpCount, CountWitnessSigOps).
 */
#include "crypto/hash.h"
#include "script/opcodes.h"
#include "script/script.h"

int
script_is_p2sh(const uint8_t *s, size_t len)
{
	return len == 23 && s[0] == OP_HASH160 && s[1] == 20 &&
	    s[22] == OP_EQUAL;
}

int
script_each_op(const uint8_t *s, size_t len, int (*fn)(unsigned op, void *arg),
    void *arg)
{
	const uint8_t *d;
	size_t pc = 0, dl;
	unsigned op;

	while (pc < len)
		if (!script_get_op(s, len, &pc, &op, &d, &dl) || !fn(op, arg))
			return 0;
	return 1;
}

static int
is_push_op(unsigned op, void *arg)
{
	(void)arg;
	/* OP_RESERVED (0x50) counts as a push here, as in Core. */
	return op <= OP_16;
}

int
script_is_push_only(const uint8_t *s, size_t len)
{
	return script_each_op(s, len, is_push_op, NULL);
}

int
script_is_witness_program(const uint8_t *s, size_t len, int *version,
    const uint8_t **prog, size_t *prog_len)
{
	if (len < 4 || len > 42)
		return 0;
	if (s[0] != OP_0 && (s[0] < OP_1 || s[0] > OP_16))
		return 0;
	if ((size_t)s[1] + 2 != len)
		return 0;
	*version = s[0] == OP_0 ? 0 : s[0] - (OP_1 - 1);
	*prog = s + 2;
	*prog_len = len - 2;
	return 1;
}

int
script_is_unspendable(const uint8_t *s, size_t len)
{
	return (len > 0 && s[0] == OP_RETURN) || len > MAX_SCRIPT_SIZE;
}

unsigned
script_sigops(const uint8_t *s, size_t len, int accurate)
{
	const uint8_t *d;
	size_t pc = 0, dl;
	unsigned op, last = OP_INVALIDOPCODE, n = 0;

	while (pc < len) {
		if (!script_get_op(s, len, &pc, &op, &d, &dl))
			break;
		if (op == OP_CHECKSIG || op == OP_CHECKSIGVERIFY)
			n++;
		else if (op == OP_CHECKMULTISIG ||
		    op == OP_CHECKMULTISIGVERIFY) {
			if (accurate && last >= OP_1 && last <= OP_16)
				n += last - (OP_1 - 1);
			else
				n += MAX_PUBKEYS_PER_MULTISIG;
		}
		last = op;
	}
	return n;
}

/*
 * The last push of a push-only scriptSig (empty for OP_0..OP_16, whose
 * data Core's reader leaves empty). Returns 0 if sig is not push-only.
 */
static int
last_push(const uint8_t *sig, size_t len, const uint8_t **data, size_t *dlen)
{
	const uint8_t *d;
	size_t pc = 0, dl;
	unsigned op;

	*data = NULL;
	*dlen = 0;
	while (pc < len) {
		if (!script_get_op(sig, len, &pc, &op, &d, &dl))
			return 0;
		if (op > OP_16)
			return 0;
		*data = d;
		*dlen = dl;
	}
	return 1;
}

unsigned
script_p2sh_sigops(const uint8_t *spent_script, size_t spent_len,
    const uint8_t *script_sig, size_t sig_len)
{
	const uint8_t *rs;
	size_t rs_len;

	if (!script_is_p2sh(spent_script, spent_len))
		return 0;
	if (!last_push(script_sig, sig_len, &rs, &rs_len))
		return 0;
	return script_sigops(rs, rs_len, 1);
}

static unsigned
witness_program_sigops(int version, size_t plen, const struct witem *wit,
    size_t wit_count)
{
	if (version != 0)
		return 0;
	if (plen == 20)
		return 1;
	if (plen == 32 && wit_count > 0)
		return script_sigops(wit[wit_count - 1].p,
		    wit[wit_count - 1].len, 1);
	return 0;
}

unsigned
script_witness_sigops(const uint8_t *script_sig, size_t sig_len,
    const uint8_t *spent_script, size_t spent_len, const struct witem *wit,
    size_t wit_count, uint32_t flags)
{
	const uint8_t *prog, *rs;
	size_t plen, rs_len;
	int version;

	if (!(flags & SCRIPT_VERIFY_WITNESS))
		return 0;
	if (script_is_witness_program(spent_script, spent_len, &version, &prog,
		&plen))
		return witness_program_sigops(version, plen, wit, wit_count);
	if (script_is_p2sh(spent_script, spent_len) &&
	    last_push(script_sig, sig_len, &rs, &rs_len) &&
	    script_is_witness_program(rs, rs_len, &version, &prog, &plen))
		return witness_program_sigops(version, plen, wit, wit_count);
	return 0;
}

size_t
script_wrap(const uint8_t *s, size_t len, int witness, uint8_t out[34])
{
	if (witness) {
		out[0] = 0x00;
		out[1] = 32;
		sha256(s, len, out + 2);
		return 34;
	}
	out[0] = 0xa9;
	out[1] = 20;
	hash160(s, len, out + 2);
	out[22] = 0x87;
	return 23;
}
