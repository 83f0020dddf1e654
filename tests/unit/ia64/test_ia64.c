// SPDX-License-Identifier: MIT
/*
 * IA-64 port: the ABI layout, the reference model's single behaviours
 * (reflection, rfi, paths, hostile values) and the guest layer's ops under
 * the three guests.  Property tests live in test_ia64_props.c.
 */
#include <CUnit/CUnit.h>
#include <stddef.h>
#include <string.h>

#include "arch-xen-ia64/model/host.h"
#include "tests/unit/ia64/ia64_test.h"

/* ---- ABI ---- */

static void test_abi_offsets(void)
{
	CU_ASSERT_EQUAL(XEN_IA64_MR_OFS(ipsr), 0x4880);
	CU_ASSERT_EQUAL(XEN_IA64_MR_OFS(iip), 0x4898);
	CU_ASSERT_EQUAL(XEN_IA64_MR_OFS(ifs), 0x48b8);
	CU_ASSERT_EQUAL(XEN_IA64_MR_OFS(interrupt_collection_enabled), 0x4c10);
	CU_ASSERT_EQUAL(XEN_IA64_MR_OFS(interrupt_mask_addr), 0x4c18);
	CU_ASSERT_EQUAL(XEN_IA64_MR_OFS(banknum), 0x4c4c);
	CU_ASSERT_EQUAL(XEN_IA64_MR_OFS(rrs), 0x4c50);
	CU_ASSERT_EQUAL(XEN_IA64_MR_OFS(krs), 0x4c90);
	CU_ASSERT_EQUAL(XEN_IA64_MR_OFS(itc_offset), 0x4d50);
	CU_ASSERT_EQUAL(XEN_IA64_MR_OFS(itc_last), 0x4d58);
	CU_ASSERT_EQUAL(XEN_IA64_MR_OFS(bank1_regs), 0x4400);
	CU_ASSERT_EQUAL(XEN_IA64_MR_OFS(bank0_regs), 0x4480);
	CU_ASSERT_EQUAL(sizeof(struct xen_ia64_mapped_regs), 0x1000);
	CU_ASSERT_EQUAL(XSI_BASE, 0xfffffffffff00000UL);
	CU_ASSERT_EQUAL(XMAPPEDREGS_OFS, 0x4000);
	/* psr.i byte of vCPU 0 and its pending byte just before it */
	CU_ASSERT_EQUAL(XSI_PSR_I_OFS(0), 1);
	CU_ASSERT_EQUAL(XSI_PSR_I_OFS(1), 49);
	CU_ASSERT_EQUAL(HYPERPRIVOP_RFI, 1);
	CU_ASSERT_EQUAL(HYPERPRIVOP_SSM_I, 7);
	CU_ASSERT_EQUAL(HYPERPRIVOP_GET_PSR, 0x19);
	CU_ASSERT_EQUAL(HYPERPRIVOP_SET_RR0_TO_RR4, 0x1a);
	CU_ASSERT_EQUAL(xia64m_hp_nargs(HYPERPRIVOP_SET_RR0_TO_RR4), 5);
	CU_ASSERT_EQUAL(xia64m_hp_nargs(0), 0);
	CU_ASSERT_EQUAL(xia64m_hp_nargs(0x1b), 0);
}

static void test_setup_checks_mask_addr(void)
{
	struct xia64m m;
	struct xpv_ia64_cpu c;

	CU_ASSERT_FATAL(xia64m_init(&m) == 0);
	m.mr->interrupt_mask_addr = m.xsi + XSI_PSR_I_OFS(1);
	CU_ASSERT_EQUAL(xpv_ia64_setup(&c, XPV_IA64_PV_XEN, &xia64m_trap_ops,
				       &m, m.xsi, 0),
			-22);
	m.mr->interrupt_mask_addr = NULL;
	CU_ASSERT_EQUAL(xpv_ia64_setup(&c, XPV_IA64_PV_XEN, &xia64m_trap_ops,
				       &m, m.xsi, 0),
			-22);
	m.mr->interrupt_mask_addr = m.xsi + XSI_PSR_I_OFS(0);
	CU_ASSERT_EQUAL(xpv_ia64_setup(&c, XPV_IA64_PV_XEN, &xia64m_trap_ops,
				       &m, m.xsi, 64),
			-22);
	CU_ASSERT_EQUAL(xpv_ia64_setup(&c, XPV_IA64_PV_XEN, &xia64m_trap_ops,
				       &m, m.xsi, 0),
			0);
	CU_ASSERT_PTR_EQUAL(c.ops, &xpv_ia64_xen_ops);
	CU_ASSERT_EQUAL(xpv_ia64_boot(&c, XIA64M_GUEST_IVA + 0x100,
				      XIA64M_GUEST_CALLBACK),
			-22);
	xia64m_fini(&m);
}

/* ---- model ---- */

static struct ia64_rig rig;
static unsigned int seen_vector;
static uint64_t seen_ipsr, seen_iim;

static void note_intr(struct xpv_ia64_cpu *c, struct xpv_ia64_intr_frame *f,
		      void *arg)
{
	seen_vector = (unsigned int)f->vector;
	seen_ipsr = f->ipsr;
	seen_iim = f->iim;
	/* what the hyper-registers say while the handler runs */
	CU_ASSERT_EQUAL(rig.m.vi->evtchn_upcall_mask, 1);
	CU_ASSERT_EQUAL(rig.m.mr->banknum, 1);
	CU_ASSERT_EQUAL(rig.m.mr->interrupt_collection_enabled, 1);
}

static void test_reflect_sets_state(void)
{
	uint64_t iip = 0xa000000100123450UL, seen_bank0 = 0;
	unsigned int i;

	CU_ASSERT_FATAL(ia64_rig_up(&rig, XPV_IA64_PV_XEN) == 0);
	rig.m.enter = ia64_rig_probe_enter;
	rig.m.cr_iip = iip;
	for (i = 16; i < 32; i++)
		rig.m.regs.gr[i] = 0x1000 + i;
	for (i = 0; i < 16; i++)
		rig.m.mr->bank0_regs[i] = 0x2000 + i;
	rig.c.ops->irq_enable(&rig.c);
	xia64m_reflect_interruption(&rig.m, 0x42, IA64_DATA_TLB_VECTOR);
	/* the probe recorded the state at the vector, then rfi'd */
	CU_ASSERT_EQUAL(ia64_probe.ip, XIA64M_GUEST_IVA + IA64_DATA_TLB_VECTOR);
	CU_ASSERT_EQUAL(ia64_probe.mask, 1);
	CU_ASSERT_EQUAL(ia64_probe.ic, 0);
	CU_ASSERT_EQUAL(ia64_probe.banknum, 0);
	CU_ASSERT_EQUAL(ia64_probe.iip, iip);
	CU_ASSERT_EQUAL(ia64_probe.isr, 0x42);
	CU_ASSERT(!!(ia64_probe.ipsr & IA64_PSR(I)));
	CU_ASSERT(!!(ia64_probe.ipsr & IA64_PSR(BN)));
	CU_ASSERT_EQUAL((ia64_probe.ipsr & IA64_PSR_CPL), 0);
	CU_ASSERT_EQUAL(ia64_probe.gr16, 0x2000);
	seen_bank0 = rig.m.mr->bank1_regs[0];
	CU_ASSERT_EQUAL(seen_bank0, 0x1010);
	CU_ASSERT_EQUAL(rig.m.cr_iip, iip);
	CU_ASSERT_EQUAL(rig.m.vi->evtchn_upcall_mask, 0);
	CU_ASSERT_EQUAL(rig.m.regs.gr[16], 0x1010);
	ia64_rig_down(&rig);
}

static void test_rfi_never_escalates(void)
{
	CU_ASSERT_FATAL(ia64_rig_up(&rig, XPV_IA64_PV_XEN) == 0);
	/* a guest asking rfi for PL0 gets PL2 */
	rig.m.mr->ipsr = IA64_PSR(DT) | IA64_PSR(RT) | IA64_PSR(IT) |
			 IA64_PSR(BN) | IA64_PSR(IC) | IA64_PSR(SI) |
			 IA64_PSR(MC);
	rig.m.mr->iip = 0x4000;
	rig.c.ops->rfi(&rig.c);
	CU_ASSERT_EQUAL((rig.m.cr_ipsr & IA64_PSR_CPL) >> IA64_PSR_CPL0_BIT, 2);
	CU_ASSERT_FALSE(!!(rig.m.cr_ipsr & IA64_PSR(SI)));
	CU_ASSERT_FALSE(!!(rig.m.cr_ipsr & IA64_PSR(MC)));
	CU_ASSERT_EQUAL(rig.m.cr_iip, 0x4000);
	CU_ASSERT_EQUAL(rig.m.vi->evtchn_upcall_mask, 1);
	ia64_rig_down(&rig);
}

static void test_hp_paths(void)
{
	CU_ASSERT_FATAL(ia64_rig_up(&rig, XPV_IA64_PV_XEN) == 0);
	rig.m.vi->evtchn_upcall_mask = 0;
	CU_ASSERT_EQUAL(xia64m_hp_path(&rig.m, HYPERPRIVOP_SSM_I), XIA64M_FAST);
	CU_ASSERT_EQUAL(xia64m_hp_path(&rig.m, HYPERPRIVOP_SET_RR),
			XIA64M_FAST);
	CU_ASSERT_EQUAL(xia64m_hp_path(&rig.m, HYPERPRIVOP_GET_IVR),
			XIA64M_SLOW);
	CU_ASSERT_EQUAL(xia64m_hp_path(&rig.m, HYPERPRIVOP_ITC_D), XIA64M_SLOW);
	rig.m.vi->evtchn_upcall_pending = 1;
	CU_ASSERT_EQUAL(xia64m_hp_path(&rig.m, HYPERPRIVOP_SET_RR),
			XIA64M_SLOW);
	CU_ASSERT_EQUAL(xia64m_hp_path(&rig.m, HYPERPRIVOP_SSM_I), XIA64M_FAST);
	rig.m.mr->ipsr =
		IA64_PSR(DT) | IA64_PSR(RT) | IA64_PSR(IT) | IA64_PSR(I);
	CU_ASSERT_EQUAL(xia64m_hp_path(&rig.m, HYPERPRIVOP_RFI), XIA64M_SLOW);
	rig.m.vi->evtchn_upcall_pending = 0;
	CU_ASSERT_EQUAL(xia64m_hp_path(&rig.m, HYPERPRIVOP_RFI), XIA64M_FAST);
	rig.m.mr->metaphysical_mode = 1;
	CU_ASSERT_EQUAL(xia64m_hp_path(&rig.m, HYPERPRIVOP_RFI), XIA64M_SLOW);
	ia64_rig_down(&rig);
}

static void test_hostile_values(void)
{
	unsigned long args[5] = {0};
	unsigned long faults;

	CU_ASSERT_FATAL(ia64_rig_up(&rig, XPV_IA64_PV_XEN) == 0);
	rig.c.intr_fn = note_intr;
	faults = rig.m.st.faults;
	rig.c.ops->set_kr(&rig.c, 9, 1);
	CU_ASSERT_EQUAL(rig.m.st.faults, faults + 1);
	CU_ASSERT_EQUAL(seen_vector, IA64_GENEX_VECTOR);
	rig.c.ops->set_tpr(&rig.c, 0x100);
	CU_ASSERT_EQUAL(rig.m.st.faults, faults + 2);
	CU_ASSERT_EQUAL(rig.m.mr->tpr, 0);
	rig.c.ops->set_cr(&rig.c, 99, 1);
	CU_ASSERT_EQUAL(rig.m.st.faults, faults + 3);
	rig.c.ops->set_cr(&rig.c, IA64_CR_PTA, 1UL << 8);
	CU_ASSERT_EQUAL(rig.m.st.faults, faults + 4);
	CU_ASSERT_EQUAL(xia64m_privop(&rig.m, XPV_IA64_OP_NR + 5, 0, 0), 0);
	CU_ASSERT_EQUAL(xia64m_privop(&rig.m, XPV_IA64_OP_RSM, 1UL << 40, 0),
			0);
	CU_ASSERT_EQUAL(rig.m.st.faults, faults + 6);
	CU_ASSERT_EQUAL(xia64m_send_event(&rig.m, 5000), -22);
	CU_ASSERT_EQUAL(xia64m_pend_vector(&rig.m, 300), -22);
	CU_ASSERT_EQUAL(xia64m_pend_vector(&rig.m, 3), -22);
	CU_ASSERT_EQUAL(xia64m_raise_fault(&rig.m, 0x8000, 0, 0), -22);
	CU_ASSERT_EQUAL(xia64m_raise_fault(&rig.m, 0x0410, 0, 0), -22);
	CU_ASSERT_EQUAL(rig.c.trap->hypercall(&rig.m, 9999, args), -38);
	args[0] = 7;
	CU_ASSERT_EQUAL(
		rig.c.trap->hypercall(&rig.m, XEN_IA64_HC_CALLBACK_OP, args),
		-14);
	/* a break that is no hyperprivop goes back to the guest */
	xia64m_break(&rig.m, 0x80001);
	CU_ASSERT_EQUAL(seen_vector, IA64_BREAK_VECTOR);
	CU_ASSERT_EQUAL(seen_iim, 0x80001);
	/* not from PL2: not a hyperprivop either */
	rig.m.cr_ipsr |= IA64_PSR_CPL;
	xia64m_break(&rig.m, HYPERPRIVOP_SSM_I);
	CU_ASSERT_EQUAL(seen_iim, HYPERPRIVOP_SSM_I);
	CU_ASSERT_EQUAL(rig.m.st.crashes, 0);
	ia64_rig_down(&rig);
}

static void test_nested_fault_crashes_domain_only(void)
{
	CU_ASSERT_FATAL(ia64_rig_up(&rig, XPV_IA64_PV_XEN) == 0);
	rig.c.ops->set_ic(&rig.c, false);
	CU_ASSERT_EQUAL(xia64m_raise_fault(&rig.m, IA64_BREAK_VECTOR, 0, 0), 0);
	CU_ASSERT_EQUAL(rig.m.st.crashes, 1);
	CU_ASSERT_EQUAL(rig.m.st.reflections, 0);
	/* an unknown entry address is the guest's problem, counted */
	CU_ASSERT_EQUAL(xpv_ia64_enter(&rig.c, 0x1234), -22);
	CU_ASSERT_EQUAL(rig.c.bad_entries, 1);
	ia64_rig_down(&rig);
}

static void test_thash(void)
{
	CU_ASSERT_FATAL(ia64_rig_up(&rig, XPV_IA64_PV_XEN) == 0);
	/* 16 KB pages in region 5, 1 MB VHPT at 0xa000000200000000 */
	rig.m.mr->rrs[5] = 14 << 2;
	rig.m.mr->pta = 0xa000000200000000UL | (20 << 2) | 1;
	CU_ASSERT_EQUAL(rig.c.ops->thash(&rig.c, 0xa000000000123456UL),
			0xa000000200000000UL | ((0x123456UL >> 14) << 3));
	CU_ASSERT_EQUAL(xia64m_thash(&rig.m, 0xa0000000ffffc000UL),
			0xa000000200000000UL |
				(((0xffffc000UL >> 14) << 3) & 0xfffff));
	ia64_rig_down(&rig);
}

/* Xen's quirk, pinned: a reflection saves dt/rt/it=1 even in physical mode. */
static void test_metaphysical_quirk(void)
{
	CU_ASSERT_FATAL(ia64_rig_up(&rig, XPV_IA64_PV_XEN) == 0);
	rig.m.mr->metaphysical_mode = 1;
	CU_ASSERT_FALSE(!!(xia64m_get_psr(&rig.m) & IA64_PSR(DT)));
	CU_ASSERT(!!(xia64m_ipsr_int_state(&rig.m, rig.m.cr_ipsr) &
		     IA64_PSR(DT)));
	ia64_rig_down(&rig);
}

/* ---- guest layer under the three guests ---- */

static void check_irq_flags(enum xpv_ia64_pv_mode mode)
{
	unsigned long fl;

	CU_ASSERT_FATAL(ia64_rig_up(&rig, mode) == 0);
	CU_ASSERT_EQUAL(rig.c.ops->save_fl(&rig.c), 0);
	rig.c.ops->irq_enable(&rig.c);
	CU_ASSERT_EQUAL(rig.c.ops->save_fl(&rig.c), 1);
	CU_ASSERT_EQUAL(rig.m.vi->evtchn_upcall_mask, 0);
	fl = xpv_ia64_irq_save(&rig.c);
	CU_ASSERT_EQUAL(fl, 1);
	CU_ASSERT_EQUAL(rig.m.vi->evtchn_upcall_mask, 1);
	CU_ASSERT_EQUAL(xpv_ia64_irq_save(&rig.c), 0);
	rig.c.ops->irq_restore(&rig.c, 0);
	CU_ASSERT_EQUAL(rig.m.vi->evtchn_upcall_mask, 1);
	rig.c.ops->irq_restore(&rig.c, fl);
	CU_ASSERT_EQUAL(rig.m.vi->evtchn_upcall_mask, 0);
	ia64_rig_down(&rig);
}

static void test_irq_flags_all_guests(void)
{
	check_irq_flags(XPV_IA64_PV_NATIVE);
	check_irq_flags(XPV_IA64_PV_HPRIV);
	check_irq_flags(XPV_IA64_PV_XEN);
}

static unsigned long entries_of(void (*op)(struct xpv_ia64_cpu *c),
				enum xpv_ia64_pv_mode mode)
{
	unsigned long before, n;

	CU_ASSERT_FATAL(ia64_rig_up(&rig, mode) == 0);
	before = rig.m.st.entries;
	op(&rig.c);
	n = rig.m.st.entries - before;
	ia64_rig_down(&rig);
	return n;
}

static void op_itc_d(struct xpv_ia64_cpu *c)
{
	c->ops->itc_d(c, 0x2000000000004000UL, 0x661, 14 << 2);
	CU_ASSERT_EQUAL(rig.m.dtlb.ifa, 0x2000000000004000UL);
	CU_ASSERT_EQUAL(rig.m.dtlb.itir, 14 << 2);
	CU_ASSERT_EQUAL(rig.m.dtlb.pte, 0x661);
}

static void op_rr_switch(struct xpv_ia64_cpu *c)
{
	const uint64_t v[5] = {0x101, 0x201, 0x301, 0x401, 0x501};

	c->ops->set_rr0_to_rr4(c, v);
	CU_ASSERT_EQUAL(rig.m.mr->rrs[4], 0x501);
	CU_ASSERT_EQUAL(c->ops->get_rr(c, 2UL << 61), 0x301);
}

static void op_irq_cycle(struct xpv_ia64_cpu *c)
{
	unsigned long fl = xpv_ia64_irq_save(c);

	c->ops->irq_restore(c, fl);
}

static void test_entry_counts(void)
{
	CU_ASSERT_EQUAL(entries_of(op_itc_d, XPV_IA64_PV_NATIVE), 3);
	CU_ASSERT_EQUAL(entries_of(op_itc_d, XPV_IA64_PV_HPRIV), 3);
	CU_ASSERT_EQUAL(entries_of(op_itc_d, XPV_IA64_PV_XEN), 1);
	CU_ASSERT_EQUAL(entries_of(op_rr_switch, XPV_IA64_PV_NATIVE), 6);
	CU_ASSERT_EQUAL(entries_of(op_rr_switch, XPV_IA64_PV_HPRIV), 2);
	CU_ASSERT_EQUAL(entries_of(op_rr_switch, XPV_IA64_PV_XEN), 2);
	/* booted with psr.i off: save, disable, restore-disabled */
	CU_ASSERT_EQUAL(entries_of(op_irq_cycle, XPV_IA64_PV_NATIVE), 3);
	CU_ASSERT_EQUAL(entries_of(op_irq_cycle, XPV_IA64_PV_HPRIV), 3);
	CU_ASSERT_EQUAL(entries_of(op_irq_cycle, XPV_IA64_PV_XEN), 0);
}

static unsigned int ports_seen;

static void count_port(struct xpv_ia64_cpu *c, unsigned int port, void *arg)
{
	ports_seen++;
}

static void test_enable_with_pending_issues_ssm_i(void)
{
	unsigned long e;

	CU_ASSERT_FATAL(ia64_rig_up(&rig, XPV_IA64_PV_XEN) == 0);
	rig.c.port_fn = count_port;
	ports_seen = 0;
	CU_ASSERT_EQUAL(xia64m_send_event(&rig.m, 7), 0);
	CU_ASSERT_EQUAL(ports_seen, 0);
	e = rig.m.st.hp[HYPERPRIVOP_SSM_I];
	rig.c.ops->irq_enable(&rig.c);
	CU_ASSERT_EQUAL(rig.m.st.hp[HYPERPRIVOP_SSM_I], e + 1);
	CU_ASSERT_EQUAL(ports_seen, 1);
	CU_ASSERT_EQUAL(rig.m.vi->evtchn_upcall_pending, 0);
	CU_ASSERT_EQUAL(rig.m.vi->evtchn_upcall_mask, 0);
	/* enabled already: a second enable issues nothing */
	rig.c.ops->irq_enable(&rig.c);
	CU_ASSERT_EQUAL(rig.m.st.hp[HYPERPRIVOP_SSM_I], e + 1);
	/* unmasked: the event is delivered at once */
	CU_ASSERT_EQUAL(xia64m_send_event(&rig.m, 9), 0);
	CU_ASSERT_EQUAL(ports_seen, 2);
	ia64_rig_down(&rig);
}

static void test_bank_switch_matches_model(void)
{
	struct xia64m ref;
	unsigned int i;

	CU_ASSERT_FATAL(ia64_rig_up(&rig, XPV_IA64_PV_XEN) == 0);
	CU_ASSERT_FATAL(xia64m_init(&ref) == 0);
	for (i = 0; i < 16; i++) {
		rig.m.regs.gr[16 + i] = ref.regs.gr[16 + i] = 100 + i;
		rig.m.mr->bank0_regs[i] = ref.mr->bank0_regs[i] = 200 + i;
	}
	rig.c.ops->bsw0(&rig.c);
	xia64m_bsw0(&ref);
	CU_ASSERT_EQUAL(memcmp(&rig.m.regs.gr[16], &ref.regs.gr[16], 128), 0);
	CU_ASSERT_EQUAL(memcmp(rig.m.mr->bank1_regs, ref.mr->bank1_regs, 128),
			0);
	CU_ASSERT_EQUAL(rig.m.mr->banknum, 0);
	rig.c.ops->bsw1(&rig.c);
	xia64m_bsw1(&ref);
	CU_ASSERT_EQUAL(memcmp(&rig.m.regs.gr[16], &ref.regs.gr[16], 128), 0);
	CU_ASSERT_EQUAL(rig.m.regs.gr[16], 100);
	CU_ASSERT_EQUAL(rig.m.mr->banknum, 1);
	xia64m_fini(&ref);
	ia64_rig_down(&rig);
}

static CU_TestInfo abi_tests[] = {
	{"offsets and numbers", test_abi_offsets},
	{"setup checks psr.i address", test_setup_checks_mask_addr},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo model_tests[] = {
	{"reflection state", test_reflect_sets_state},
	{"rfi never escalates", test_rfi_never_escalates},
	{"fast and slow paths", test_hp_paths},
	{"hostile values", test_hostile_values},
	{"nested fault", test_nested_fault_crashes_domain_only},
	{"thash", test_thash},
	{"metaphysical quirk", test_metaphysical_quirk},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo guest_tests[] = {
	{"irq flags, all guests", test_irq_flags_all_guests},
	{"entry counts", test_entry_counts},
	{"enable with pending", test_enable_with_pending_issues_ssm_i},
	{"bank switch", test_bank_switch_matches_model},
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{"ia64 abi", NULL, NULL, NULL, NULL, abi_tests},
	{"ia64 model", NULL, NULL, NULL, NULL, model_tests},
	{"ia64 guest", NULL, NULL, NULL, NULL, guest_tests},
	{"ia64 properties", NULL, NULL, NULL, NULL, ia64_prop_tests},
	CU_SUITE_INFO_NULL,
};
