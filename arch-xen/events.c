// SPDX-License-Identifier: MIT
/*
 * Events: the upcall from Xen runs the core's 2-level demux on our
 * shared_info; VIRQs and interdomain ports are bound through
 * EVTCHNOP_*; and the pv-ops table for interrupt flags is switched from its
 * native defaults to vcpu_info masking once, here, at boot.
 */
#include "arch-xen/hypercall.h"
#include "arch-xen/kernel.h"
#include "xenpv/evtchn.h"

static struct xpv_evtchn_demux demux;
static bool pvops_sealed;

/* Any hypercall returns through Xen's pending-event check. */
static void force_upcall(void *arg)
{
	hyp_xen_version(XENVER_version, NULL);
}

struct xpv_irq_vcpu *this_irq_vcpu(void)
{
	return &this_cpu()->irq;
}

/* ---- pv-ops: native defaults, replaced by the Xen ones at boot ------- */

static unsigned long native_save_fl(void)
{
	unsigned long f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f)::"memory");
	return f;
}

static void native_restore_fl(unsigned long f)
{
	__asm__ volatile("pushq %0; popfq" ::"r"(f) : "memory", "cc");
}

static void native_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static void native_irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static void native_safe_halt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

struct xpv_pv_irq_ops pv_irq_ops = {
	.save_fl = native_save_fl,
	.restore_fl = native_restore_fl,
	.irq_disable = native_irq_disable,
	.irq_enable = native_irq_enable,
	.safe_halt = native_safe_halt,
};

static unsigned long xen_save_fl(void) { return xpv_irq_save(this_irq_vcpu()); }

static void xen_restore_fl(unsigned long f)
{
	xpv_irq_restore(this_irq_vcpu(), f);
}

static void xen_irq_disable(void) { xpv_irq_disable(this_irq_vcpu()); }
static void xen_irq_enable(void) { xpv_irq_enable(this_irq_vcpu()); }

/* SCHEDOP_block unmasks events and sleeps in one step: no lost wakeup. */
static void xen_safe_halt(void)
{
	hyp_sched_op(SCHEDOP_block, NULL);
}

void pvops_setup_xen(void)
{
	if (pvops_sealed)
		panic("pv-ops replaced twice");
	pv_irq_ops = (struct xpv_pv_irq_ops){
		.save_fl = xen_save_fl,
		.restore_fl = xen_restore_fl,
		.irq_disable = xen_irq_disable,
		.irq_enable = xen_irq_enable,
		.safe_halt = xen_safe_halt,
	};
	pvops_sealed = true;
}

/* ---- the upcall and event channel operations ------------------------ */

void do_upcall(struct trap_frame *f);
void do_upcall(struct trap_frame *f)
{
	struct cpu *c = this_cpu();

	c->in_upcall++;
	xpv_evtchn_demux_run(&demux, c->id);
	c->in_upcall--;
}

static void register_callback(uint16_t type, void *address)
{
	struct callback_register cb = { .type = type,
					.address = (unsigned long)address };

	if (hyp_callback_op(CALLBACKOP_register, &cb))
		panic("callback %u not registered", type);
}

void events_init(void)
{
	unsigned int i;

	for (i = 0; i < XPV_MAX_VCPUS; i++)
		cpus[i].irq = (struct xpv_irq_vcpu){
			.vi = &shared->vcpu_info[i],
			.force_upcall = force_upcall };
	if (xpv_evtchn_demux_init(&demux, shared, XPV_EVTCHN_2L_NR_PORTS))
		panic("event demux");
	register_callback(CALLBACKTYPE_event, hypervisor_callback);
	register_callback(CALLBACKTYPE_failsafe, failsafe_callback);
	pvops_setup_xen();
}

/*
 * A port pending while masked is raised again on the vCPU that serves it:
 * here on our own vCPU; for another vCPU's port Xen's EVTCHNOP_unmask
 * does it and kicks that vCPU.
 */
void evtchn_unmask_port(evtchn_port_t port)
{
	struct evtchn_unmask op = { .port = port };

	if (xpv_evtchn_demux_vcpu(&demux, port) != this_cpu()->id) {
		hyp_evtchn_op(EVTCHNOP_unmask, &op);
		return;
	}
	if (xpv_evtchn_2l_unmask(shared, this_cpu()->id, port) &&
	    !xpv_irq_disabled(this_irq_vcpu()))
		force_upcall(NULL);
}

void evtchn_notify(evtchn_port_t port)
{
	struct evtchn_send send = { .port = port };

	hyp_evtchn_op(EVTCHNOP_send, &send);
}

int evtchn_bind_virq(unsigned int virq, unsigned int vcpu,
		     xpv_evtchn_handler_t fn, void *arg)
{
	struct evtchn_bind_virq op = { .virq = virq, .vcpu = vcpu };
	long err = hyp_evtchn_op(EVTCHNOP_bind_virq, &op);

	if (err)
		return (int)err;
	/* Xen raises it on @vcpu: only that vCPU's upcall may serve it. */
	err = xpv_evtchn_demux_set_vcpu(&demux, op.port, vcpu);
	if (!err)
		err = xpv_evtchn_demux_set_handler(&demux, op.port, fn, arg);
	if (err)
		return (int)err;
	evtchn_unmask_port(op.port);
	return op.port;
}

int evtchn_bind_handler(evtchn_port_t port, xpv_evtchn_handler_t fn, void *arg)
{
	int err = xpv_evtchn_demux_set_handler(&demux, port, fn, arg);

	if (!err)
		evtchn_unmask_port(port);
	return err;
}

/* A closed port's number comes back from the next allocation. */
void evtchn_clear_handler(evtchn_port_t port)
{
	xpv_evtchn_demux_clear_handler(&demux, port);
}
