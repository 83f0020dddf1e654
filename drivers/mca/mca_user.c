// SPDX-License-Identifier: MIT
/* The machine-check driver's userspace host; see mca_user.h. */
#include <errno.h>
#include <stdlib.h>

#include "drivers/mca/mca_user.h"
#include "os/user/user.h"

static int offline_page(void *arg, uint64_t mfn, domid_t owner)
{
	struct lb_dom *d = xpv_user_dom();

	return d ? lb_mca_page_offline(lb_dom_hv(d), owner, mfn) : -ENOSYS;
}

struct xpv_mca *xpv_mca_user_start(unsigned int threshold, int *err)
{
	struct xpv_mca_cfg cfg = {.ce_threshold = threshold,
				  .retire = offline_page};
	struct xpv_mca *m = calloc(1, sizeof(*m));

	*err = m ? xpv_mca_init(m, &cfg) : -ENOMEM;
	if (*err) {
		free(m);
		return NULL;
	}
	*err = xpv_mca_start(m);
	if (*err) {
		xpv_mca_destroy(m);
		free(m);
		return NULL;
	}
	return m;
}

void xpv_mca_user_stop(struct xpv_mca *m)
{
	if (!m)
		return;
	xpv_mca_destroy(m);
	free(m);
}
