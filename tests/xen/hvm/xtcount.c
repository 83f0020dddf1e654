// SPDX-License-Identifier: MIT
/*
 * xenpv-xtcount: counts what an HVM guest made Xen do, phase by phase, from
 * a xentrace file (events TRC_HVM_ENTRYEXIT and TRC_HVM_HANDLER).  The guest
 * brackets each phase by writing ID and then ID|0x80 to I/O port 0x666
 * (xenpv-iobench mark); Xen traces those writes like any other.  The guest
 * has one vCPU, so ordering its records by TSC puts each in its phase
 * wherever it ran.
 *
 * xpv_xt_print() writes one line per phase seen:
 *   XTRACE phase=ID exits=N ioio=N npf=N intr=N vintr=N hlt=N msr=N
 *          cpuid=N vmmcall=N other=N ioport=N iomem=N lost=N
 * and a last "XTRACE total ..." line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/xen/hvm/xtcount.h"

/* The header word: event in the low 28 bits (extra count, cycles above). */
#define XT_EVENT_MASK 0x0fffffffu

/* AMD SVM exit codes (the nested SVM that QEMU's TCG provides). */
enum {
	SVM_INTR = 0x60,
	SVM_VINTR = 0x64,
	SVM_CPUID = 0x72,
	SVM_HLT = 0x78,
	SVM_IOIO = 0x7b,
	SVM_MSR = 0x7c,
	SVM_VMMCALL = 0x81,
	SVM_NPF = 0x400
};

const char *const xpv_xt_names[XPV_XT_N] = {
	"exits", "ioio",    "npf",   "intr",   "vintr", "hlt",	"msr",
	"cpuid", "vmmcall", "other", "ioport", "iomem", "lost",
};

static int reason_slot(uint32_t reason)
{
	switch (reason) {
	case SVM_IOIO:
		return XPV_XT_IOIO;
	case SVM_NPF:
		return XPV_XT_NPF;
	case SVM_INTR:
		return XPV_XT_INTR;
	case SVM_VINTR:
		return XPV_XT_VINTR;
	case SVM_HLT:
		return XPV_XT_HLT;
	case SVM_MSR:
		return XPV_XT_MSR;
	case SVM_CPUID:
		return XPV_XT_CPUID;
	case SVM_VMMCALL:
		return XPV_XT_VMMCALL;
	default:
		return XPV_XT_OTHER;
	}
}

static void on_mark(struct xpv_xt_count *k, uint32_t v)
{
	unsigned int id = v & (XPV_XT_MARK_END - 1);

	k->marks++;
	if (!id)
		return;
	if (!(v & XPV_XT_MARK_END)) {
		k->cur = id;
		k->seen[id] = 1;
		return;
	}
	/* The end mark's own port write exited inside the phase: not its. */
	if (k->cur == id && k->c[id][XPV_XT_EXITS] && k->c[id][XPV_XT_IOIO]) {
		k->c[id][XPV_XT_EXITS]--;
		k->c[id][XPV_XT_IOIO]--;
	}
	k->cur = 0;
}

static void on_record(struct xpv_xt_count *k, uint32_t ev, const uint32_t *x,
		      unsigned int nx)
{
	unsigned long long *c = k->c[k->cur];

	if (ev == TRC_LOST_RECORDS) {
		k->lost++;
		c[XPV_XT_LOST]++;
	} else if ((ev & ~TRC_HVM_NESTEDFLAG) == TRC_HVM_VMEXIT ||
		   (ev & ~TRC_HVM_NESTEDFLAG) == TRC_HVM_VMEXIT64) {
		k->exits++;
		c[XPV_XT_EXITS]++;
		if (nx >= 1)
			c[reason_slot(x[0])]++;
	} else if ((ev & ~TRC_64_FLAG) == TRC_HVM_IOPORT_WRITE && nx >= 2 &&
		   x[0] == XPV_XT_MARK_PORT) {
		on_mark(k, x[1] & 0xff);
	} else if ((ev & ~TRC_64_FLAG) == TRC_HVM_IOPORT_READ ||
		   (ev & ~TRC_64_FLAG) == TRC_HVM_IOPORT_WRITE) {
		c[XPV_XT_IOPORT]++;
	} else if ((ev & ~TRC_64_FLAG) == TRC_HVM_IOMEM_READ ||
		   (ev & ~TRC_64_FLAG) == TRC_HVM_IOMEM_WRITE) {
		c[XPV_XT_IOMEM]++;
	}
}

/* What the counts need of one record, and where it goes in time. */
struct xt_ev {
	uint64_t tsc, seq;
	uint32_t ev, nx, x[2];
};

static int ev_cmp(const void *a, const void *b)
{
	const struct xt_ev *l = a, *r = b;

	if (l->tsc != r->tsc)
		return l->tsc < r->tsc ? -1 : 1;
	return l->seq < r->seq ? -1 : l->seq > r->seq;
}

static bool wanted(uint32_t ev)
{
	uint32_t e = ev & ~(TRC_64_FLAG | TRC_HVM_NESTEDFLAG);

	return ev == TRC_LOST_RECORDS || e == TRC_HVM_VMEXIT ||
	       e == TRC_HVM_IOPORT_READ || e == TRC_HVM_IOPORT_WRITE ||
	       e == TRC_HVM_IOMEM_READ || e == TRC_HVM_IOMEM_WRITE;
}

static int keep(struct xt_ev **evs, size_t *n, size_t *cap,
		const struct xt_ev *e)
{
	struct xt_ev *m;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 4096;
		m = realloc(*evs, *cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		*evs = m;
	}
	(*evs)[(*n)++] = *e;
	return 0;
}

/*
 * Each record: a header word (event, extra word count, cycles flag), the
 * TSC when flagged, then the extra words.  The file holds each physical
 * CPU's buffer in windows; a record without a TSC takes the last one of its
 * CPU, and the records of all CPUs are then replayed in TSC order.
 */
int xpv_xt_walk(struct xpv_xt_count *k, const uint8_t *p, size_t len)
{
	uint64_t last[XPV_XT_MAXCPU] = {0};
	struct xt_ev e, *evs = NULL;
	size_t off = 0, size, n = 0, cap = 0, i;
	uint32_t hdr, x[TRACE_EXTRA_MAX];
	unsigned int nx, cpu = 0;
	int cyc, err = 0;

	while (!err && len - off >= 4) {
		memcpy(&hdr, p + off, 4);
		nx = TRC_HD_EXTRA(hdr);
		cyc = !!(hdr & TRC_HD_CYCLE_FLAG);
		size = 4 + (cyc ? 8 : 0) + 4 * (size_t)nx;
		if (size > len - off)
			break;
		if (cyc)
			memcpy(&last[cpu], p + off + 4, 8);
		memcpy(x, p + off + 4 + (cyc ? 8 : 0), 4 * (size_t)nx);
		off += size;
		k->records++;
		e = (struct xt_ev){.tsc = last[cpu],
				   .seq = k->records,
				   .ev = hdr & XT_EVENT_MASK,
				   .nx = nx < 2 ? nx : 2};
		if (e.ev == TRC_TRACE_CPU_CHANGE && nx >= 1) {
			cpu = x[0] < XPV_XT_MAXCPU ? x[0] : XPV_XT_MAXCPU - 1;
			k->cpus |= cpu < 32 ? 1u << cpu : 0;
			continue;
		}
		memcpy(e.x, x, 4 * (size_t)e.nx);
		if (wanted(e.ev))
			err = keep(&evs, &n, &cap, &e);
	}
	if (n)
		qsort(evs, n, sizeof(*evs), ev_cmp);
	for (i = 0; i < n; i++)
		on_record(k, evs[i].ev, evs[i].x, evs[i].nx);
	free(evs);
	return err;
}

void xpv_xt_print(FILE *f, const struct xpv_xt_count *k)
{
	unsigned int i, j;

	for (i = 1; i < XPV_XT_NPHASE; i++) {
		if (!k->seen[i])
			continue;
		fprintf(f, "XTRACE phase=%u", i);
		for (j = 0; j < XPV_XT_N; j++)
			fprintf(f, " %s=%llu", xpv_xt_names[j], k->c[i][j]);
		fprintf(f, "\n");
	}
	fprintf(f,
		"XTRACE total records=%llu exits=%llu lost=%llu marks=%llu "
		"cpus=%#x\n",
		k->records, k->exits, k->lost, k->marks, k->cpus);
}
