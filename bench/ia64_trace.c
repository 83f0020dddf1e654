// SPDX-License-Identifier: MIT
/*
 * xenpv-ia64-trace: counts VMM entries (traps, breaks, external interrupts)
 * for one synthetic kernel operation mix run by three guests on the Xen/ia64
 * reference model: classic (every privileged operation traps), hyperprivops
 * only, and hyper-registers + hyperprivops.  Counts, not times: the model
 * runs on the build host, so a time would measure the host.
 *
 * usage: xenpv-ia64-trace OUT.json [iterations]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch-xen-ia64/model/host.h"

enum bucket {
	B_IRQ,	 /* local_irq_save/restore pairs */
	B_ITC,	 /* ar.itc reads */
	B_CTXSW, /* rr0-rr4 + kr switch, ptc.ga */
	B_TLB,	 /* tlb miss: reflect, handler, itc.d insert, rfi */
	B_TIMER, /* extint: cr.ivr/eoi loop, rfi */
	B_EVENT, /* event callback: scan, rfi */
	B_EXT,	 /* the physical interrupts themselves */
	B_NR
};

static const char *const bucket_name[B_NR] = {
	"irq save/restore",	"itc read",
	"rr/kr switch, ptc.ga", "tlb miss + itc.d + rfi",
	"timer: ivr/eoi + rfi", "event callback + rfi",
	"external interrupts",
};

static const char *const bucket_key[B_NR] = {
	"irq_save_restore", "itc_read",	      "ctx_switch", "tlb_miss_insert",
	"timer_ivr_eoi",    "event_callback", "external",
};

struct run {
	const char *name;
	enum xpv_ia64_pv_mode mode;
	struct xia64m m;
	struct xpv_ia64_cpu c;
	unsigned long ops[B_NR];
	unsigned long events, irqs, faults;
};

static int bench_enter(void *ctx, uint64_t ip)
{
	struct run *r = ctx;
	unsigned int b = B_TLB, old;
	int rc;

	if (ip == XIA64M_GUEST_CALLBACK)
		b = B_EVENT;
	else if (ip == XIA64M_GUEST_IVA + IA64_EXTINT_VECTOR)
		b = B_TIMER;
	old = xia64m_set_bucket(&r->m, b);
	rc = xpv_ia64_enter(&r->c, ip);
	xia64m_set_bucket(&r->m, old);
	return rc;
}

static void on_port(struct xpv_ia64_cpu *c, unsigned int port, void *arg)
{
	((struct run *)arg)->events++;
}

static void on_irq(struct xpv_ia64_cpu *c, unsigned int vec, void *arg)
{
	((struct run *)arg)->irqs++;
}

/* The page fault handler: insert the translation the miss asked for. */
static void on_fault(struct xpv_ia64_cpu *c, struct xpv_ia64_intr_frame *f,
		     void *arg)
{
	((struct run *)arg)->faults++;
	c->ops->itc_d(c, f->ifa, (f->ifa & 0x3fffffffff000UL) | 0x661,
		      f->itir & 0xfc);
}

static void raise(struct run *r, unsigned int port)
{
	unsigned int old = xia64m_set_bucket(&r->m, B_EXT);

	xia64m_send_event(&r->m, port);
	xia64m_set_bucket(&r->m, old);
}

static void irq_section(struct run *r, unsigned long i)
{
	unsigned long fl;
	int k;

	xia64m_set_bucket(&r->m, B_IRQ);
	for (k = 0; k < 4; k++) {
		fl = xpv_ia64_irq_save(&r->c);
		r->ops[B_IRQ]++;
		/* an event lands inside the critical section */
		if (k == 1 && i % 3 == 0)
			raise(r, 3 + (unsigned int)(i % 5));
		xia64m_set_bucket(&r->m, B_IRQ);
		r->c.ops->irq_restore(&r->c, fl);
	}
}

static void other_ops(struct run *r, unsigned long i)
{
	static const uint64_t rr[5] = {0x1031, 0x2031, 0x3031, 0x4031, 0x5031};
	unsigned int old;

	xia64m_set_bucket(&r->m, B_ITC);
	r->c.ops->get_itc(&r->c);
	r->c.ops->get_itc(&r->c);
	r->ops[B_ITC] += 2;
	if (i % 8 == 0) {
		xia64m_set_bucket(&r->m, B_CTXSW);
		r->c.ops->set_rr0_to_rr4(&r->c, rr);
		r->c.ops->set_kr(&r->c, 6, 0xe000000001000000UL + i);
		r->ops[B_CTXSW]++;
	}
	if (i % 16 == 0) {
		xia64m_set_bucket(&r->m, B_CTXSW);
		r->c.ops->ptcga(&r->c, 0x2000000000000000UL + (i << 14), 14);
		r->ops[B_CTXSW]++;
	}
	if (i % 2 == 0) {
		xia64m_set_bucket(&r->m, B_TLB);
		xia64m_raise_fault(&r->m, IA64_DATA_TLB_VECTOR, 0,
				   0x2000000000000000UL + (i << 14));
		r->ops[B_TLB]++;
	}
	if (i % 4 == 1) {
		/* timer, while psr.i is on */
		old = xia64m_set_bucket(&r->m, B_EXT);
		xia64m_pend_vector(&r->m, 0xef);
		xia64m_set_bucket(&r->m, old);
		r->ops[B_TIMER]++;
	}
	if (i % 6 == 5) {
		raise(r, 20);
		r->ops[B_EVENT]++;
	}
}

static int run_mix(struct run *r, unsigned long iters)
{
	unsigned long i;

	if (xia64m_host_boot(&r->m, &r->c, r->mode))
		return -1;
	r->m.enter = bench_enter;
	r->m.enter_ctx = r;
	r->c.port_fn = on_port;
	r->c.port_arg = r;
	r->c.irq_fn = on_irq;
	r->c.irq_arg = r;
	r->c.intr_fn = on_fault;
	r->c.intr_arg = r;
	r->m.mr->rrs[1] = 14 << 2;
	r->c.ops->irq_enable(&r->c);
	memset(&r->m.st, 0, sizeof(r->m.st));
	for (i = 0; i < iters; i++) {
		irq_section(r, i);
		other_ops(r, i);
	}
	/* events raised in critical sections count as deliveries too */
	r->ops[B_EVENT] += (iters + 2) / 3;
	r->ops[B_EXT] = r->m.st.external;
	return 0;
}

static void print_table(struct run *runs, unsigned int n)
{
	unsigned int b, k;
	unsigned long tot;

	printf("%-26s %10s", "VMM entries by operation", "ops");
	for (k = 0; k < n; k++)
		printf(" %16s", runs[k].name);
	printf("\n");
	for (b = 0; b < B_NR; b++) {
		printf("%-26s %10lu", bucket_name[b], runs[0].ops[b]);
		for (k = 0; k < n; k++)
			printf(" %16lu", runs[k].m.st.bucket[b]);
		printf("\n");
	}
	printf("%-26s %10s", "total", "");
	for (k = 0; k < n; k++) {
		tot = runs[k].m.st.entries;
		printf(" %16lu", tot);
	}
	printf("\n%-26s %10s", "  of which hyperprivops", "");
	for (k = 0; k < n; k++)
		printf(" %16lu", runs[k].m.st.hyperprivops);
	printf("\n%-26s %10s", "    fast path / slow path", "");
	for (k = 0; k < n; k++)
		printf(" %9lu/%6lu", runs[k].m.st.hp_fast,
		       runs[k].m.st.hp_slow);
	printf("\n%-26s %10s", "  of which privop traps", "");
	for (k = 0; k < n; k++)
		printf(" %16lu", runs[k].m.st.privop_traps);
	printf("\n%-26s %10s", "relative to classic", "");
	for (k = 0; k < n; k++)
		printf(" %15.1f%%", 100.0 * (double)runs[k].m.st.entries /
					    (double)runs[0].m.st.entries);
	printf("\n");
}

static int write_json(const char *path, struct run *runs, unsigned int n,
		      unsigned long iters)
{
	FILE *f = fopen(path, "w");
	unsigned int b, k;

	if (!f)
		return -1;
	fprintf(f,
		"{\n  \"benchmark\": \"ia64_trace\",\n  \"unit\": "
		"\"vmm_entries\",\n  \"iterations\": %lu,\n  \"guests\": [\n",
		iters);
	for (k = 0; k < n; k++) {
		const struct xia64m_stats *s = &runs[k].m.st;

		fprintf(f,
			"    {\"guest\": \"%s\", \"total\": %lu, "
			"\"hyperprivops\": %lu, \"hp_fast\": %lu, "
			"\"hp_slow\": %lu, \"privop_traps\": %lu, "
			"\"hypercalls\": %lu, \"external\": %lu, "
			"\"events_handled\": %lu, \"irqs_handled\": %lu, "
			"\"tlb_inserts\": %lu, \"by_op\": {",
			runs[k].name, s->entries, s->hyperprivops, s->hp_fast,
			s->hp_slow, s->privop_traps, s->hypercalls, s->external,
			runs[k].events, runs[k].irqs, runs[k].m.tlb_inserts);
		for (b = 0; b < B_NR; b++)
			fprintf(f, "%s\"%s\": %lu", b ? ", " : "",
				bucket_key[b], s->bucket[b]);
		fprintf(f, "}}%s\n", k + 1 < n ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return fclose(f);
}

int main(int argc, char **argv)
{
	static struct run runs[3] = {
		{.name = "classic", .mode = XPV_IA64_PV_NATIVE},
		{.name = "hyperprivops", .mode = XPV_IA64_PV_HPRIV},
		{.name = "hregs+hprivops", .mode = XPV_IA64_PV_XEN},
	};
	unsigned long iters = 10000;
	unsigned int k;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OUT.json [iterations]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		iters = strtoul(argv[2], NULL, 0);
	if (!iters || iters > 100000000UL)
		iters = 10000;
	for (k = 0; k < 3; k++)
		if (run_mix(&runs[k], iters)) {
			fprintf(stderr, "boot failed for %s\n", runs[k].name);
			return 1;
		}
	printf("ia64 trace: %lu iterations of the same kernel mix on the "
	       "Xen/ia64 model (counts, not times)\n",
	       iters);
	print_table(runs, 3);
	for (k = 1; k < 3; k++)
		if (runs[k].events != runs[0].events ||
		    runs[k].irqs != runs[0].irqs ||
		    runs[k].faults != runs[0].faults || runs[k].m.st.crashes) {
			fprintf(stderr, "%s did different work\n",
				runs[k].name);
			rc = 1;
		}
	printf("same work in all three: %lu events, %lu timer irqs, %lu tlb "
	       "misses handled\n",
	       runs[0].events, runs[0].irqs, runs[0].faults);
	if (write_json(argv[1], runs, 3, iters)) {
		perror(argv[1]);
		rc = 1;
	}
	for (k = 0; k < 3; k++)
		xia64m_fini(&runs[k].m);
	return rc;
}
