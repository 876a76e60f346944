/*
 * Script opcodes and the one opcode reader every part of the script module
 * uses, so that all of them split a script into operations the same way.
 */
#ifndef BR_SCRIPT_OPCODES_H
#define BR_SCRIPT_OPCODES_H

#include <stddef.h>
#include <stdint.h>

enum opcode {
	OP_0 = 0x00,
	OP_PUSHDATA1 = 0x4c,
	OP_PUSHDATA2 = 0x4d,
	OP_PUSHDATA4 = 0x4e,
	OP_1NEGATE = 0x4f,
	OP_RESERVED = 0x50,
	OP_1 = 0x51,
	OP_16 = 0x60,
	OP_NOP = 0x61,
	OP_VER = 0x62,
	OP_IF = 0x63,
	OP_NOTIF = 0x64,
	OP_VERIF = 0x65,
	OP_VERNOTIF = 0x66,
	OP_ELSE = 0x67,
	OP_ENDIF = 0x68,
	OP_VERIFY = 0x69,
	OP_RETURN = 0x6a,
	OP_TOALTSTACK = 0x6b,
	OP_FROMALTSTACK = 0x6c,
	OP_2DROP = 0x6d,
	OP_2DUP = 0x6e,
	OP_3DUP = 0x6f,
	OP_2OVER = 0x70,
	OP_2ROT = 0x71,
	OP_2SWAP = 0x72,
	OP_IFDUP = 0x73,
	OP_DEPTH = 0x74,
	OP_DROP = 0x75,
	OP_DUP = 0x76,
	OP_NIP = 0x77,
	OP_OVER = 0x78,
	OP_PICK = 0x79,
	OP_ROLL = 0x7a,
	OP_ROT = 0x7b,
	OP_SWAP = 0x7c,
	OP_TUCK = 0x7d,
	OP_CAT = 0x7e,
	OP_SUBSTR = 0x7f,
	OP_LEFT = 0x80,
	OP_RIGHT = 0x81,
	OP_SIZE = 0x82,
	OP_INVERT = 0x83,
	OP_AND = 0x84,
	OP_OR = 0x85,
	OP_XOR = 0x86,
	OP_EQUAL = 0x87,
	OP_EQUALVERIFY = 0x88,
	OP_RESERVED1 = 0x89,
	OP_RESERVED2 = 0x8a,
	OP_1ADD = 0x8b,
	OP_1SUB = 0x8c,
	OP_2MUL = 0x8d,
	OP_2DIV = 0x8e,
	OP_NEGATE = 0x8f,
	OP_ABS = 0x90,
	OP_NOT = 0x91,
	OP_0NOTEQUAL = 0x92,
	OP_ADD = 0x93,
	OP_SUB = 0x94,
	OP_MUL = 0x95,
	OP_DIV = 0x96,
	OP_MOD = 0x97,
	OP_LSHIFT = 0x98,
	OP_RSHIFT = 0x99,
	OP_BOOLAND = 0x9a,
	OP_BOOLOR = 0x9b,
	OP_NUMEQUAL = 0x9c,
	OP_NUMEQUALVERIFY = 0x9d,
	OP_NUMNOTEQUAL = 0x9e,
	OP_LESSTHAN = 0x9f,
	OP_GREATERTHAN = 0xa0,
	OP_LESSTHANOREQUAL = 0xa1,
	OP_GREATERTHANOREQUAL = 0xa2,
	OP_MIN = 0xa3,
	OP_MAX = 0xa4,
	OP_WITHIN = 0xa5,
	OP_RIPEMD160 = 0xa6,
	OP_SHA1 = 0xa7,
	OP_SHA256 = 0xa8,
	OP_HASH160 = 0xa9,
	OP_HASH256 = 0xaa,
	OP_CODESEPARATOR = 0xab,
	OP_CHECKSIG = 0xac,
	OP_CHECKSIGVERIFY = 0xad,
	OP_CHECKMULTISIG = 0xae,
	OP_CHECKMULTISIGVERIFY = 0xaf,
	OP_NOP1 = 0xb0,
	OP_CHECKLOCKTIMEVERIFY = 0xb1,
	OP_CHECKSEQUENCEVERIFY = 0xb2,
	OP_NOP4 = 0xb3,
	OP_NOP5 = 0xb4,
	OP_NOP6 = 0xb5,
	OP_NOP7 = 0xb6,
	OP_NOP8 = 0xb7,
	OP_NOP9 = 0xb8,
	OP_NOP10 = 0xb9,
	OP_CHECKSIGADD = 0xba,
	OP_INVALIDOPCODE = 0xff,
};

/* Consensus limits. */
#define MAX_SCRIPT_ELEMENT_SIZE 520
#define MAX_OPS_PER_SCRIPT 201
#define MAX_PUBKEYS_PER_MULTISIG 20
#define MAX_SCRIPT_SIZE 10000
#define MAX_STACK_SIZE 1000

/*
 * Reads the operation at *pc in s[0..len). On success returns 1, sets *op,
 * and for pushes (op <= OP_PUSHDATA4) points *data and *dlen at the pushed
 * bytes (NULL/0 for other opcodes); *pc moves past the operation.
 *
 * On a truncated push it returns 0 with *pc left just past the bytes that
 * were consumed (opcode and any length bytes), as Core's reader does; the
 * legacy signature hash depends on that position.
 */
static inline int
script_get_op(const uint8_t *s, size_t len, size_t *pc, unsigned *op,
    const uint8_t **data, size_t *dlen)
{
	size_t p = *pc, n;
	unsigned o;

	*op = OP_INVALIDOPCODE;
	*data = NULL;
	*dlen = 0;
	if (p >= len)
		return 0;
	o = s[p++];
	if (o > OP_PUSHDATA4) {
		*op = o;
		*pc = p;
		return 1;
	}
	if (o < OP_PUSHDATA1)
		n = o;
	else if (o == OP_PUSHDATA1) {
		if (len - p < 1) {
			*pc = p;
			return 0;
		}
		n = s[p];
		p += 1;
	} else if (o == OP_PUSHDATA2) {
		if (len - p < 2) {
			*pc = p;
			return 0;
		}
		n = (size_t)s[p] | (size_t)s[p + 1] << 8;
		p += 2;
	} else {
		if (len - p < 4) {
			*pc = p;
			return 0;
		}
		n = (size_t)s[p] | (size_t)s[p + 1] << 8 |
		    (size_t)s[p + 2] << 16 | (size_t)s[p + 3] << 24;
		p += 4;
	}
	if (len - p < n) {
		*pc = p;
		return 0;
	}
	*op = o;
	*data = s + p;
	*dlen = n;
	*pc = p + n;
	return 1;
}

/*
 * Core's CheckMinimalPush (BIP62 rule 3): whether a push of d[0..len) by op
 * (op <= OP_PUSHDATA4) uses the shortest opcode for its data.
 */
static inline int
script_minimal_push(unsigned op, const uint8_t *d, size_t len)
{
	if (len == 0)
		return op == OP_0;
	if (len == 1 && d[0] >= 1 && d[0] <= 16)
		return 0;
	if (len == 1 && d[0] == 0x81)
		return 0;
	if (len <= 75)
		return op == len;
	if (len <= 255)
		return op == OP_PUSHDATA1;
	if (len <= 65535)
		return op == OP_PUSHDATA2;
	return 1;
}

/* BIP342 OP_SUCCESSx: opcodes that make a tapscript succeed unconditionally. */
static inline int
script_op_is_success(unsigned op)
{
	return op == 80 || op == 98 || (op >= 126 && op <= 129) ||
	    (op >= 131 && op <= 134) || (op >= 137 && op <= 138) ||
	    (op >= 141 && op <= 142) || (op >= 149 && op <= 153) ||
	    (op >= 187 && op <= 254);
}

/* Core's GetOpName: "OP_DUP", "0", "1".."16", "-1", "OP_UNKNOWN". */
const char *script_op_name(unsigned op);
/*
 * Opcode of a name as Core's asm reader accepts it, with or without the
 * "OP_" prefix ("DUP", "OP_CHECKSIG", "NOP2"); -1 if unknown. Push and
 * number opcodes are not names here (asm writes them as numbers or hex).
 */
int script_op_parse(const char *name);

#endif
