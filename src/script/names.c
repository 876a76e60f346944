/*
 * Names as Core spells them: verification flags, script errors (short name
 * and message) and opcodes. The tables are indexed by value so a lookup by
 * code is one array access.
 */
#include <string.h>

#include "script/opcodes.h"
#include "script/script.h"

struct flag_name {
	const char *name;
	uint32_t flag;
};

static const struct flag_name flag_names[] = {
	{ "P2SH", SCRIPT_VERIFY_P2SH },
	{ "STRICTENC", SCRIPT_VERIFY_STRICTENC },
	{ "DERSIG", SCRIPT_VERIFY_DERSIG },
	{ "LOW_S", SCRIPT_VERIFY_LOW_S },
	{ "NULLDUMMY", SCRIPT_VERIFY_NULLDUMMY },
	{ "SIGPUSHONLY", SCRIPT_VERIFY_SIGPUSHONLY },
	{ "MINIMALDATA", SCRIPT_VERIFY_MINIMALDATA },
	{ "DISCOURAGE_UPGRADABLE_NOPS",
	    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS },
	{ "CLEANSTACK", SCRIPT_VERIFY_CLEANSTACK },
	{ "CHECKLOCKTIMEVERIFY", SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY },
	{ "CHECKSEQUENCEVERIFY", SCRIPT_VERIFY_CHECKSEQUENCEVERIFY },
	{ "WITNESS", SCRIPT_VERIFY_WITNESS },
	{ "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM",
	    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM },
	{ "MINIMALIF", SCRIPT_VERIFY_MINIMALIF },
	{ "NULLFAIL", SCRIPT_VERIFY_NULLFAIL },
	{ "WITNESS_PUBKEYTYPE", SCRIPT_VERIFY_WITNESS_PUBKEYTYPE },
	{ "CONST_SCRIPTCODE", SCRIPT_VERIFY_CONST_SCRIPTCODE },
	{ "TAPROOT", SCRIPT_VERIFY_TAPROOT },
	{ "DISCOURAGE_UPGRADABLE_TAPROOT_VERSION",
	    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION },
	{ "DISCOURAGE_OP_SUCCESS", SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS },
	{ "DISCOURAGE_UPGRADABLE_PUBKEYTYPE",
	    SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE },
};

#define NFLAGS (sizeof(flag_names) / sizeof(flag_names[0]))

int
script_flags_parse(const char *s, uint32_t *flags)
{
	const char *p, *end;
	size_t i, n;
	uint32_t f = 0;

	*flags = 0;
	if (s == NULL || *s == '\0' || strcmp(s, "NONE") == 0)
		return 0;
	for (p = s;; p = end + 1) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		for (i = 0; i < NFLAGS; i++)
			if (strlen(flag_names[i].name) == n &&
			    memcmp(flag_names[i].name, p, n) == 0)
				break;
		if (i == NFLAGS)
			return -1;
		f |= flag_names[i].flag;
		if (end == NULL)
			break;
	}
	*flags = f;
	return 0;
}

const char *
script_flag_name(uint32_t flag)
{
	size_t i;

	for (i = 0; i < NFLAGS; i++)
		if (flag_names[i].flag == flag)
			return flag_names[i].name;
	return NULL;
}

struct error_name {
	const char *name;
	const char *text;
};

static const struct error_name error_names[SCRIPT_ERR_ERROR_COUNT] = {
	[SCRIPT_ERR_OK] = { "OK", "No error" },
	[SCRIPT_ERR_UNKNOWN_ERROR] = { "UNKNOWN_ERROR", "unknown error" },
	[SCRIPT_ERR_EVAL_FALSE] = { "EVAL_FALSE",
	    "Script evaluated without error but finished with a false/empty "
	    "top stack element" },
	[SCRIPT_ERR_OP_RETURN] = { "OP_RETURN", "OP_RETURN was encountered" },
	[SCRIPT_ERR_SCRIPT_SIZE] = { "SCRIPT_SIZE", "Script is too big" },
	[SCRIPT_ERR_PUSH_SIZE] = { "PUSH_SIZE",
	    "Push value size limit exceeded" },
	[SCRIPT_ERR_OP_COUNT] = { "OP_COUNT", "Operation limit exceeded" },
	[SCRIPT_ERR_STACK_SIZE] = { "STACK_SIZE",
	    "Stack size limit exceeded" },
	[SCRIPT_ERR_SIG_COUNT] = { "SIG_COUNT",
	    "Signature count negative or greater than pubkey count" },
	[SCRIPT_ERR_PUBKEY_COUNT] = { "PUBKEY_COUNT",
	    "Pubkey count negative or limit exceeded" },
	[SCRIPT_ERR_VERIFY] = { "VERIFY",
	    "Script failed an OP_VERIFY operation" },
	[SCRIPT_ERR_EQUALVERIFY] = { "EQUALVERIFY",
	    "Script failed an OP_EQUALVERIFY operation" },
	[SCRIPT_ERR_CHECKMULTISIGVERIFY] = { "CHECKMULTISIGVERIFY",
	    "Script failed an OP_CHECKMULTISIGVERIFY operation" },
	[SCRIPT_ERR_CHECKSIGVERIFY] = { "CHECKSIGVERIFY",
	    "Script failed an OP_CHECKSIGVERIFY operation" },
	[SCRIPT_ERR_NUMEQUALVERIFY] = { "NUMEQUALVERIFY",
	    "Script failed an OP_NUMEQUALVERIFY operation" },
	[SCRIPT_ERR_BAD_OPCODE] = { "BAD_OPCODE",
	    "Opcode missing or not understood" },
	[SCRIPT_ERR_DISABLED_OPCODE] = { "DISABLED_OPCODE",
	    "Attempted to use a disabled opcode" },
	[SCRIPT_ERR_INVALID_STACK_OPERATION] = { "INVALID_STACK_OPERATION",
	    "Operation not valid with the current stack size" },
	[SCRIPT_ERR_INVALID_ALTSTACK_OPERATION] = { "INVALID_ALTSTACK_OPERATION",
	    "Operation not valid with the current altstack size" },
	[SCRIPT_ERR_UNBALANCED_CONDITIONAL] = { "UNBALANCED_CONDITIONAL",
	    "Invalid OP_IF construction" },
	[SCRIPT_ERR_NEGATIVE_LOCKTIME] = { "NEGATIVE_LOCKTIME",
	    "Negative locktime" },
	[SCRIPT_ERR_UNSATISFIED_LOCKTIME] = { "UNSATISFIED_LOCKTIME",
	    "Locktime requirement not satisfied" },
	[SCRIPT_ERR_SIG_HASHTYPE] = { "SIG_HASHTYPE",
	    "Signature hash type missing or not understood" },
	[SCRIPT_ERR_SIG_DER] = { "SIG_DER", "Non-canonical DER signature" },
	[SCRIPT_ERR_MINIMALDATA] = { "MINIMALDATA",
	    "Data push larger than necessary" },
	[SCRIPT_ERR_SIG_PUSHONLY] = { "SIG_PUSHONLY",
	    "Only push operators allowed in signatures" },
	[SCRIPT_ERR_SIG_HIGH_S] = { "SIG_HIGH_S",
	    "Non-canonical signature: S value is unnecessarily high" },
	[SCRIPT_ERR_SIG_NULLDUMMY] = { "SIG_NULLDUMMY",
	    "Dummy CHECKMULTISIG argument must be zero" },
	[SCRIPT_ERR_PUBKEYTYPE] = { "PUBKEYTYPE",
	    "Public key is neither compressed or uncompressed" },
	[SCRIPT_ERR_CLEANSTACK] = { "CLEANSTACK",
	    "Stack size must be exactly one after execution" },
	[SCRIPT_ERR_MINIMALIF] = { "MINIMALIF",
	    "OP_IF/NOTIF argument must be minimal" },
	[SCRIPT_ERR_SIG_NULLFAIL] = { "NULLFAIL",
	    "Signature must be zero for failed CHECK(MULTI)SIG operation" },
	[SCRIPT_ERR_DISCOURAGE_UPGRADABLE_NOPS] = { "DISCOURAGE_UPGRADABLE_NOPS",
	    "NOPx reserved for soft-fork upgrades" },
	[SCRIPT_ERR_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM] = { "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM",
	    "Witness version reserved for soft-fork upgrades" },
	[SCRIPT_ERR_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION] = { "DISCOURAGE_UPGRADABLE_TAPROOT_VERSION",
	    "Taproot version reserved for soft-fork upgrades" },
	[SCRIPT_ERR_DISCOURAGE_OP_SUCCESS] = { "DISCOURAGE_OP_SUCCESS",
	    "OP_SUCCESSx reserved for soft-fork upgrades" },
	[SCRIPT_ERR_DISCOURAGE_UPGRADABLE_PUBKEYTYPE] = { "DISCOURAGE_UPGRADABLE_PUBKEYTYPE",
	    "Public key version reserved for soft-fork upgrades" },
	[SCRIPT_ERR_WITNESS_PROGRAM_WRONG_LENGTH] = { "WITNESS_PROGRAM_WRONG_LENGTH",
	    "Witness program has incorrect length" },
	[SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY] = { "WITNESS_PROGRAM_WITNESS_EMPTY",
	    "Witness program was passed an empty witness" },
	[SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH] = { "WITNESS_PROGRAM_MISMATCH",
	    "Witness program hash mismatch" },
	[SCRIPT_ERR_WITNESS_MALLEATED] = { "WITNESS_MALLEATED",
	    "Witness requires empty scriptSig" },
	[SCRIPT_ERR_WITNESS_MALLEATED_P2SH] = { "WITNESS_MALLEATED_P2SH",
	    "Witness requires only-redeemscript scriptSig" },
	[SCRIPT_ERR_WITNESS_UNEXPECTED] = { "WITNESS_UNEXPECTED",
	    "Witness provided for non-witness script" },
	[SCRIPT_ERR_WITNESS_PUBKEYTYPE] = { "WITNESS_PUBKEYTYPE",
	    "Using non-compressed keys in segwit" },
	[SCRIPT_ERR_SCHNORR_SIG_SIZE] = { "SCHNORR_SIG_SIZE",
	    "Invalid Schnorr signature size" },
	[SCRIPT_ERR_SCHNORR_SIG_HASHTYPE] = { "SCHNORR_SIG_HASHTYPE",
	    "Invalid Schnorr signature hash type" },
	[SCRIPT_ERR_SCHNORR_SIG] = { "SCHNORR_SIG",
	    "Invalid Schnorr signature" },
	[SCRIPT_ERR_TAPROOT_WRONG_CONTROL_SIZE] = { "TAPROOT_WRONG_CONTROL_SIZE",
	    "Invalid Taproot control block size" },
	[SCRIPT_ERR_TAPSCRIPT_VALIDATION_WEIGHT] = { "TAPSCRIPT_VALIDATION_WEIGHT",
	    "Too much signature validation relative to witness weight" },
	[SCRIPT_ERR_TAPSCRIPT_CHECKMULTISIG] = { "TAPSCRIPT_CHECKMULTISIG",
	    "OP_CHECKMULTISIG(VERIFY) is not available in tapscript" },
	[SCRIPT_ERR_TAPSCRIPT_MINIMALIF] = { "TAPSCRIPT_MINIMALIF",
	    "OP_IF/NOTIF argument must be minimal in tapscript" },
	[SCRIPT_ERR_TAPSCRIPT_EMPTY_PUBKEY] = { "TAPSCRIPT_EMPTY_PUBKEY",
	    "Empty public key in tapscript" },
	[SCRIPT_ERR_OP_CODESEPARATOR] = { "OP_CODESEPARATOR",
	    "Using OP_CODESEPARATOR in non-witness script" },
	[SCRIPT_ERR_SIG_FINDANDDELETE] = { "SIG_FINDANDDELETE",
	    "Signature is found in scriptCode" },
};

const char *
script_error_string(int err)
{
	if (err < 0 || err >= SCRIPT_ERR_ERROR_COUNT)
		return "unknown error";
	return error_names[err].text;
}

const char *
script_error_name(int err)
{
	if (err < 0 || err >= SCRIPT_ERR_ERROR_COUNT)
		return "UNKNOWN_ERROR";
	return error_names[err].name;
}

int
script_error_from_name(const char *name)
{
	int i;

	for (i = 0; i < SCRIPT_ERR_ERROR_COUNT; i++)
		if (strcmp(error_names[i].name, name) == 0)
			return i;
	return -1;
}

/* Names of the non-push opcodes, from OP_NOP (0x61) to OP_CHECKSIGADD. */
static const char *const op_names[] = {
	"OP_NOP",
	"OP_VER",
	"OP_IF",
	"OP_NOTIF",
	"OP_VERIF",
	"OP_VERNOTIF",
	"OP_ELSE",
	"OP_ENDIF",
	"OP_VERIFY",
	"OP_RETURN",
	"OP_TOALTSTACK",
	"OP_FROMALTSTACK",
	"OP_2DROP",
	"OP_2DUP",
	"OP_3DUP",
	"OP_2OVER",
	"OP_2ROT",
	"OP_2SWAP",
	"OP_IFDUP",
	"OP_DEPTH",
	"OP_DROP",
	"OP_DUP",
	"OP_NIP",
	"OP_OVER",
	"OP_PICK",
	"OP_ROLL",
	"OP_ROT",
	"OP_SWAP",
	"OP_TUCK",
	"OP_CAT",
	"OP_SUBSTR",
	"OP_LEFT",
	"OP_RIGHT",
	"OP_SIZE",
	"OP_INVERT",
	"OP_AND",
	"OP_OR",
	"OP_XOR",
	"OP_EQUAL",
	"OP_EQUALVERIFY",
	"OP_RESERVED1",
	"OP_RESERVED2",
	"OP_1ADD",
	"OP_1SUB",
	"OP_2MUL",
	"OP_2DIV",
	"OP_NEGATE",
	"OP_ABS",
	"OP_NOT",
	"OP_0NOTEQUAL",
	"OP_ADD",
	"OP_SUB",
	"OP_MUL",
	"OP_DIV",
	"OP_MOD",
	"OP_LSHIFT",
	"OP_RSHIFT",
	"OP_BOOLAND",
	"OP_BOOLOR",
	"OP_NUMEQUAL",
	"OP_NUMEQUALVERIFY",
	"OP_NUMNOTEQUAL",
	"OP_LESSTHAN",
	"OP_GREATERTHAN",
	"OP_LESSTHANOREQUAL",
	"OP_GREATERTHANOREQUAL",
	"OP_MIN",
	"OP_MAX",
	"OP_WITHIN",
	"OP_RIPEMD160",
	"OP_SHA1",
	"OP_SHA256",
	"OP_HASH160",
	"OP_HASH256",
	"OP_CODESEPARATOR",
	"OP_CHECKSIG",
	"OP_CHECKSIGVERIFY",
	"OP_CHECKMULTISIG",
	"OP_CHECKMULTISIGVERIFY",
	"OP_NOP1",
	"OP_CHECKLOCKTIMEVERIFY",
	"OP_CHECKSEQUENCEVERIFY",
	"OP_NOP4",
	"OP_NOP5",
	"OP_NOP6",
	"OP_NOP7",
	"OP_NOP8",
	"OP_NOP9",
	"OP_NOP10",
	"OP_CHECKSIGADD",
};

static const char *const small_nums[] = {
	"1",
	"2",
	"3",
	"4",
	"5",
	"6",
	"7",
	"8",
	"9",
	"10",
	"11",
	"12",
	"13",
	"14",
	"15",
	"16",
};

const char *
script_op_name(unsigned op)
{
	if (op == OP_0)
		return "0";
	if (op < OP_PUSHDATA1)
		return "OP_UNKNOWN";
	switch (op) {
	case OP_PUSHDATA1: return "OP_PUSHDATA1";
	case OP_PUSHDATA2: return "OP_PUSHDATA2";
	case OP_PUSHDATA4: return "OP_PUSHDATA4";
	case OP_1NEGATE: return "-1";
	case OP_RESERVED: return "OP_RESERVED";
	case OP_INVALIDOPCODE: return "OP_INVALIDOPCODE";
	}
	if (op >= OP_1 && op <= OP_16)
		return small_nums[op - OP_1];
	if (op >= OP_NOP && op <= OP_CHECKSIGADD)
		return op_names[op - OP_NOP];
	return "OP_UNKNOWN";
}

int
script_op_parse(const char *name)
{
	unsigned op;

	if (strncmp(name, "OP_", 3) == 0)
		name += 3;
	/* The old names of the two NOPs that became lock-time checks. */
	if (strcmp(name, "NOP2") == 0)
		return OP_CHECKLOCKTIMEVERIFY;
	if (strcmp(name, "NOP3") == 0)
		return OP_CHECKSEQUENCEVERIFY;
	if (strcmp(name, "RESERVED") == 0)
		return OP_RESERVED;
	for (op = OP_NOP; op <= OP_CHECKSIGADD; op++)
		if (strcmp(op_names[op - OP_NOP] + 3, name) == 0)
			return (int)op;
	return -1;
}
