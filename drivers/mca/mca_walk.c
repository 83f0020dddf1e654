// SPDX-License-Identifier: MIT
/*
 * The mc_info walker.  Telemetry comes from the hypervisor, but it is
 * parsed as a peer's message: the entry count is bounded by what fits, each
 * entry header is copied out before use, its size must be a multiple of 8
 * (the header is 4 bytes, so a size under 8 would make no progress: a
 * looping list), must stay inside mi_data and must match its type's struct.
 */
#include "drivers/mca/mca.h"
#include "xenpv/compiler.h"

#define DATA_SIZE sizeof(((struct mc_info *)0)->mi_data)
#define MIN_ENTRY 8u
#define MAX_ENTRIES (DATA_SIZE / MIN_ENTRY)
#define EXT_HDR offsetof(struct mcinfo_extended, mc_msr)

_Static_assert(sizeof(struct xpv_mce) == 88, "mcelog record layout");
_Static_assert(offsetof(struct xpv_mce, cpuvendor) == 56, "mce layout");
_Static_assert(offsetof(struct xpv_mce, extcpu) == 68, "mce layout");
_Static_assert(offsetof(struct xpv_mce, mcgcap) == 80, "mce layout");
_Static_assert(sizeof(struct mcinfo_global) % MIN_ENTRY == 0, "global");
_Static_assert(sizeof(struct mcinfo_bank) % MIN_ENTRY == 0, "bank");

struct walk {
	const uint8_t *data;
	struct mcinfo_global global;
	bool have_global;
	struct mcinfo_bank bank[XPV_MCA_MAX_RECORDS];
	struct xpv_mca_parsed *out;
};

static int bad(const char **why, const char *what)
{
	*why = what;
	return -XPV_EBADMSG;
}

static int take_global(struct walk *w, const struct mcinfo_common *c,
		       unsigned int off, const char **why)
{
	if (c->size != sizeof(struct mcinfo_global))
		return bad(why, "mcinfo_global of the wrong size");
	if (w->have_global)
		return bad(why, "two mcinfo_global entries");
	xpv_memcpy(&w->global, w->data + off, sizeof(w->global));
	w->have_global = true;
	return 0;
}

static int take_bank(struct walk *w, const struct mcinfo_common *c,
		     unsigned int off, const char **why)
{
	struct mcinfo_bank *b;

	if (c->size != sizeof(struct mcinfo_bank))
		return bad(why, "mcinfo_bank of the wrong size");
	if (w->out->nr_rec == XPV_MCA_MAX_RECORDS)
		return bad(why, "too many mcinfo_bank entries");
	b = &w->bank[w->out->nr_rec];
	xpv_memcpy(b, w->data + off, sizeof(*b));
	/* mcelog's record has a byte for the bank number. */
	if (b->mc_bank > 0xff)
		return bad(why, "bank number out of range");
	w->out->nr_rec++;
	return 0;
}

static int take_extended(struct walk *w, const struct mcinfo_common *c,
			 unsigned int off, const char **why)
{
	uint32_t n;

	if (c->size < EXT_HDR || c->size > sizeof(struct mcinfo_extended))
		return bad(why, "mcinfo_extended of the wrong size");
	xpv_memcpy(&n,
		   w->data + off + offsetof(struct mcinfo_extended, mc_msrs),
		   sizeof(n));
	if (n > XPV_ARRAY_SIZE(((struct mcinfo_extended *)0)->mc_msr) ||
	    c->size < EXT_HDR + n * sizeof(struct mcinfo_msr))
		return bad(why, "mcinfo_extended MSR count past its size");
	w->out->nr_extended++;
	return 0;
}

static int take_recovery(struct walk *w, const struct mcinfo_common *c,
			 unsigned int off, const char **why)
{
	struct mcinfo_recovery r;
	struct xpv_mca_parsed *o = w->out;

	if (c->size != sizeof(r))
		return bad(why, "mcinfo_recovery of the wrong size");
	xpv_memcpy(&r, w->data + off, sizeof(r));
	o->nr_recovery++;
	if ((r.action_types & MC_ACTION_PAGE_OFFLINE) &&
	    (r.action_flags & REC_ACTION_RECOVERED) &&
	    o->nr_offlined < XPV_MCA_MAX_RECOVERY)
		o->offlined_mfn[o->nr_offlined++] =
			r.action_info.page_retire.mfn;
	return 0;
}

static int take_entry(struct walk *w, const struct mcinfo_common *c,
		      unsigned int off, const char **why)
{
	switch (c->type) {
	case MC_TYPE_GLOBAL:
		return take_global(w, c, off, why);
	case MC_TYPE_BANK:
		return take_bank(w, c, off, why);
	case MC_TYPE_EXTENDED:
		return take_extended(w, c, off, why);
	case MC_TYPE_RECOVERY:
		return take_recovery(w, c, off, why);
	default:
		/* A newer Xen's entry: its size is checked, its body skipped.
		 */
		w->out->nr_unknown++;
		return 0;
	}
}

static void make_record(const struct walk *w, unsigned int i)
{
	const struct mcinfo_bank *b = &w->bank[i];
	struct xpv_mce *m = &w->out->rec[i];

	xpv_memset(m, 0, sizeof(*m));
	m->status = b->mc_status;
	m->misc = b->mc_misc;
	m->addr = b->mc_addr;
	m->tsc = b->mc_tsc;
	m->bank = (uint8_t)b->mc_bank;
	m->mcgstatus = w->global.mc_gstatus;
	/* No XEN_MC_physcpuinfo here: the physical core stands for the CPU. */
	m->cpu = (uint8_t)w->global.mc_coreid;
	m->extcpu = w->global.mc_coreid;
	m->socketid = w->global.mc_socketid;
	m->apicid = w->global.mc_apicid;
	m->finished = 1;
	w->out->rec_domid[i] = b->mc_domid;
}

static int walk_entries(struct walk *w, uint32_t n, const char **why)
{
	unsigned int off = 0, i;
	int err;

	for (i = 0; i < n; i++) {
		struct mcinfo_common c;

		if (DATA_SIZE - off < sizeof(c))
			return bad(why, "entry list runs past mi_data");
		xpv_memcpy(&c, w->data + off, sizeof(c));
		if (c.size < MIN_ENTRY || c.size % MIN_ENTRY)
			return bad(why, "entry size not a multiple of 8");
		if (c.size > DATA_SIZE - off)
			return bad(why, "entry runs past mi_data");
		err = take_entry(w, &c, off, why);
		if (err)
			return err;
		off += c.size;
	}
	return 0;
}

int xpv_mca_walk(const struct mc_info *mi, struct xpv_mca_parsed *out,
		 const char **why)
{
	struct walk w;
	uint32_t n = XPV_READ_ONCE(mi->mi_nentries);
	unsigned int i;
	int err;

	xpv_memset(out, 0, sizeof(*out));
	*why = "";
	if (n == 0)
		return bad(why, "no entries");
	if (n > MAX_ENTRIES)
		return bad(why, "more entries than mi_data can hold");
	xpv_memset(&w, 0, sizeof(w));
	w.data = (const uint8_t *)mi->mi_data;
	w.out = out;
	err = walk_entries(&w, n, why);
	if (!err && !w.have_global)
		err = bad(why, "no mcinfo_global entry");
	if (err) {
		out->nr_rec = 0;
		return err;
	}
	out->incomplete = XPV_READ_ONCE(mi->flags) & MCINFO_FLAGS_UNCOMPLETE;
	for (i = 0; i < out->nr_rec; i++)
		make_record(&w, i);
	return 0;
}
