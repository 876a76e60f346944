/*
 * The block-rejection cases of test_validation (validation_rejects.c).
 * Each is a unit case: it needs the binary's testenv setup and unit.h.
 */
#ifndef BR_TEST_VALIDATION_REJECTS_H
#define BR_TEST_VALIDATION_REJECTS_H

void test_rejects_header(void);
void test_rejects_structure(void);
void test_rejects_witness(void);
void test_rejects_inputs(void);
void test_bip68_version_read_unsigned(void);

#endif
