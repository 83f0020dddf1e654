// SPDX-License-Identifier: MIT
/* The libxs suites: see test_libxs_{ops,misc,watch}.c. */
#include <CUnit/CUnit.h>

extern CU_TestInfo libxs_ops_tests[];
extern CU_TestInfo libxs_misc_tests[];
extern CU_TestInfo libxs_watch_tests[];

CU_SuiteInfo xpv_test_suites[] = {
	{ "libxs ops", NULL, NULL, NULL, NULL, libxs_ops_tests },
	{ "libxs misc", NULL, NULL, NULL, NULL, libxs_misc_tests },
	{ "libxs watch", NULL, NULL, NULL, NULL, libxs_watch_tests },
	CU_SUITE_INFO_NULL,
};
