// SPDX-License-Identifier: MIT
/*
 * Traps: the table Xen bounces exceptions through.  Any exception in this
 * kernel is a bug (there is no user mode yet), so each one is reported with
 * its frame and the domain crashes; #MC is reported as a machine check.
 */
#include "arch-xen/hypercall.h"
#include "arch-xen/kernel.h"

_Static_assert(__HYPERVISOR_iret == 23, "head.S hard-codes the iret number");

#define TRAP(vec, dpl, fn) { vec, dpl, FLAT_KERNEL_CS, (unsigned long)fn }

extern char trap_divide_error[], trap_debug[], trap_int3[], trap_overflow[],
	trap_bounds[], trap_invalid_op[], trap_device_not_available[],
	trap_double_fault[], trap_coproc_seg[], trap_invalid_tss[],
	trap_segment_not_present[], trap_stack_segment[],
	trap_general_protection[], trap_page_fault[], trap_spurious[],
	trap_coprocessor_error[], trap_alignment_check[],
	trap_machine_check[], trap_simd_error[];

static const struct trap_info trap_table[] = {
	TRAP(0, 0, trap_divide_error),
	TRAP(1, 0, trap_debug),
	TRAP(3, 3, trap_int3),
	TRAP(4, 3, trap_overflow),
	TRAP(5, 3, trap_bounds),
	TRAP(6, 0, trap_invalid_op),
	TRAP(7, 0, trap_device_not_available),
	TRAP(8, 0, trap_double_fault),
	TRAP(9, 0, trap_coproc_seg),
	TRAP(10, 0, trap_invalid_tss),
	TRAP(11, 0, trap_segment_not_present),
	TRAP(12, 0, trap_stack_segment),
	TRAP(13, 0, trap_general_protection),
	TRAP(14, 0, trap_page_fault),
	TRAP(15, 0, trap_spurious),
	TRAP(16, 0, trap_coprocessor_error),
	TRAP(17, 0, trap_alignment_check),
	TRAP(18, 0, trap_machine_check),
	TRAP(19, 0, trap_simd_error),
	{ 0, 0, 0, 0 },
};

static const char *const trap_names[] = {
	"divide error", "debug", "nmi", "int3", "overflow", "bounds",
	"invalid opcode", "device not available", "double fault",
	"coprocessor segment", "invalid TSS", "segment not present",
	"stack segment", "general protection", "page fault", "spurious",
	"coprocessor error", "alignment check", "machine check", "SIMD error",
};

unsigned long machine_checks;

void do_trap(struct trap_frame *f);
void do_trap(struct trap_frame *f)
{
	const char *name = f->vector < 20 ? trap_names[f->vector] : "?";

	if (f->vector == 18) {
		/* A vMCE Xen injected: count it and go on, as its handler. */
		machine_checks++;
		printk("xenpv: machine check #%lu at rip %lx\n", machine_checks,
		       f->rip);
		return;
	}
	if (f->vector == 14)
		printk("xenpv: page fault at %lx\n",
		       shared->vcpu_info[this_cpu()->id].arch.cr2);
	panic("trap %lu (%s) error %lx rip %lx rsp %lx rflags %lx", f->vector,
	      name, f->error, f->rip, f->rsp, f->rflags);
}

void do_failsafe(uint64_t *frame);
void do_failsafe(uint64_t *frame)
{
	panic("failsafe callback: ds %lx es %lx fs %lx gs %lx rip %lx",
	      frame[0], frame[1], frame[2], frame[3], frame[4]);
}

void traps_init(void)
{
	if (hyp_set_trap_table(trap_table))
		panic("set_trap_table failed");
}
