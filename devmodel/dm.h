/* SPDX-License-Identifier: MIT */
/*
 * The device-model process (qemu's role in an HVM domain's dom0): serves the
 * ioreq page of one guest, emulating the IDE disk (backed by a file through
 * libaio) and, given a TAP, the NE2000 NIC.
 */
#ifndef XENPV_DEVMODEL_DM_H
#define XENPV_DEVMODEL_DM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "loopback/ioreq.h"

struct dm_cfg {
	const char *dir;	/* loopback directory, NULL: default */
	int guest;		/* the guest's domid */
	uint64_t ioreq_gfn;	/* where the guest put its ioreq page */
	const char *disk;	/* backing file of the ATA disk, or NULL */
	bool buffered;		/* never O_DIRECT */
	const char *tap;	/* TAP interface for the NIC, or NULL */
	const char *stats;	/* append a JSON line of counters here */
};

struct dm_counters {
	struct lb_ioreq_stats ioreq;
	uint64_t ide_cmds, ide_errors, prd_errors, nic_tx, nic_rx, nic_drops;
	double cpu_user_s, cpu_sys_s;
};

/*
 * Joins the loopback as domain 0, serves the guest until it goes away or
 * *stop is set.  0 or -errno; *out gets the counters if not NULL.
 */
int dm_run(const struct dm_cfg *cfg, volatile sig_atomic_t *stop,
	   struct dm_counters *out);

#endif
