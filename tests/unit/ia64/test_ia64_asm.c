// SPDX-License-Identifier: MIT
/*
 * arch-xen-ia64/hyperprivop.S through Debian's binutils-ia64-linux-gnu:
 * preprocess with the host cpp, assemble with ia64-linux-gnu-as, disassemble
 * with ia64-linux-gnu-objdump, then check every stub: one break with the
 * right immediate, exactly the expected register moves before it, and a
 * return after.  Without the cross binutils the single test says "skipped"
 * and passes; nothing else is counted.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch-xen-ia64/xen_ia64_abi.h"

#define SRC "arch-xen-ia64/hyperprivop.S"
#define MAX_INSNS 32

struct stub {
	const char *name;
	unsigned long imm;
	const char *movs[7];
};

#define A1                                                                     \
	{                                                                      \
		"r8=r32"                                                       \
	}
#define A2                                                                     \
	{                                                                      \
		"r8=r32", "r9=r33"                                             \
	}
static const struct stub stubs[] = {
	{"xpv_ia64_hp_rfi", HYPERPRIVOP_RFI, {0}},
	{"xpv_ia64_hp_rsm_dt", HYPERPRIVOP_RSM_DT, {0}},
	{"xpv_ia64_hp_ssm_dt", HYPERPRIVOP_SSM_DT, {0}},
	{"xpv_ia64_hp_cover", HYPERPRIVOP_COVER, {0}},
	{"xpv_ia64_hp_itc_d", HYPERPRIVOP_ITC_D, A1},
	{"xpv_ia64_hp_itc_i", HYPERPRIVOP_ITC_I, A1},
	{"xpv_ia64_hp_ssm_i", HYPERPRIVOP_SSM_I, {0}},
	{"xpv_ia64_hp_get_ivr", HYPERPRIVOP_GET_IVR, {0}},
	{"xpv_ia64_hp_get_tpr", HYPERPRIVOP_GET_TPR, {0}},
	{"xpv_ia64_hp_set_tpr", HYPERPRIVOP_SET_TPR, A1},
	{"xpv_ia64_hp_eoi", HYPERPRIVOP_EOI, A1},
	{"xpv_ia64_hp_set_itm", HYPERPRIVOP_SET_ITM, A1},
	{"xpv_ia64_hp_thash", HYPERPRIVOP_THASH, A1},
	{"xpv_ia64_hp_ptc_ga", HYPERPRIVOP_PTC_GA, A2},
	{"xpv_ia64_hp_itr_d", HYPERPRIVOP_ITR_D, A2},
	{"xpv_ia64_hp_get_rr", HYPERPRIVOP_GET_RR, A1},
	{"xpv_ia64_hp_set_rr", HYPERPRIVOP_SET_RR, A2},
	{"xpv_ia64_hp_set_kr", HYPERPRIVOP_SET_KR, A2},
	{"xpv_ia64_hp_fc", HYPERPRIVOP_FC, A1},
	{"xpv_ia64_hp_get_cpuid", HYPERPRIVOP_GET_CPUID, A1},
	{"xpv_ia64_hp_get_pmd", HYPERPRIVOP_GET_PMD, A1},
	{"xpv_ia64_hp_get_eflag", HYPERPRIVOP_GET_EFLAG, {0}},
	{"xpv_ia64_hp_set_eflag", HYPERPRIVOP_SET_EFLAG, A1},
	{"xpv_ia64_hp_rsm_be", HYPERPRIVOP_RSM_BE, {0}},
	{"xpv_ia64_hp_get_psr", HYPERPRIVOP_GET_PSR, {0}},
	{"xpv_ia64_hp_set_rr0_to_rr4",
	 HYPERPRIVOP_SET_RR0_TO_RR4,
	 {"r8=r32", "r9=r33", "r10=r34", "r11=r35", "r14=r36"}},
	{"xpv_ia64_hypercall",
	 XEN_IA64_HYPERCALL_BREAK,
	 {"r2=r37", "r14=r32", "r15=r33", "r16=r34", "r17=r35", "r18=r36"}},
};
#define NSTUBS (sizeof(stubs) / sizeof(stubs[0]))

struct func {
	char name[64];
	char insn[MAX_INSNS][48];
	unsigned int n;
};

static struct func funcs[64];
static unsigned int nfuncs;

static int have_tool(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* "   6:\t00 00 ... \t[MIB]       break.m 0x1;;" -> "break.m 0x1" */
static void add_insn(struct func *f, char *line)
{
	char *t = strrchr(line, '\t'), *e;

	if (!t || f->n >= MAX_INSNS)
		return;
	t++;
	if (*t == '[')
		t = strchr(t, ']') ? strchr(t, ']') + 1 : t;
	while (*t == ' ')
		t++;
	e = t + strlen(t);
	while (e > t && (e[-1] == '\n' || e[-1] == ';' || e[-1] == ' '))
		*--e = 0;
	if (!*t || !strncmp(t, "nop.", 4))
		return;
	snprintf(f->insn[f->n++], sizeof(f->insn[0]), "%s", t);
}

static int parse_objdump(FILE *in)
{
	char line[256], *lt, *gt;
	struct func *cur = NULL;

	nfuncs = 0;
	while (fgets(line, sizeof(line), in)) {
		lt = strchr(line, '<');
		gt = lt ? strstr(lt, ">:") : NULL;
		if (lt && gt && nfuncs < 64) {
			cur = &funcs[nfuncs++];
			memset(cur, 0, sizeof(*cur));
			*gt = 0;
			snprintf(cur->name, sizeof(cur->name), "%s", lt + 1);
		} else if (cur && strchr(line, ':') && strchr(line, '\t')) {
			add_insn(cur, line);
		}
	}
	return (int)nfuncs;
}

static const struct func *find(const char *name)
{
	unsigned int i;

	for (i = 0; i < nfuncs; i++)
		if (!strcmp(funcs[i].name, name))
			return &funcs[i];
	return NULL;
}

static int want_mov(const struct stub *s, const char *text)
{
	unsigned int i;

	for (i = 0; i < 7 && s->movs[i]; i++)
		if (!strcmp(text + 4, s->movs[i]))
			return 1;
	return 0;
}

static void check_stub(const struct stub *s)
{
	const struct func *f = find(s->name);
	unsigned int i, movs = 0, nwant = 0, breaks = 0, brk_at = 0;
	unsigned long imm = ~0UL;
	int ok_movs = 1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (nwant < 7 && s->movs[nwant])
		nwant++;
	for (i = 0; i < f->n; i++) {
		const char *t = f->insn[i];

		if (!strncmp(t, "break.", 6)) {
			breaks++;
			brk_at = i;
			imm = strtoul(strchr(t, ' ') + 1, NULL, 0);
		} else if (!strncmp(t, "mov r", 5)) {
			movs++;
			ok_movs &= want_mov(s, t) && !breaks;
		} else if (i != f->n - 1) {
			ok_movs = 0;
		}
	}
	if (breaks != 1 || imm != s->imm || !ok_movs || movs != nwant)
		fprintf(stderr, "stub %s: %u breaks, imm 0x%lx, %u movs\n",
			s->name, breaks, imm, movs);
	CU_ASSERT_EQUAL(breaks, 1);
	CU_ASSERT_EQUAL(imm, s->imm);
	CU_ASSERT_EQUAL(movs, nwant);
	CU_ASSERT(ok_movs);
	CU_ASSERT_EQUAL(brk_at + 1, f->n - 1);
	CU_ASSERT_STRING_EQUAL(f->insn[f->n - 1], "br.ret.sptk.many b0");
}

static void test_stubs(void)
{
	char dir[] = "/tmp/xpv-ia64-asm-XXXXXX", cmd[1024];
	unsigned long covered = 0;
	unsigned int i;
	FILE *p;

	if (!have_tool("ia64-linux-gnu-as") ||
	    !have_tool("ia64-linux-gnu-objdump")) {
		printf("skipped: binutils-ia64-linux-gnu is not installed "
		       "(hyperprivop.S not assembled; this one check counts "
		       "as passed)\n");
		return;
	}
	CU_ASSERT_FATAL(access(SRC, R_OK) == 0);
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(cmd, sizeof(cmd),
		 "${CC:-gcc} -E -P -x assembler-with-cpp -I. %s -o %s/hp.s && "
		 "ia64-linux-gnu-as -o %s/hp.o %s/hp.s",
		 SRC, dir, dir, dir);
	CU_ASSERT_FATAL(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "ia64-linux-gnu-objdump -d %s/hp.o", dir);
	p = popen(cmd, "r");
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(parse_objdump(p), (int)NSTUBS);
	CU_ASSERT_EQUAL(pclose(p), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	for (i = 0; i < NSTUBS; i++) {
		check_stub(&stubs[i]);
		if (stubs[i].imm >= HYPERPRIVOP_START &&
		    stubs[i].imm <= HYPERPRIVOP_MAX)
			covered |= 1UL << stubs[i].imm;
	}
	/* every hyperprivop number, 0x1..0x1a, has its stub */
	CU_ASSERT_EQUAL(covered, ((1UL << (HYPERPRIVOP_MAX + 1)) - 1) & ~1UL);
	printf("checked %u stubs from %s\n", (unsigned int)NSTUBS, SRC);
}

static CU_TestInfo asm_tests[] = {
	{"hyperprivop.S: break immediates and registers", test_stubs},
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{"ia64 asm", NULL, NULL, NULL, NULL, asm_tests},
	CU_SUITE_INFO_NULL,
};
