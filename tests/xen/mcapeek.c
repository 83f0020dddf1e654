// SPDX-License-Identifier: MIT
/*
 * xenpv-mcapeek: machine-check telemetry fetched from dom0's userspace with
 * the real hypercall (XEN_MC_fetch through libxencall, i.e. privcmd), each
 * mc_info parsed by our xpv_mca_walk (drivers/mca/mca_walk.c).  It never
 * ACKs: dom0's kernel (its built-in xen_mcelog, bound to VIRQ_MCA) owns the
 * telemetry and consumes it, so this only looks, racing that consumer.
 *
 * usage: xenpv-mcapeek [SECONDS]  polls both queues until a record is seen
 *        or SECONDS pass (default 0: one look at each).
 * exit:  0 a record was seen, 2 none, 1 the hypercall failed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xencall.h>

#include "drivers/mca/mca.h"

struct peek {
	xencall_handle *xc;
	struct xen_mc *mc;
	struct mc_info *mi;
	struct xpv_mca_parsed parsed;
};

static void show(const char *q, struct peek *p)
{
	const char *why = NULL;
	unsigned int i;

	if (xpv_mca_walk(p->mi, &p->parsed, &why)) {
		printf("mcapeek: %s: fetch_id %#" PRIx64 ": rejected: %s\n", q,
		       p->mc->u.mc_fetch.fetch_id, why);
		return;
	}
	printf("mcapeek: %s: fetch_id %#" PRIx64 ": %u record(s)\n", q,
	       p->mc->u.mc_fetch.fetch_id, p->parsed.nr_rec);
	for (i = 0; i < p->parsed.nr_rec; i++) {
		const struct xpv_mce *r = &p->parsed.rec[i];

		printf("mcapeek: %s: bank %u status %#" PRIx64 " addr %#" PRIx64
		       " mcgstatus %#" PRIx64 " domain %u\n",
		       q, r->bank, r->status, r->addr, r->mcgstatus,
		       p->parsed.rec_domid[i]);
	}
}

/* 1 a record, 0 none, -errno. */
static int fetch(struct peek *p, uint32_t queue)
{
	memset(p->mc, 0, sizeof(*p->mc));
	memset(p->mi, 0, sizeof(*p->mi));
	p->mc->cmd = XEN_MC_fetch;
	p->mc->interface_version = XEN_MCA_INTERFACE_VERSION;
	p->mc->u.mc_fetch.flags = queue;
	set_xen_guest_handle(p->mc->u.mc_fetch.data, p->mi);
	if (xencall1(p->xc, __HYPERVISOR_mca, (uint64_t)(uintptr_t)p->mc))
		return -errno;
	if (p->mc->u.mc_fetch.flags & XEN_MC_FETCHFAILED)
		return -EIO;
	return (p->mc->u.mc_fetch.flags & XEN_MC_NODATA) ? 0 : 1;
}

static int look(struct peek *p, bool quiet)
{
	static const struct {
		uint32_t flag;
		const char *name;
	} qs[] = { { XEN_MC_URGENT, "urgent" },
		   { XEN_MC_NONURGENT, "nonurgent" } };
	int seen = 0, r;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		r = fetch(p, qs[i].flag);
		if (r < 0) {
			printf("mcapeek: %s: XEN_MC_fetch: %s\n", qs[i].name,
			       strerror(-r));
			return r;
		}
		if (r) {
			show(qs[i].name, p);
			seen = 1;
		} else if (!quiet) {
			printf("mcapeek: %s: no data\n", qs[i].name);
		}
	}
	return seen;
}

int main(int argc, char **argv)
{
	struct timespec nap = { 0, 1000000 };
	struct peek p = { 0 };
	time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 0);
	int r;

	p.xc = xencall_open(NULL, 0);
	if (!p.xc) {
		perror("mcapeek: xencall_open");
		return 1;
	}
	p.mc = xencall_alloc_buffer(p.xc, sizeof(*p.mc));
	p.mi = xencall_alloc_buffer(p.xc, sizeof(*p.mi));
	if (!p.mc || !p.mi) {
		perror("mcapeek: hypercall buffers");
		return 1;
	}
	r = look(&p, false);
	while (r == 0 && time(NULL) < end) {
		nanosleep(&nap, NULL);
		r = look(&p, true);
	}
	if (r == 0)
		printf("mcapeek: nothing seen\n");
	xencall_free_buffer(p.xc, p.mi);
	xencall_free_buffer(p.xc, p.mc);
	xencall_close(p.xc);
	return r < 0 ? 1 : r ? 0 : 2;
}
