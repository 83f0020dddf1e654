// SPDX-License-Identifier: MIT
/*
 * Time: system time from pvclock (each vCPU reads its own vcpu_time_info;
 * a shared clamp keeps it monotonic across vCPUs), wall time from
 * shared_info's wallclock plus system time, and sleeping on a one-shot
 * VIRQ_TIMER per vCPU set with VCPUOP_set_singleshot_timer.
 */
#include "arch-xen/hypercall.h"
#include "arch-xen/kernel.h"
#include "arch-xen/pvclock.h"
#include "xenpv/compiler.h"

static struct xpv_pvclock_mono mono;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* This vCPU's pvclock, before the cross-vCPU clamp. */
uint64_t raw_ns(void)
{
	struct xpv_pvclock_snap s;
	unsigned long flags = pv_irq_ops.save_fl();
	uint64_t ns;

	/* Masked: the record read and the TSC must be the same vCPU's. */
	xpv_pvclock_snapshot(&shared->vcpu_info[this_cpu()->id].time, &s,
			     NULL, NULL);
	ns = xpv_pvclock_ns(&s, rdtsc());
	pv_irq_ops.restore_fl(flags);
	return ns;
}

uint64_t monotonic_ns(void)
{
	return xpv_pvclock_monotonic(&mono, raw_ns());
}

uint64_t wallclock_ns(void)
{
	uint32_t v;
	uint64_t sec, nsec;

	do {
		v = XPV_READ_ONCE(shared->wc_version);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		sec = shared->wc_sec | ((uint64_t)shared->xen_wc_sec_hi << 32);
		nsec = shared->wc_nsec;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((v & 1) || v != XPV_READ_ONCE(shared->wc_version));
	return sec * 1000000000ull + nsec + monotonic_ns();
}

static void on_timer(evtchn_port_t port, void *arg)
{
	struct cpu *c = arg;

	c->timer_events++;
}

/* This vCPU's one-shot timer; a past deadline fires at once. */
void timer_set(uint64_t deadline_ns)
{
	struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline_ns };

	hyp_vcpu_op(VCPUOP_set_singleshot_timer, this_cpu()->id, &t);
}

void sleep_until(uint64_t deadline_ns)
{
	unsigned long flags = pv_irq_ops.save_fl();
	bool threads = sched_active();

	if (!threads)
		timer_set(deadline_ns);
	pv_irq_ops.irq_disable();
	while (monotonic_ns() < deadline_ns) {
		if (threads) {
			sched_block(NULL, deadline_ns, NULL, NULL);
			continue;
		}
		pv_irq_ops.safe_halt();
		pv_irq_ops.irq_disable();
	}
	pv_irq_ops.restore_fl(flags);
}

/* On the vCPU @c itself: one-shot timers only, VIRQ_TIMER bound to it. */
void time_init_cpu(struct cpu *c)
{
	int port;

	/* Xen starts a periodic tick by default; we only want one-shots. */
	hyp_vcpu_op(VCPUOP_stop_periodic_timer, c->id, NULL);
	port = evtchn_bind_virq(VIRQ_TIMER, c->id, on_timer, c);
	if (port < 0)
		panic("VIRQ_TIMER not bound on vcpu %u: %d", c->id, port);
	c->timer_port = port;
}

void time_init(void)
{
	time_init_cpu(this_cpu());
}
