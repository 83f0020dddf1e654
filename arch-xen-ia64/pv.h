/* SPDX-License-Identifier: MIT */
/*
 * The IA-64 guest's paravirtualization layer.
 *
 * Two tables:
 *
 * struct xpv_ia64_trap_ops is the seam to the machine: what the CPU does
 * when the guest executes a privileged instruction at PL2 (it traps into
 * the VMM), a "break" (hyperprivop or hypercall), a read of ar.itc, and the
 * register file r1-r31 that bank switches move around.  On ia64 hardware it
 * is the .S stubs and inline instructions; on the build host it is the
 * reference model in model/, so the same guest code runs in tests.
 *
 * struct xpv_ia64_cpu_ops is the pv_cpu_ops-style table the kernel calls:
 * native defaults (every privileged operation is an instruction, so under a
 * classic VMM every one traps), replaced once at boot by a Xen table.  Two
 * Xen tables exist so the benchmark can compare: hyperprivops only, and
 * hyper-registers plus hyperprivops (what Xen/ia64 Linux did).
 */
#ifndef XENPV_IA64_PV_H
#define XENPV_IA64_PV_H

#include <stdbool.h>
#include <stdint.h>

#include "arch-xen-ia64/xen_ia64_abi.h"

/* Privileged instructions that trap at PL2 (a, b: operands). */
enum xpv_ia64_privop {
	XPV_IA64_OP_RSM,	  /* rsm imm24 (a) */
	XPV_IA64_OP_SSM,	  /* ssm imm24 (a) */
	XPV_IA64_OP_MOV_FROM_PSR, /* mov r=psr */
	XPV_IA64_OP_MOV_FROM_CR,  /* mov r=cr[a] */
	XPV_IA64_OP_MOV_TO_CR,	  /* mov cr[a]=b */
	XPV_IA64_OP_RFI,
	XPV_IA64_OP_COVER, /* privilege-sensitive with psr.ic=0 */
	XPV_IA64_OP_BSW0,
	XPV_IA64_OP_BSW1,
	XPV_IA64_OP_ITC_D, /* itc.d a (pte); ifa, itir from cr */
	XPV_IA64_OP_ITC_I,
	XPV_IA64_OP_PTC_GA,	  /* ptc.ga a (va), b (log2 size << 2) */
	XPV_IA64_OP_THASH,	  /* sensitive: result depends on PL */
	XPV_IA64_OP_MOV_TO_RR,	  /* mov rr[a]=b */
	XPV_IA64_OP_MOV_FROM_RR,  /* mov r=rr[a] */
	XPV_IA64_OP_MOV_TO_KR,	  /* mov ar.k[a]=b */
	XPV_IA64_OP_MOV_FROM_ITC, /* traps only with psr.si=1 */
	XPV_IA64_OP_MOV_TO_ITC,
	XPV_IA64_OP_NR
};

/* The CPU registers a bank switch or a hyperprivop touches. */
struct xpv_ia64_gregs {
	uint64_t gr[32];
};

struct xpv_ia64_trap_ops {
	/* A privileged instruction at PL2: result of the emulation (or 0). */
	uint64_t (*privop)(void *ctx, enum xpv_ia64_privop op, uint64_t a,
			   uint64_t b);
	/* break @nr with r8-r11, r14 loaded; returns r8 afterwards. */
	uint64_t (*hyperprivop)(void *ctx, unsigned int nr,
				const uint64_t args[5]);
	/* break 0x1000 with r2 = @cmd, r14-r18 = @args; returns r8. */
	long (*hypercall)(void *ctx, unsigned long cmd,
			  const unsigned long args[5]);
	/* mov r=ar.itc with psr.si=0: the machine counter, no trap. */
	uint64_t (*read_itc)(void *ctx);
	/* The register file (r0-r31 of the current bank). */
	struct xpv_ia64_gregs *(*regs)(void *ctx);
	/*
	 * An instruction boundary where an external interrupt may land.
	 * Hardware needs nothing here; the host model injects events.
	 */
	void (*tick)(void *ctx);
};

struct xpv_ia64_cpu;

/* pv_cpu_ops for IA-64: what the kernel's privileged operations become. */
struct xpv_ia64_cpu_ops {
	const char *name;
	/* psr.i: irq flags are the virtual psr.i bit (1 = enabled). */
	unsigned long (*save_fl)(struct xpv_ia64_cpu *c);
	void (*irq_disable)(struct xpv_ia64_cpu *c);
	void (*irq_enable)(struct xpv_ia64_cpu *c);
	void (*irq_restore)(struct xpv_ia64_cpu *c, unsigned long fl);
	void (*set_ic)(struct xpv_ia64_cpu *c, bool on);
	uint64_t (*get_psr)(struct xpv_ia64_cpu *c);
	/* interruption control registers (ipsr, iip, ifa, isr, iim, ifs...) */
	uint64_t (*get_cr)(struct xpv_ia64_cpu *c, unsigned int cr);
	void (*set_cr)(struct xpv_ia64_cpu *c, unsigned int cr, uint64_t v);
	uint64_t (*get_ivr)(struct xpv_ia64_cpu *c);
	void (*eoi)(struct xpv_ia64_cpu *c);
	uint64_t (*get_tpr)(struct xpv_ia64_cpu *c);
	void (*set_tpr)(struct xpv_ia64_cpu *c, uint64_t v);
	void (*cover)(struct xpv_ia64_cpu *c);
	void (*rfi)(struct xpv_ia64_cpu *c);
	void (*bsw0)(struct xpv_ia64_cpu *c);
	void (*bsw1)(struct xpv_ia64_cpu *c);
	void (*itc_d)(struct xpv_ia64_cpu *c, uint64_t ifa, uint64_t pte,
		      uint64_t itir);
	void (*itc_i)(struct xpv_ia64_cpu *c, uint64_t ifa, uint64_t pte,
		      uint64_t itir);
	void (*ptcga)(struct xpv_ia64_cpu *c, uint64_t va, uint64_t logsz);
	uint64_t (*thash)(struct xpv_ia64_cpu *c, uint64_t va);
	uint64_t (*get_rr)(struct xpv_ia64_cpu *c, uint64_t va);
	void (*set_rr)(struct xpv_ia64_cpu *c, uint64_t va, uint64_t v);
	void (*set_rr0_to_rr4)(struct xpv_ia64_cpu *c, const uint64_t v[5]);
	void (*set_kr)(struct xpv_ia64_cpu *c, unsigned int k, uint64_t v);
	uint64_t (*get_itc)(struct xpv_ia64_cpu *c);
	void (*set_itc)(struct xpv_ia64_cpu *c, uint64_t v);
};

extern const struct xpv_ia64_cpu_ops xpv_ia64_native_ops;
extern const struct xpv_ia64_cpu_ops xpv_ia64_hpriv_ops;
extern const struct xpv_ia64_cpu_ops xpv_ia64_xen_ops;

enum xpv_ia64_pv_mode {
	XPV_IA64_PV_NATIVE, /* classic: every privileged op traps */
	XPV_IA64_PV_HPRIV,  /* hyperprivops, no hyper-registers */
	XPV_IA64_PV_XEN,    /* hyper-registers + hyperprivops */
};

/* An event channel handler run from the event callback. */
typedef void (*xpv_ia64_port_fn)(struct xpv_ia64_cpu *c, unsigned int port,
				 void *arg);
/* An interruption handler: @vector is the IVT offset (0x3000 extint...). */
struct xpv_ia64_intr_frame;
typedef void (*xpv_ia64_intr_fn)(struct xpv_ia64_cpu *c,
				 struct xpv_ia64_intr_frame *f, void *arg);
/* An external interrupt vector (from cr.ivr) handler. */
typedef void (*xpv_ia64_irq_fn)(struct xpv_ia64_cpu *c, unsigned int vec,
				void *arg);

/* One vCPU of the guest kernel. */
struct xpv_ia64_cpu {
	const struct xpv_ia64_cpu_ops *ops; /* fixed after setup */
	const struct xpv_ia64_trap_ops *trap;
	void *trap_ctx;
	/* XSI_BASE on hardware; the model's shared area on the host */
	uint8_t *xsi;
	struct xen_ia64_mapped_regs *mr;
	struct xen_ia64_shared_info *si;
	struct xen_ia64_vcpu_info *vi;
	/* psr.i byte, checked once at setup against where it must be */
	volatile uint8_t *psr_i;
	unsigned int vcpu;
	uint64_t iva;
	uint64_t callback_ip;
	xpv_ia64_port_fn port_fn;
	void *port_arg;
	xpv_ia64_intr_fn intr_fn;
	void *intr_arg;
	xpv_ia64_irq_fn irq_fn;
	void *irq_arg;
	/* counters for tests and the benchmark */
	unsigned long events_handled;
	unsigned long callback_loops;
	unsigned long bad_entries;
};

/*
 * Boot: attach vCPU @vcpu to its shared area @xsi (XSI_BASE on hardware)
 * and choose the ops table.  Refuses (-22) a psr.i address that is not
 * this vCPU's evtchn_upcall_mask inside @xsi.
 */
int xpv_ia64_setup(struct xpv_ia64_cpu *c, enum xpv_ia64_pv_mode mode,
		   const struct xpv_ia64_trap_ops *trap, void *trap_ctx,
		   void *xsi, unsigned int vcpu);
/* Register the IVT base and the event callback entry (addresses only). */
void xpv_ia64_set_entries(struct xpv_ia64_cpu *c, uint64_t iva,
			  uint64_t callback_ip);

/*
 * Boot, after setup: point cr.iva at the IVT (32 KB aligned) and register
 * the event callback with Xen (callback_op).  Returns 0 or -errno.
 */
int xpv_ia64_boot(struct xpv_ia64_cpu *c, uint64_t iva, uint64_t callback_ip);

/* Reads the guest did not have to trap for: inline helpers over c->ops. */
static inline unsigned long xpv_ia64_irq_save(struct xpv_ia64_cpu *c)
{
	unsigned long fl = c->ops->save_fl(c);

	c->ops->irq_disable(c);
	return fl;
}

static inline void xpv_ia64_tick(struct xpv_ia64_cpu *c)
{
	if (c->trap->tick)
		c->trap->tick(c->trap_ctx);
}

/* ---- hyper-reflection, guest side (entry.c) ---- */

/* What the interruption entry read from the (virtual) control registers. */
struct xpv_ia64_intr_frame {
	uint64_t vector;
	uint64_t ipsr, iip, ifs, isr, ifa, iim, itir, iha;
	/* pt_regs: r1-r15 and bank 1 r16-r31 of the interrupted context */
	uint64_t gr[32];
};

/*
 * The CPU arrived at @ip in guest kernel mode after a reflection: ip is
 * either iva + vector or the event callback.  Runs the entry, the handler
 * and the exit (rfi).  Returns 0, or -22 for an address that is neither.
 */
int xpv_ia64_enter(struct xpv_ia64_cpu *c, uint64_t ip);

#endif
