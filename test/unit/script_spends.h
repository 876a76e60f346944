/*
 * Script module tests built from signed spends (script_spends.c), run by
 * test_script next to Core's vectors.
 */
#ifndef BR_TEST_SCRIPT_SPENDS_H
#define BR_TEST_SCRIPT_SPENDS_H

void test_p2wpkh_and_sigcache(void);
void test_tapscript(void);
void test_tapscript_rules(void);
void test_checkqueue(void);
void test_legacy_multisig_and_sigops(void);
void test_lax_der_and_low_s(void);
void test_pay_to_anchor(void);
void test_names_and_flags(void);
void test_check_tx(void);

#endif
