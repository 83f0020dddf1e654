// SPDX-License-Identifier: MIT
/*
 * Time: system time from pvclock (monotonic across vCPUs), wall time from
 * shared_info's wallclock plus system time, and sleeping on a one-shot
 * VIRQ_TIMER set with VCPUOP_set_singleshot_timer.
 */
#include "arch-xen/hypercall.h"
#include "arch-xen/kernel.h"
#include "arch-xen/pvclock.h"
#include "xenpv/compiler.h"

static struct xpv_pvclock_mono mono;
static volatile unsigned long timer_events;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

uint64_t monotonic_ns(void)
{
	struct xpv_pvclock_snap s;

	xpv_pvclock_snapshot(&shared->vcpu_info[0].time, &s, NULL, NULL);
	return xpv_pvclock_monotonic(&mono, xpv_pvclock_ns(&s, rdtsc()));
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
	timer_events++;
}

void sleep_until(uint64_t deadline_ns)
{
	struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline_ns };

	hyp_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
	pv_irq_ops.irq_disable();
	while (monotonic_ns() < deadline_ns) {
		pv_irq_ops.safe_halt();
		pv_irq_ops.irq_disable();
	}
	pv_irq_ops.irq_enable();
}

void time_init(void)
{
	/* Xen starts a periodic tick by default; we only want one-shots. */
	hyp_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	if (evtchn_bind_virq(VIRQ_TIMER, 0, on_timer, NULL) < 0)
		panic("VIRQ_TIMER not bound");
}

unsigned long timer_event_count(void);
unsigned long timer_event_count(void)
{
	return timer_events;
}
