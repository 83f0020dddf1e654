// SPDX-License-Identifier: MIT
/*
 * The xentrace counter on hand-made trace files: exits and emulated
 * accesses land in the phase the guest's markers bracket, the end marker's
 * own exit is not the phase's, records outside any phase stay in phase 0,
 * lost-record notices are counted, records of two physical CPUs are put
 * in TSC order, and a file cut mid-record is not read past its end.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "tests/xen/hvm/xtcount.h"

#define SVM_IOIO 0x7b
#define SVM_NPF 0x400
#define SVM_HLT 0x78

struct trace {
	uint8_t b[4096];
	size_t len;
	uint64_t tsc; /* of the next record that carries one */
};

static void rec(struct trace *t, uint32_t ev, int cycles, unsigned int nx,
		const uint32_t *x)
{
	uint32_t hdr = ev | (nx << TRACE_EXTRA_SHIFT) |
		       (cycles ? TRC_HD_CYCLE_FLAG : 0);
	memcpy(t->b + t->len, &hdr, 4);
	t->len += 4;
	if (cycles) {
		memcpy(t->b + t->len, &t->tsc, 8);
		t->len += 8;
	}
	memcpy(t->b + t->len, x, 4 * nx);
	t->len += 4 * nx;
}

static void cpu(struct trace *t, uint32_t c)
{
	uint32_t x[2] = {c, 4096};

	rec(t, TRC_TRACE_CPU_CHANGE, 0, 2, x);
}

static void vmexit(struct trace *t, uint32_t reason)
{
	uint32_t x[3] = {reason, 0xffffffff, 0x81000000};

	rec(t, TRC_HVM_VMEXIT64, 1, 3, x);
}

static void port(struct trace *t, uint32_t ev, uint32_t p, uint32_t v)
{
	uint32_t x[2] = {p, v};

	rec(t, ev, 0, 2, x);
}

/* What the guest's marker write looks like: the exit, then the I/O. */
static void mark(struct trace *t, uint32_t v)
{
	vmexit(t, SVM_IOIO);
	port(t, TRC_HVM_IOPORT_WRITE, XPV_XT_MARK_PORT, v);
}

static struct xpv_xt_count *count(const struct trace *t, size_t len)
{
	struct xpv_xt_count *k = calloc(1, sizeof(*k));

	CU_ASSERT_FATAL(k != NULL);
	CU_ASSERT_EQUAL(xpv_xt_walk(k, t->b, len), 0);
	return k;
}

static void test_phases(void)
{
	static struct trace t;
	struct xpv_xt_count *k;
	uint32_t x[1] = {7};

	t.len = 0;
	cpu(&t, 1);
	vmexit(&t, SVM_HLT); /* before any phase */
	mark(&t, 3);
	vmexit(&t, SVM_IOIO);
	port(&t, TRC_HVM_IOPORT_READ, 0x1f7, 0x50);
	vmexit(&t, SVM_NPF);
	port(&t, TRC_HVM_IOMEM_WRITE, 0xfebc0000, 1);
	rec(&t, TRC_LOST_RECORDS, 0, 1, x);
	mark(&t, 3 | XPV_XT_MARK_END);
	vmexit(&t, SVM_HLT); /* after it */
	mark(&t, 5);
	mark(&t, 5 | XPV_XT_MARK_END);
	k = count(&t, t.len);
	CU_ASSERT_EQUAL(k->c[3][XPV_XT_EXITS], 2);
	CU_ASSERT_EQUAL(k->c[3][XPV_XT_IOIO], 1);
	CU_ASSERT_EQUAL(k->c[3][XPV_XT_NPF], 1);
	CU_ASSERT_EQUAL(k->c[3][XPV_XT_IOPORT], 1);
	CU_ASSERT_EQUAL(k->c[3][XPV_XT_IOMEM], 1);
	CU_ASSERT_EQUAL(k->c[3][XPV_XT_LOST], 1);
	CU_ASSERT_EQUAL(k->c[5][XPV_XT_EXITS], 0);
	CU_ASSERT(k->seen[3] && k->seen[5] && !k->seen[4]);
	/* Two HLTs and the start markers' own exits. */
	CU_ASSERT_EQUAL(k->c[0][XPV_XT_EXITS], 4);
	CU_ASSERT_EQUAL(k->c[0][XPV_XT_HLT], 2);
	CU_ASSERT_EQUAL(k->exits, 8);
	CU_ASSERT_EQUAL(k->lost, 1);
	CU_ASSERT_EQUAL(k->marks, 4);
	CU_ASSERT_EQUAL(k->cpus, 2u);
	free(k);
}

/* The vCPU moved: its phase spans two CPU windows of the file. */
static void test_two_cpus(void)
{
	static struct trace t;
	struct xpv_xt_count *k;

	t.len = 0;
	cpu(&t, 0);
	t.tsc = 100;
	mark(&t, 4);
	t.tsc = 300;
	vmexit(&t, SVM_HLT);
	t.tsc = 500;
	mark(&t, 4 | XPV_XT_MARK_END);
	cpu(&t, 1);
	t.tsc = 200;
	vmexit(&t, SVM_NPF);
	port(&t, TRC_HVM_IOMEM_READ, 0xfebc0008, 0);
	t.tsc = 600;
	vmexit(&t, SVM_NPF);
	k = count(&t, t.len);
	CU_ASSERT_EQUAL(k->c[4][XPV_XT_EXITS], 2);
	CU_ASSERT_EQUAL(k->c[4][XPV_XT_NPF], 1);
	CU_ASSERT_EQUAL(k->c[4][XPV_XT_HLT], 1);
	CU_ASSERT_EQUAL(k->c[4][XPV_XT_IOMEM], 1);
	CU_ASSERT_EQUAL(k->c[0][XPV_XT_NPF], 1);
	CU_ASSERT_EQUAL(k->cpus, 3u);
	free(k);
}

static void test_truncated(void)
{
	static struct trace t;
	struct xpv_xt_count *k;
	size_t cut;

	t.len = 0;
	mark(&t, 9);
	vmexit(&t, SVM_IOIO);
	cut = t.len;
	vmexit(&t, SVM_IOIO);
	/* Every cut inside the last record leaves that record out. */
	for (size_t len = cut; len < t.len; len++) {
		k = count(&t, len);
		CU_ASSERT_EQUAL(k->c[9][XPV_XT_EXITS], 1);
		free(k);
	}
	k = count(&t, t.len);
	CU_ASSERT_EQUAL(k->c[9][XPV_XT_EXITS], 2);
	free(k);
}

static void test_garbage(void)
{
	static struct trace t;
	struct xpv_xt_count *k;
	unsigned int i;

	srand(7);
	for (i = 0; i < sizeof(t.b); i++)
		t.b[i] = (uint8_t)rand();
	k = count(&t, sizeof(t.b));
	CU_ASSERT(k->records <= sizeof(t.b) / 4);
	CU_ASSERT(k->cur < XPV_XT_NPHASE);
	free(k);
}

static void test_print(void)
{
	static struct trace t;
	struct xpv_xt_count *k;
	char out[1024] = "";
	FILE *f;

	t.len = 0;
	mark(&t, 2);
	vmexit(&t, SVM_NPF);
	mark(&t, 2 | XPV_XT_MARK_END);
	k = count(&t, t.len);
	f = fmemopen(out, sizeof(out) - 1, "w");
	CU_ASSERT_FATAL(f != NULL);
	xpv_xt_print(f, k);
	fclose(f);
	CU_ASSERT(strstr(out, "XTRACE phase=2 exits=1 ioio=0 npf=1 ") != NULL);
	CU_ASSERT(strstr(out, "XTRACE total records=5 exits=3 ") != NULL);
	free(k);
}

static CU_TestInfo xtcount_tests[] = {
	{"markers bracket the phases", test_phases},
	{"two CPUs in TSC order", test_two_cpus},
	{"a cut record is not read", test_truncated},
	{"random bytes stay in bounds", test_garbage},
	{"the printed lines", test_print},
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{"xtcount", NULL, NULL, NULL, NULL, xtcount_tests},
	CU_SUITE_INFO_NULL,
};
