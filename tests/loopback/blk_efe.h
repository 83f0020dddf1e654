/* SPDX-License-Identifier: MIT */
/*
 * A scripted (and, when asked, evil) blkif frontend for end-to-end tests:
 * a process that joined the loopback as a guest grants real pages of its
 * memory, fills a real shared ring with whatever requests a test wants and
 * waits for the answers.  No driver code: every byte is the test's.
 */
#ifndef XENPV_TESTS_BLK_EFE_H
#define XENPV_TESTS_BLK_EFE_H

#include <xenstore.h>

#include "backend/blkback/blkback_req.h"
#include "loopback/loopback.h"
#include "tests/loopback/blk_env.h"

#define EFE_TIMEOUT 99		/* no response came */
#define EFE_BAD_ID 98		/* a response for another request */

struct efe {
	struct blk_env *env;
	struct lb_dom *d;
	struct xs_handle *xs;
	unsigned int domid, vdev;
	char fe[96];
	enum xpv_blkif_abi abi;
	unsigned int order, nr_ents;
	void *sring;
	evtchn_port_t port;
	RING_IDX req_prod, rsp_cons;
	unsigned int next_gfn;
	grant_ref_t next_ref;
};

/* Joins as @domid (the caller's process becomes that guest). */
int efe_init(struct efe *e, struct blk_env *env, unsigned int domid,
	     unsigned int vdev);
void efe_exit(struct efe *e);
/* Maps nothing itself: grants a ring and connects; 0 once Connected. */
int efe_connect(struct efe *e, enum xpv_blkif_abi abi, unsigned int order,
		bool persistent);
/* Closed, then Initialising again (backend back in InitWait). */
int efe_close(struct efe *e, bool reopen);
int efe_set_state(struct efe *e, int state);

/* A fresh page of our memory and a grant of it to dom0. */
void *efe_page(struct efe *e, unsigned int *gfn);
grant_ref_t efe_grant(struct efe *e, unsigned int gfn, bool readonly);
void efe_ungrant(struct efe *e, grant_ref_t ref);

/* Puts @r on the ring as is, notifies, waits for its response. */
int efe_do(struct efe *e, const struct xpv_blkback_req *r);
/* Raw access for the overflow case. */
void efe_set_req_prod(struct efe *e, RING_IDX prod);
RING_IDX efe_rsp_prod(struct efe *e);

/* Backend mappings of dom0 right now (the loopback's own count). */
unsigned int efe_backend_mappings(struct efe *e);

#endif
