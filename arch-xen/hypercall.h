/* SPDX-License-Identifier: MIT */
/*
 * Hypercalls of a 64-bit PV guest: a call into the hypercall page Xen filled
 * at boot (32 bytes per hypercall), arguments in rdi, rsi, rdx, r10, r8.
 * Xen may clobber the argument registers (debug builds do), rcx and r11.
 */
#ifndef XENPV_ARCH_XEN_HYPERCALL_H
#define XENPV_ARCH_XEN_HYPERCALL_H

#include "xenpv/xen.h"
#include <xen/callback.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>

extern char hypercall_page[];

static inline long xen_hypercall(unsigned int nr, unsigned long a1,
				 unsigned long a2, unsigned long a3,
				 unsigned long a4, unsigned long a5)
{
	register unsigned long r1 __asm__("rdi") = a1;
	register unsigned long r2 __asm__("rsi") = a2;
	register unsigned long r3 __asm__("rdx") = a3;
	register unsigned long r4 __asm__("r10") = a4;
	register unsigned long r5 __asm__("r8") = a5;
	void *entry = hypercall_page + nr * 32;
	long ret;

	__asm__ volatile("call *%[entry]"
			 : "=a"(ret), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4),
			   "+r"(r5)
			 : [entry] "r"(entry)
			 : "rcx", "r11", "memory");
	return ret;
}

#define HC(nr, a1, a2, a3) \
	xen_hypercall(nr, (unsigned long)(a1), (unsigned long)(a2), \
		      (unsigned long)(a3), 0, 0)

static inline long hyp_console_write(const char *s, unsigned int len)
{
	return HC(__HYPERVISOR_console_io, CONSOLEIO_write, len, s);
}

static inline long hyp_sched_op(int cmd, void *arg)
{
	return HC(__HYPERVISOR_sched_op, cmd, arg, 0);
}

static inline long hyp_evtchn_op(int cmd, void *arg)
{
	return HC(__HYPERVISOR_event_channel_op, cmd, arg, 0);
}

static inline long hyp_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	return HC(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

static inline long hyp_callback_op(int cmd, void *arg)
{
	return HC(__HYPERVISOR_callback_op, cmd, arg, 0);
}

static inline long hyp_set_trap_table(const struct trap_info *table)
{
	return HC(__HYPERVISOR_set_trap_table, table, 0, 0);
}

static inline long hyp_update_va_mapping(unsigned long va, uint64_t pte,
					 unsigned long flags)
{
	return HC(__HYPERVISOR_update_va_mapping, va, pte, flags);
}

static inline long hyp_xen_version(int cmd, void *arg)
{
	return HC(__HYPERVISOR_xen_version, cmd, arg, 0);
}

static inline long hyp_memory_op(unsigned int cmd, void *arg)
{
	return HC(__HYPERVISOR_memory_op, cmd, arg, 0);
}

static inline long hyp_mmu_update(struct mmu_update *req, unsigned int count,
				  unsigned int *done, domid_t dom)
{
	return xen_hypercall(__HYPERVISOR_mmu_update, (unsigned long)req,
			     count, (unsigned long)done, dom, 0);
}

static inline long hyp_grant_table_op(unsigned int cmd, void *arg,
				      unsigned int count)
{
	return HC(__HYPERVISOR_grant_table_op, cmd, arg, count);
}

#endif
