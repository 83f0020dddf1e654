// SPDX-License-Identifier: MIT
/*
 * main() for every CUnit test binary: each binary defines xpv_test_suites[]
 * and links this file.  Ends with the "N passed, N failed" line that
 * tests/run.sh adds up.
 */
#include <CUnit/Basic.h>
#include <stdio.h>

extern CU_SuiteInfo xpv_test_suites[];

int main(void)
{
	unsigned int run, failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(xpv_test_suites) != CUE_SUCCESS) {
		fprintf(stderr, "suite registration: %s\n", CU_get_error_msg());
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	printf("%u passed, %u failed\n", run - failed, failed);
	return failed ? 1 : 0;
}
