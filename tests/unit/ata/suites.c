// SPDX-License-Identifier: MIT
#include <CUnit/CUnit.h>

extern CU_TestInfo ata_reg_tests[], ata_prd_tests[];

CU_SuiteInfo xpv_test_suites[] = {
	{ "ata registers and driver", NULL, NULL, NULL, NULL, ata_reg_tests },
	{ "ata PRD tables", NULL, NULL, NULL, NULL, ata_prd_tests },
	CU_SUITE_INFO_NULL,
};
