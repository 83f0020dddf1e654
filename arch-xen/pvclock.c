// SPDX-License-Identifier: MIT
/* pvclock arithmetic and the version protocol; see pvclock.h. */
#include "arch-xen/pvclock.h"
#include "xenpv/compiler.h"

uint64_t xpv_pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

void xpv_pvclock_snapshot(const volatile struct vcpu_time_info *t,
			  struct xpv_pvclock_snap *s,
			  void (*hook)(void *arg), void *arg)
{
	uint32_t v;

	do {
		v = t->version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s->tsc_timestamp = t->tsc_timestamp;
		s->system_time = t->system_time;
		s->tsc_to_system_mul = t->tsc_to_system_mul;
		s->tsc_shift = t->tsc_shift;
		s->flags = t->flags;
		if (hook)
			hook(arg);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((v & 1) || v != t->version);
}

uint64_t xpv_pvclock_ns(const struct xpv_pvclock_snap *s, uint64_t tsc)
{
	/* Modular difference: right across a TSC wrap; a reader a little
	 * behind the stamp (another CPU's TSC) gets the stamp's own time. */
	uint64_t delta = tsc - s->tsc_timestamp;

	if ((int64_t)delta < 0)
		delta = 0;
	return s->system_time +
	       xpv_pvclock_scale(delta, s->tsc_to_system_mul, s->tsc_shift);
}

uint64_t xpv_pvclock_monotonic(struct xpv_pvclock_mono *m, uint64_t ns)
{
	uint64_t last = __atomic_load_n(&m->last_ns, __ATOMIC_ACQUIRE);

	do {
		if (ns <= last)
			return last;
	} while (!__atomic_compare_exchange_n(&m->last_ns, &last, ns, false,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return ns;
}
