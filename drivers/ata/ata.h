/* SPDX-License-Identifier: MIT */
/*
 * A guest driver for an ATA disk behind a PCI IDE bus-master controller,
 * programmed the way Linux's libata SFF/BMDMA path does it: load the
 * taskfile (HOB bytes first for LBA48), write the command, start the
 * engine, take the interrupt, stop the engine, read status, clear the
 * bus-master interrupt.  Portable: ports through struct xpv_pio_ops.
 * One command at a time, as the hardware allows.
 */
#ifndef XENPV_DRIVERS_ATA_H
#define XENPV_DRIVERS_ATA_H

#include "xenpv/pio.h"

#define XPV_ATA_CMD_BASE 0x1f0
#define XPV_ATA_CTL_PORT 0x3f6
#define XPV_ATA_BM_BASE 0xc000
#define XPV_ATA_IRQ 14
#define XPV_ATA_SECTOR 512u
/* PRD entries in the driver's table page (a page holds 512). */
#define XPV_ATA_MAX_PRD 256u
#define XPV_ATA_TIMEOUT_NS (10ull * 1000 * 1000 * 1000)

/* One piece of a transfer buffer: guest memory at guest-physical @pa. */
struct xpv_ata_sg {
	uint64_t pa;
	uint32_t len;
};

struct xpv_ata_stats {
	uint64_t cmds, errors, bytes;
};

struct xpv_ata {
	const struct xpv_pio_ops *io;
	uint8_t *prd;			/* the PRD table page */
	uint64_t prd_pa;
	uint64_t nsectors;
	bool lba48;
	uint8_t devctl;
	uint8_t last_status, last_error;
	char model[41];
	struct xpv_ata_stats stats;
};

/*
 * Resets the channel, identifies the disk.  @prd_page is one page of guest
 * memory below 4 GiB at guest-physical @prd_pa.  0 or -errno.
 */
int xpv_ata_init(struct xpv_ata *ata, const struct xpv_pio_ops *io,
		 void *prd_page, uint64_t prd_pa);
/*
 * READ/WRITE DMA (EXT) of @nsect sectors at @lba into/from the pieces
 * @sg (even addresses and lengths, adding up to nsect * 512).
 * 0, -XPV_EIO (the disk reported an error), -XPV_EINVAL, -XPV_ETIMEDOUT.
 */
int xpv_ata_dma(struct xpv_ata *ata, bool write, uint64_t lba, uint32_t nsect,
		const struct xpv_ata_sg *sg, unsigned int nsg);
/* The same through PIO, with rep insw/outsw on the data port. */
int xpv_ata_pio(struct xpv_ata *ata, bool write, uint64_t lba, uint32_t nsect,
		void *buf, uint64_t pa);
int xpv_ata_flush(struct xpv_ata *ata);

#endif
