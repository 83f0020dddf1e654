// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the mc_info walker: any bytes as a struct mc_info
 * (what a hypervisor could write into the fetch buffer).  An accepted one
 * must yield complete records within bounds; a rejected one a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/mca/mca.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_info *mi = malloc(sizeof(*mi));
	struct xpv_mca_parsed p;
	const char *why = NULL;
	unsigned int i;

	if (!mi)
		return 0;
	memset(mi, 0, sizeof(*mi));
	memcpy(mi, data, size < sizeof(*mi) ? size : sizeof(*mi));
	if (xpv_mca_walk(mi, &p, &why) == 0) {
		if (p.nr_rec > XPV_MCA_MAX_RECORDS ||
		    p.nr_offlined > XPV_MCA_MAX_RECOVERY)
			abort();
		for (i = 0; i < p.nr_rec; i++)
			if (p.rec[i].finished != 1)
				abort();
	} else if (!why || !why[0] || p.nr_rec) {
		abort();
	}
	free(mi);
	return 0;
}
