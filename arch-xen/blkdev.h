/* SPDX-License-Identifier: MIT */
/* The kernel's block devices on the portable blkfront (blkdev.c). */
#ifndef XENPV_ARCH_XEN_BLKDEV_H
#define XENPV_ARCH_XEN_BLKDEV_H

#include "drivers/blkfront/blkfront.h"

struct kblk;

/* Connects to device/vbd/@vdev; NULL with *err = -errno. */
struct kblk *kblk_open(unsigned int vdev, uint64_t timeout_ns, int *err);
/* Closes and frees; @st (may be NULL) gets the final counters. */
void kblk_close(struct kblk *d, struct xpv_blkfront_stats *st);
struct xpv_blkfront *kblk_frontend(struct kblk *d);
int kblk_rw(struct kblk *d, enum xpv_blkfront_op op, uint64_t sector,
	    void *buf, size_t len);

/* blktest.c: the whole-disk check the harness reads. */
void blk_check(void);

#endif
