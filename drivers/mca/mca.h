/* SPDX-License-Identifier: MIT */
/*
 * The portable PV machine-check driver (xen/arch-x86/xen-mca.h): on
 * VIRQ_MCA it fetches telemetry with XEN_MC_fetch, urgent queue first,
 * walks each struct mc_info (parsed, never trusted: xpv_mca_walk), turns
 * every bank record into an mcelog record, acknowledges what it consumed
 * with XEN_MC_ACK, and keeps the records for readers in a bounded log.
 *
 * Recovery policy (after the AMD design of Xen's MCA): corrected errors are
 * counted per page; a page that reaches the threshold is handed to the
 * host's retire hook (page offlining) before it turns uncorrected.
 *
 * One struct per instance, os.h only.  A host glue supplies the retire
 * hook and the readers: balloon-style userspace (mca_user.c) or the Linux
 * /dev/mcelog device (mcelog_linux.c: read returns up to XPV_MCE_LOG_LEN
 * records of xpv_mca_record_len() bytes, MCE_GETCLEAR_FLAGS is
 * xpv_mca_getclear_flags, poll is xpv_mca_pending).
 */
#ifndef XENPV_MCA_H
#define XENPV_MCA_H

#include "xenpv/os.h"

/*
 * One record in mcelog's format: the struct mce that Linux's Xen mcelog
 * device hands out (its struct xen_mce), field for field.
 */
struct xpv_mce {
	uint64_t status;    /* MCi_STATUS */
	uint64_t misc;	    /* MCi_MISC */
	uint64_t addr;	    /* MCi_ADDR */
	uint64_t mcgstatus; /* MCG_STATUS */
	uint64_t ip;
	uint64_t tsc;
	uint64_t time; /* wall time: unknown here, 0 */
	uint8_t cpuvendor;
	uint8_t inject_flags;
	uint8_t severity;
	uint8_t pad;
	uint32_t cpuid;
	uint8_t cs;
	uint8_t bank;
	uint8_t cpu;
	uint8_t finished; /* 1: the entry is complete */
	uint32_t extcpu;
	uint32_t socketid;
	uint32_t apicid;
	uint64_t mcgcap;
};

#define XPV_MCE_LOG_LEN 32u
/* Bit in the flags word (mcelog's MCE_OVERFLOW): the log filled up. */
#define XPV_MCE_OVERFLOW 0

/* MCi_STATUS bits the policy reads. */
#define XPV_MCI_STATUS_VAL (1ull << 63)
#define XPV_MCI_STATUS_UC (1ull << 61)
#define XPV_MCI_STATUS_ADDRV (1ull << 58)

/* Bank records one mc_info can hold (15 fit in MCINFO_MAXSIZE). */
#define XPV_MCA_MAX_RECORDS 16u
#define XPV_MCA_MAX_RECOVERY 8u

/* What a walk found in one mc_info. */
struct xpv_mca_parsed {
	struct xpv_mce rec[XPV_MCA_MAX_RECORDS];
	uint16_t rec_domid[XPV_MCA_MAX_RECORDS]; /* bank's mc_domid */
	unsigned int nr_rec;
	unsigned int nr_extended, nr_unknown;
	unsigned int nr_recovery;
	uint64_t offlined_mfn[XPV_MCA_MAX_RECOVERY]; /* Xen's own actions */
	unsigned int nr_offlined;
	bool incomplete; /* MCINFO_FLAGS_UNCOMPLETE: Xen ran out of room */
};

/*
 * Validates every count, size and offset of @mi and fills @out.  Returns 0,
 * or -XPV_EBADMSG with *why saying what was wrong (a static string).
 */
int xpv_mca_walk(const struct mc_info *mi, struct xpv_mca_parsed *out,
		 const char **why);

#define XPV_MCA_TRACKED_PAGES 64u
#define XPV_MCA_RETIRED_MAX 64u
#define XPV_MCA_THRESHOLD_DEFAULT 8u

struct xpv_mca_cfg {
	unsigned int ce_threshold; /* 0: XPV_MCA_THRESHOLD_DEFAULT */
	/* Offline frame @mfn of domain @owner; 0 or -errno.  NULL: report only.
	 */
	int (*retire)(void *arg, uint64_t mfn, domid_t owner);
	void *retire_arg;
};

struct xpv_mca_stats {
	uint64_t fetched_urgent, fetched_nonurgent;
	uint64_t records; /* mcelog records produced */
	uint64_t corrected, uncorrected;
	uint64_t rejected; /* malformed telemetry, consumed */
	uint64_t incomplete;
	uint64_t held_back; /* fetches left queued: log full */
	uint64_t fetch_errors;
	uint64_t recovery; /* mcinfo_recovery entries seen */
	uint64_t retired, retire_failed;
	const char *last_reject; /* why the last one was rejected */
};

struct xpv_mca_page {
	uint64_t mfn;
	uint32_t ce;
	uint16_t owner;
	uint8_t used, retired;
};

struct xpv_mca {
	struct xpv_os_lock *lock;
	struct xpv_os_waitq *wq;
	struct xpv_mca_cfg cfg;
	evtchn_port_t port;
	bool bound;
	struct mc_info *buf; /* where Xen writes a fetch */
	struct xpv_mca_parsed *parsed;
	struct xpv_mce log[XPV_MCE_LOG_LEN];
	unsigned int log_head, log_count;
	unsigned int flags; /* XPV_MCE_OVERFLOW */
	bool held;	    /* telemetry left queued in Xen */
	struct xpv_mca_page pages[XPV_MCA_TRACKED_PAGES];
	uint64_t retired[XPV_MCA_RETIRED_MAX];
	unsigned int nr_retired;
	struct xpv_mca_stats st;
};

int xpv_mca_init(struct xpv_mca *m, const struct xpv_mca_cfg *cfg);
/* Binds VIRQ_MCA and drains what is already queued. */
int xpv_mca_start(struct xpv_mca *m);
void xpv_mca_destroy(struct xpv_mca *m);

/* Fetch, walk, log, ACK until both queues are empty or the log is full. */
void xpv_mca_poll(struct xpv_mca *m);

/* Takes up to @max records, oldest first; fetching resumes if held back. */
unsigned int xpv_mca_read(struct xpv_mca *m, struct xpv_mce *out,
			  unsigned int max);
unsigned int xpv_mca_pending(struct xpv_mca *m);
/* Sleeps until @n records are waiting or @timeout_ns passes; 0 or -errno. */
int xpv_mca_wait(struct xpv_mca *m, unsigned int n, uint64_t timeout_ns);
unsigned int xpv_mca_getclear_flags(struct xpv_mca *m);
unsigned int xpv_mca_record_len(void);

void xpv_mca_stats(struct xpv_mca *m, struct xpv_mca_stats *st);
/* Frames retired by the policy, in order; returns how many in all. */
unsigned int xpv_mca_retired(struct xpv_mca *m, uint64_t *mfns,
			     unsigned int max);

#endif
