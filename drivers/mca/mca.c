// SPDX-License-Identifier: MIT
/*
 * The machine-check driver's fetch loop, its record log and the page
 * retirement policy.  Fetching follows Xen's protocol: XEN_MC_fetch hands
 * out the oldest record of a queue without removing it; XEN_MC_ACK with its
 * fetch_id removes it.  A record is ACKed once consumed (logged, or
 * rejected as malformed); when the log has no room for it, it is not ACKed
 * and stays queued in Xen until a reader makes room: the log reports
 * XPV_MCE_OVERFLOW, and nothing is dropped.
 */
#include "drivers/mca/mca.h"
#include "xenpv/compiler.h"

/* Bounds one poll even if the hypervisor never says XEN_MC_NODATA. */
#define FETCHES_PER_POLL 256u

int xpv_mca_init(struct xpv_mca *m, const struct xpv_mca_cfg *cfg)
{
	xpv_memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	if (!m->cfg.ce_threshold)
		m->cfg.ce_threshold = XPV_MCA_THRESHOLD_DEFAULT;
	m->lock = xpv_os_lock_new();
	m->wq = xpv_os_waitq_new();
	m->buf = xpv_os_zalloc(sizeof(*m->buf));
	m->parsed = xpv_os_zalloc(sizeof(*m->parsed));
	if (!m->lock || !m->wq || !m->buf || !m->parsed) {
		xpv_mca_destroy(m);
		return -XPV_ENOMEM;
	}
	return 0;
}

void xpv_mca_destroy(struct xpv_mca *m)
{
	if (m->bound)
		xpv_os_evtchn_close(m->port);
	m->bound = false;
	xpv_os_free(m->buf);
	xpv_os_free(m->parsed);
	xpv_os_waitq_free(m->wq);
	xpv_os_lock_free(m->lock);
	m->buf = NULL;
	m->parsed = NULL;
	m->wq = NULL;
	m->lock = NULL;
}

static void on_virq(evtchn_port_t port, void *arg)
{
	xpv_mca_poll(arg);
}

int xpv_mca_start(struct xpv_mca *m)
{
	int err = xpv_os_bind_virq(VIRQ_MCA, on_virq, m, &m->port);

	if (err)
		return err;
	m->bound = true;
	/* Telemetry queued before we bound raised no event for us. */
	xpv_mca_poll(m);
	return 0;
}

/* ---- page retirement ---------------------------------------------------- */

static struct xpv_mca_page *page_slot(struct xpv_mca *m, uint64_t mfn)
{
	struct xpv_mca_page *victim = NULL;
	unsigned int i;

	for (i = 0; i < XPV_MCA_TRACKED_PAGES; i++) {
		struct xpv_mca_page *p = &m->pages[i];

		if (p->used && p->mfn == mfn)
			return p;
		/* A free slot, else the least troubled page not yet retired. */
		if (!p->used)
			victim = victim && !victim->used ? victim : p;
		else if (!p->retired &&
			 (!victim || (victim->used && p->ce < victim->ce)))
			victim = p;
	}
	if (victim) {
		xpv_memset(victim, 0, sizeof(*victim));
		victim->used = 1;
		victim->mfn = mfn;
	}
	return victim;
}

static void retire(struct xpv_mca *m, struct xpv_mca_page *p)
{
	int err = m->cfg.retire
			  ? m->cfg.retire(m->cfg.retire_arg, p->mfn, p->owner)
			  : -XPV_EOPNOTSUPP;

	p->retired = 1;
	if (err) {
		m->st.retire_failed++;
		xpv_warn("mca: page %#llx: %u corrected errors, offlining "
			 "failed (%d)",
			 (unsigned long long)p->mfn, p->ce, err);
		return;
	}
	m->st.retired++;
	if (m->nr_retired < XPV_MCA_RETIRED_MAX)
		m->retired[m->nr_retired++] = p->mfn;
	xpv_info("mca: page %#llx of d%u: %u corrected errors, offlined",
		 (unsigned long long)p->mfn, p->owner, p->ce);
}

static void count_error(struct xpv_mca *m, const struct xpv_mce *r,
			uint16_t owner)
{
	struct xpv_mca_page *p;

	if (!(r->status & XPV_MCI_STATUS_VAL))
		return;
	if (r->status & XPV_MCI_STATUS_UC) {
		m->st.uncorrected++;
		return;
	}
	m->st.corrected++;
	if (!(r->status & XPV_MCI_STATUS_ADDRV))
		return;
	p = page_slot(m, r->addr >> XPV_PAGE_SHIFT);
	if (!p || p->retired)
		return;
	p->owner = owner;
	if (++p->ce >= m->cfg.ce_threshold)
		retire(m, p);
}

/* ---- fetching ------------------------------------------------------------ */

/* 0: consumed (ACK it); -XPV_ENOSPC: no room, leave it queued. */
static int consume(struct xpv_mca *m)
{
	struct xpv_mca_parsed *p = m->parsed;
	const char *why;
	unsigned int i;

	if (xpv_mca_walk(m->buf, p, &why)) {
		m->st.rejected++;
		m->st.last_reject = why;
		xpv_warn("mca: telemetry rejected: %s", why);
		return 0;
	}
	if (p->nr_rec > XPV_MCE_LOG_LEN - m->log_count) {
		m->flags |= 1u << XPV_MCE_OVERFLOW;
		m->held = true;
		m->st.held_back++;
		return -XPV_ENOSPC;
	}
	m->st.incomplete += p->incomplete;
	m->st.recovery += p->nr_recovery;
	for (i = 0; i < p->nr_rec; i++) {
		unsigned int slot =
			(m->log_head + m->log_count++) % XPV_MCE_LOG_LEN;

		m->log[slot] = p->rec[i];
		m->st.records++;
		count_error(m, &p->rec[i], p->rec_domid[i]);
	}
	return 0;
}

static int mc_op(uint32_t flags, uint64_t fetch_id, struct mc_info *buf,
		 struct xen_mc *mc)
{
	xpv_memset(mc, 0, sizeof(*mc));
	mc->cmd = XEN_MC_fetch;
	mc->interface_version = XEN_MCA_INTERFACE_VERSION;
	mc->u.mc_fetch.flags = flags;
	mc->u.mc_fetch.fetch_id = fetch_id;
	set_xen_guest_handle(mc->u.mc_fetch.data, buf);
	return xpv_os_mca_op(mc);
}

/* Drains one queue; false if it must stop (log full, or an error). */
static bool drain(struct xpv_mca *m, uint32_t which, uint64_t *fetched)
{
	struct xen_mc mc;
	unsigned int n;
	int err;

	for (n = 0; n < FETCHES_PER_POLL; n++) {
		err = mc_op(which, 0, m->buf, &mc);
		if (err || (mc.u.mc_fetch.flags & XEN_MC_FETCHFAILED)) {
			m->st.fetch_errors++;
			xpv_warn("mca: XEN_MC_fetch failed (%d, flags %#x)",
				 err, mc.u.mc_fetch.flags);
			return false;
		}
		if (mc.u.mc_fetch.flags & XEN_MC_NODATA)
			return true;
		(*fetched)++;
		if (consume(m))
			return false;
		err = mc_op(which | XEN_MC_ACK, mc.u.mc_fetch.fetch_id, NULL,
			    &mc);
		if (err) {
			m->st.fetch_errors++;
			return false;
		}
	}
	return true;
}

void xpv_mca_poll(struct xpv_mca *m)
{
	unsigned int before;
	bool grew;

	xpv_os_lock(m->lock);
	before = m->log_count;
	m->held = false;
	if (drain(m, XEN_MC_URGENT, &m->st.fetched_urgent))
		drain(m, XEN_MC_NONURGENT, &m->st.fetched_nonurgent);
	grew = m->log_count != before;
	xpv_os_unlock(m->lock);
	if (grew)
		xpv_os_wake(m->wq);
}

/* ---- readers ------------------------------------------------------------- */

unsigned int xpv_mca_read(struct xpv_mca *m, struct xpv_mce *out,
			  unsigned int max)
{
	unsigned int n = 0;
	bool held;

	xpv_os_lock(m->lock);
	while (n < max && m->log_count) {
		out[n++] = m->log[m->log_head];
		m->log_head = (m->log_head + 1) % XPV_MCE_LOG_LEN;
		m->log_count--;
	}
	held = m->held;
	xpv_os_unlock(m->lock);
	/* Room again: take what Xen kept for us. */
	if (held && n)
		xpv_mca_poll(m);
	return n;
}

unsigned int xpv_mca_pending(struct xpv_mca *m)
{
	unsigned int n;

	xpv_os_lock(m->lock);
	n = m->log_count;
	xpv_os_unlock(m->lock);
	return n;
}

struct wait_arg {
	struct xpv_mca *m;
	unsigned int n;
};

static bool enough(void *arg)
{
	struct wait_arg *w = arg;

	return xpv_mca_pending(w->m) >= w->n;
}

int xpv_mca_wait(struct xpv_mca *m, unsigned int n, uint64_t timeout_ns)
{
	struct wait_arg w = {m, n};

	return xpv_os_wait(m->wq, enough, &w, timeout_ns);
}

unsigned int xpv_mca_getclear_flags(struct xpv_mca *m)
{
	unsigned int f;

	xpv_os_lock(m->lock);
	f = m->flags;
	m->flags = 0;
	xpv_os_unlock(m->lock);
	return f;
}

unsigned int xpv_mca_record_len(void)
{
	return sizeof(struct xpv_mce);
}

void xpv_mca_stats(struct xpv_mca *m, struct xpv_mca_stats *st)
{
	xpv_os_lock(m->lock);
	*st = m->st;
	xpv_os_unlock(m->lock);
}

unsigned int xpv_mca_retired(struct xpv_mca *m, uint64_t *mfns,
			     unsigned int max)
{
	unsigned int i, n;

	xpv_os_lock(m->lock);
	n = m->nr_retired;
	for (i = 0; i < n && i < max; i++)
		mfns[i] = m->retired[i];
	xpv_os_unlock(m->lock);
	return n;
}
