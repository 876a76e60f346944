/*
 * Core's test-vector script notation (ParseScript in core_read.cpp):
 * whitespace-separated words, each a decimal number (pushed as a script
 * number), 0x-prefixed hex (inserted raw), a 'quoted string' (pushed), or
 * an opcode name with or without "OP_".
 */
#ifndef BR_TEST_SCRIPT_ASM_H
#define BR_TEST_SCRIPT_ASM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Returns 0 with *out xmalloc'd (caller frees; may be NULL when *len is 0),
 * or -1 on a word it cannot read, with *bad pointing at it (may be NULL).
 */
int script_asm_parse(const char *s, uint8_t **out, size_t *len,
    const char **bad);

#endif
