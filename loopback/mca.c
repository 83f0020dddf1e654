// SPDX-License-Identifier: MIT
/*
 * Machine-check telemetry on the loopback, after Xen's mctelem: per domain,
 * an urgent and a non-urgent queue of committed struct mc_info, filled by
 * the injector (xenpv-mceinj, playing the hardware and Xen's #MC / CMCI
 * handlers) and drained by HYPERVISOR_mca XEN_MC_fetch: fetch hands out the
 * oldest record and its fetch_id without removing it, XEN_MC_ACK with that
 * id frees it, an ACK of anything else is ignored.  Each commit raises
 * VIRQ_MCA.  Page offlining (XEN_SYSCTL_page_offline_op) is recorded here.
 */
#include <errno.h>
#include <string.h>

#include "loopback/internal.h"

/* Xen's MC_URGENT_NENT and MC_NONURGENT_NENT. */
static const uint32_t queue_size[LB_MCA_NR_QUEUES] = {10, 20};

_Static_assert(LB_MCA_NENT_MAX >= 20, "mca queue too small");

void lb_mca_domain_reset(struct lb_domain *dom)
{
	unsigned int q;

	memset(dom->mca_queue, 0, sizeof(dom->mca_queue));
	for (q = 0; q < LB_MCA_NR_QUEUES; q++)
		dom->mca_queue[q].size = queue_size[q];
	dom->nr_offlined = 0;
	memset(dom->offlined, 0, sizeof(dom->offlined));
}

static int fetch_which(uint32_t flags)
{
	switch (flags & (XEN_MC_NONURGENT | XEN_MC_URGENT)) {
	case XEN_MC_URGENT:
		return LB_MCA_URGENT;
	case XEN_MC_NONURGENT:
		return LB_MCA_NONURGENT;
	default:
		return -EINVAL;
	}
}

/* The queue as stored in shared memory: clamp what another process wrote. */
static bool queue_sane(const struct lb_mca_queue *q)
{
	return q->size && q->size <= LB_MCA_NENT_MAX && q->head < q->size &&
	       q->count <= q->size;
}

static void do_ack(struct lb_mca_queue *q, uint64_t fetch_id)
{
	if (!q->count || q->slot[q->head].fetch_id != fetch_id)
		return; /* as mctelem_ack: not the one handed out, ignored */
	q->slot[q->head].fetch_id = 0;
	q->head = (q->head + 1) % q->size;
	q->count--;
	q->acked++;
}

static int do_fetch(struct lb_mca_queue *q, struct xen_mc_fetch *f)
{
	if (!q->count) {
		f->flags = XEN_MC_NODATA;
		f->fetch_id = 0;
		return 0;
	}
	memcpy(f->data.p, &q->slot[q->head].mi, sizeof(struct mc_info));
	f->fetch_id = q->slot[q->head].fetch_id;
	f->flags = XEN_MC_OK;
	return 0;
}

int lb_mca_op(struct lb_dom *d, struct xen_mc *mc)
{
	struct xen_mc_fetch *f = &mc->u.mc_fetch;
	struct lb_mca_queue *q;
	int which, err = 0;

	if (mc->interface_version != XEN_MCA_INTERFACE_VERSION)
		return -EACCES;
	if (mc->cmd != XEN_MC_fetch)
		return -EINVAL;
	which = fetch_which(f->flags);
	if (which < 0)
		return which;
	if (!(f->flags & XEN_MC_ACK) && !f->data.p)
		return -EINVAL;
	q = &d->self->mca_queue[which];
	lb_lock(d->self);
	if (!queue_sane(q))
		err = -EIO;
	else if (f->flags & XEN_MC_ACK)
		do_ack(q, f->fetch_id);
	else
		err = do_fetch(q, f);
	lb_unlock(d->self);
	return err;
}

static int commit(struct lb_mca_queue *q, const struct mc_info *mi)
{
	struct lb_mca_slot *s;

	if (!queue_sane(q))
		return -EIO;
	if (q->count == q->size) {
		q->refused++;
		q->overflow = 1;
		return -ENOSPC;
	}
	s = &q->slot[(q->head + q->count) % q->size];
	memcpy(&s->mi, mi, sizeof(*mi));
	/* Never 0: a fetch that found nothing says fetch_id 0. */
	s->fetch_id = ++q->next_id;
	q->count++;
	q->committed++;
	return 0;
}

int lb_mca_inject(struct lb_dom *d, unsigned int domid, unsigned int which,
		  const struct mc_info *mi)
{
	struct lb_domain *dom = lb_domain_get(d->hv, domid);
	int err;

	if (!dom)
		return -ESRCH;
	if (which >= LB_MCA_NR_QUEUES || !mi)
		return -EINVAL;
	lb_lock(dom);
	err = commit(&dom->mca_queue[which], mi);
	lb_unlock(dom);
	if (err)
		return err;
	/* Unbound VIRQ: the telemetry waits in the queue, as in Xen. */
	lb_virq_raise(d, domid, VIRQ_MCA);
	return 0;
}

int lb_mca_stat(struct lb_hv *hv, unsigned int domid, unsigned int which,
		struct lb_mca_qstat *st)
{
	struct lb_domain *dom = lb_domain_get(hv, domid);
	struct lb_mca_queue *q;

	if (!dom)
		return -ESRCH;
	if (which >= LB_MCA_NR_QUEUES)
		return -EINVAL;
	q = &dom->mca_queue[which];
	lb_lock(dom);
	st->queued = q->count;
	st->size = q->size;
	st->overflow = q->overflow;
	st->committed = q->committed;
	st->acked = q->acked;
	st->refused = q->refused;
	lb_unlock(dom);
	return 0;
}

int lb_mca_page_offline(struct lb_hv *hv, unsigned int domid, uint64_t mfn)
{
	struct lb_domain *dom = lb_domain_get(hv, domid);
	unsigned int i, n;
	int err = 0;

	if (!dom)
		return -ESRCH;
	if (mfn >= dom->nr_pages)
		return -EINVAL;
	lb_lock(dom);
	n = dom->nr_offlined < LB_MCA_OFFLINE_MAX ? dom->nr_offlined
						  : LB_MCA_OFFLINE_MAX;
	for (i = 0; i < n && dom->offlined[i] != mfn; i++)
		;
	if (i == n && n == LB_MCA_OFFLINE_MAX)
		err = -ENOSPC;
	else if (i == n)
		dom->offlined[dom->nr_offlined++] = mfn;
	lb_unlock(dom);
	return err;
}

unsigned int lb_mca_offlined(struct lb_hv *hv, unsigned int domid,
			     uint64_t *mfns, unsigned int max)
{
	struct lb_domain *dom = lb_domain_get(hv, domid);
	unsigned int i, n;

	if (!dom)
		return 0;
	lb_lock(dom);
	n = dom->nr_offlined < LB_MCA_OFFLINE_MAX ? dom->nr_offlined
						  : LB_MCA_OFFLINE_MAX;
	for (i = 0; i < n && i < max; i++)
		mfns[i] = dom->offlined[i];
	lb_unlock(dom);
	return n;
}

/* MCi_STATUS as hardware writes it: valid, enabled, misc and address valid. */
#define MCI_VAL (1ull << 63)
#define MCI_UC (1ull << 61)
#define MCI_EN (1ull << 60)
#define MCI_MISCV (1ull << 59)
#define MCI_ADDRV (1ull << 58)
#define MCI_PCC (1ull << 57)
/* MCA error code: memory controller read error, channel unspecified. */
#define MCACOD_MEM_READ 0x009full
#define MCG_STATUS_RIPV (1ull << 0)
#define MCG_STATUS_MCIP (1ull << 2)

void lb_mca_build(struct mc_info *mi, const struct lb_mce_spec *spec)
{
	struct mcinfo_global *g = (struct mcinfo_global *)mi->mi_data;
	struct mcinfo_bank *b = (struct mcinfo_bank *)(g + 1);

	memset(mi, 0, sizeof(*mi));
	mi->mi_nentries = 2;
	g->common.type = MC_TYPE_GLOBAL;
	g->common.size = sizeof(*g);
	g->mc_domid = spec->domid;
	g->mc_coreid = spec->cpu;
	g->mc_apicid = spec->cpu;
	g->mc_flags = spec->uncorrected ? MC_FLAG_UNCORRECTABLE | MC_FLAG_MCE
					: MC_FLAG_CORRECTABLE | MC_FLAG_CMCI;
	g->mc_gstatus = spec->uncorrected ? MCG_STATUS_MCIP : MCG_STATUS_RIPV;
	b->common.type = MC_TYPE_BANK;
	b->common.size = sizeof(*b);
	b->mc_bank = spec->bank;
	b->mc_domid = spec->domid;
	b->mc_status =
		MCI_VAL | MCI_EN | MCI_MISCV | MCI_ADDRV | MCACOD_MEM_READ;
	if (spec->uncorrected)
		b->mc_status |= MCI_UC | MCI_PCC;
	b->mc_addr = spec->addr;
	b->mc_misc = spec->misc;
}
