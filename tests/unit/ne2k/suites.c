// SPDX-License-Identifier: MIT
#include <CUnit/CUnit.h>

extern CU_TestInfo ne2k_tests[];

CU_SuiteInfo xpv_test_suites[] = {
	{ "ne2k emulation", NULL, NULL, NULL, NULL, ne2k_tests },
	CU_SUITE_INFO_NULL,
};
