// SPDX-License-Identifier: MIT
/*
 * The grant table: GNTTABOP_setup_table hands us machine frames, which we
 * map at GNT_VA (outside the domain's pfns), and os.h's gnttab hooks fill
 * and revoke v1 entries there.  Refs are handed to the core in claims; the
 * first GNTTAB_NR_RESERVED_ENTRIES belong to the toolstack.
 */
#include "arch-xen/hypercall.h"
#include "arch-xen/kernel.h"

#define GNT_VA (1ull << 39)
#define GNT_MAX_FRAMES 4u
#define GNT_PER_FRAME (XPV_PAGE_SIZE / sizeof(grant_entry_v1_t))
#define GNT_MAX_REFS (GNT_MAX_FRAMES * GNT_PER_FRAME)

static grant_entry_v1_t *table;
static unsigned int nr_refs;
static uint64_t claimed[GNT_MAX_REFS / 64];
static struct spinlock gnt_lock;

static unsigned int query_frames(void)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };

	if (hyp_grant_table_op(GNTTABOP_query_size, &q, 1) || q.status)
		return 1;
	return q.max_nr_frames < GNT_MAX_FRAMES ? q.max_nr_frames
						: GNT_MAX_FRAMES;
}

/* Returns the number of refs, or a negative errno / GNTST_* code. */
int gnttab_init(void)
{
	xen_pfn_t frames[GNT_MAX_FRAMES];
	struct gnttab_setup_table st = { .dom = DOMID_SELF };
	unsigned int i;
	int err;

	st.nr_frames = query_frames();
	set_xen_guest_handle(st.frame_list, frames);
	err = (int)hyp_grant_table_op(GNTTABOP_setup_table, &st, 1);
	if (err || st.status)
		return err ? err : st.status;
	for (i = 0; i < st.nr_frames; i++) {
		err = mm_map_frame(GNT_VA + i * XPV_PAGE_SIZE, frames[i]);
		if (err)
			return err;
	}
	table = (grant_entry_v1_t *)GNT_VA;
	nr_refs = st.nr_frames * GNT_PER_FRAME;
	for (i = 0; i < GNTTAB_NR_RESERVED_ENTRIES; i++)
		claimed[i / 64] |= 1ull << (i % 64);
	return (int)nr_refs;
}

int xpv_os_gnttab_claim(grant_ref_t *refs, unsigned int n)
{
	unsigned long flags;
	unsigned int r, got = 0;

	if (!table)
		return -XPV_ENOSYS;
	flags = spin_lock_irqsave(&gnt_lock);
	for (r = 0; r < nr_refs && got < n; r++) {
		if (claimed[r / 64] & (1ull << (r % 64)))
			continue;
		claimed[r / 64] |= 1ull << (r % 64);
		refs[got++] = r;
	}
	spin_unlock_irqrestore(&gnt_lock, flags);
	return (int)got;
}

void xpv_os_gnttab_release(const grant_ref_t *refs, unsigned int n)
{
	unsigned long flags = spin_lock_irqsave(&gnt_lock);
	unsigned int i;

	for (i = 0; i < n; i++)
		if (refs[i] >= GNTTAB_NR_RESERVED_ENTRIES && refs[i] < nr_refs)
			claimed[refs[i] / 64] &= ~(1ull << (refs[i] % 64));
	spin_unlock_irqrestore(&gnt_lock, flags);
}

void xpv_os_gnttab_grant(grant_ref_t ref, domid_t domid, uint64_t gfn,
			 bool readonly)
{
	grant_entry_v1_t *e;

	if (ref >= nr_refs)
		return;
	e = &table[ref];
	e->domid = domid;
	e->frame = (uint32_t)gfn;
	/* The peer may use the entry as soon as it sees the flags. */
	__atomic_store_n(&e->flags,
			 GTF_permit_access | (readonly ? GTF_readonly : 0),
			 __ATOMIC_RELEASE);
}

int xpv_os_gnttab_end(grant_ref_t ref, bool readonly)
{
	uint16_t flags;

	if (ref >= nr_refs)
		return -XPV_EINVAL;
	flags = __atomic_load_n(&table[ref].flags, __ATOMIC_ACQUIRE);
	do {
		/* Xen sets these while the peer has the frame mapped. */
		if (flags & (GTF_reading | GTF_writing))
			return -XPV_EBUSY;
	} while (!__atomic_compare_exchange_n(&table[ref].flags, &flags, 0,
					      false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return 0;
}

/* One entry as a peer's map would see it, for diagnostics. */
void gnttab_describe(grant_ref_t ref, char *buf, size_t size)
{
	const grant_entry_v1_t *e;

	if (ref >= nr_refs) {
		ksnprintf(buf, size, "ref %u out of range", ref);
		return;
	}
	e = &table[ref];
	ksnprintf(buf, size, "ref %u flags %x dom %u frame %x (pfn %lx)", ref,
		  __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE), e->domid,
		  e->frame, mfn_to_pfn(e->frame));
}

unsigned int gnttab_nr_refs(void)
{
	return nr_refs;
}
