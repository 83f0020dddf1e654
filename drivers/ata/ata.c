// SPDX-License-Identifier: MIT
/*
 * The ATA driver (see ata.h).  What the disk reports is trusted no further
 * than its status bits: sizes from IDENTIFY are bounded, and a command that
 * does not end in time is an error, not a hang.
 */
#include "drivers/ata/ata.h"
#include "xenpv/compiler.h"

#define REG(r) (XPV_ATA_CMD_BASE + (r))
#define R_DATA 0
#define R_FEAT 1
#define R_NSECT 2
#define R_LBAL 3
#define R_LBAM 4
#define R_LBAH 5
#define R_DEVICE 6
#define R_STATUS 7
#define R_ERROR 1
#define BM_CMD (XPV_ATA_BM_BASE + 0)
#define BM_STATUS (XPV_ATA_BM_BASE + 2)
#define BM_PRD (XPV_ATA_BM_BASE + 4)

#define ST_BSY 0x80
#define ST_DRDY 0x40
#define ST_DRQ 0x08
#define ST_ERR 0x01
#define DEV_LBA 0x40
#define CTL_SRST 0x04
#define BMC_START 0x01
#define BMC_READ 0x08
#define BMS_ERR 0x02
#define BMS_INTR 0x04
#define PRD_EOT 0x8000
#define ID_BUF_OFF 2048		/* IDENTIFY lands in the PRD page's top half */

/* Polls alternate status until BSY clears; for the steps with no interrupt. */
static int wait_not_busy(struct xpv_ata *ata, unsigned int tries)
{
	while (tries--) {
		uint8_t st = xpv_inb(ata->io, XPV_ATA_CTL_PORT);

		if (!(st & ST_BSY))
			return st;
	}
	return -XPV_ETIMEDOUT;
}

static void tf_load(struct xpv_ata *ata, bool lba48, uint64_t lba,
		    uint32_t nsect)
{
	const struct xpv_pio_ops *io = ata->io;

	if (lba48) {
		xpv_outb(io, REG(R_FEAT), 0);
		xpv_outb(io, REG(R_NSECT), nsect >> 8);
		xpv_outb(io, REG(R_LBAL), lba >> 24);
		xpv_outb(io, REG(R_LBAM), lba >> 32);
		xpv_outb(io, REG(R_LBAH), lba >> 40);
	}
	xpv_outb(io, REG(R_FEAT), 0);
	xpv_outb(io, REG(R_NSECT), nsect);
	xpv_outb(io, REG(R_LBAL), lba);
	xpv_outb(io, REG(R_LBAM), lba >> 8);
	xpv_outb(io, REG(R_LBAH), lba >> 16);
	xpv_outb(io, REG(R_DEVICE),
		 DEV_LBA | (lba48 ? 0 : (lba >> 24) & 0x0f));
}

/* Reads status (which acknowledges the interrupt) and judges the command. */
static int finish(struct xpv_ata *ata)
{
	uint8_t st = xpv_inb(ata->io, REG(R_STATUS));

	ata->last_status = st;
	if (st & (ST_ERR | ST_BSY)) {
		ata->last_error = xpv_inb(ata->io, REG(R_ERROR));
		ata->stats.errors++;
		return -XPV_EIO;
	}
	return 0;
}

static int wait_irq(struct xpv_ata *ata)
{
	return ata->io->wait_irq(ata->io->ctx, XPV_ATA_IRQ, XPV_ATA_TIMEOUT_NS);
}

static bool use_lba48(struct xpv_ata *ata, uint64_t lba, uint32_t nsect)
{
	return ata->lba48 && (lba + nsect > 0x0fffffff || nsect > 256);
}

static void identify_parse(struct xpv_ata *ata, const uint8_t *b)
{
	uint64_t n28 = b[120] | b[121] << 8 | (uint32_t)b[122] << 16 |
		       (uint32_t)b[123] << 24;
	unsigned int i;

	ata->lba48 = b[167] & 0x04;	/* word 83 bit 10 */
	ata->nsectors = n28;
	if (ata->lba48) {
		uint64_t n48 = 0;

		for (i = 0; i < 6; i++)
			n48 |= (uint64_t)b[200 + i] << (8 * i);
		ata->nsectors = n48;
	}
	for (i = 0; i < 40; i++)
		ata->model[i] = b[54 + (i ^ 1)];
	ata->model[40] = 0;
	for (i = 40; i > 0 && ata->model[i - 1] == ' '; i--)
		ata->model[i - 1] = 0;
}

static int identify(struct xpv_ata *ata)
{
	uint8_t *buf = ata->prd + ID_BUF_OFF;
	uint8_t st;
	int err;

	xpv_outb(ata->io, REG(R_DEVICE), 0);
	xpv_outb(ata->io, REG(R_STATUS), 0xec);
	err = wait_irq(ata);
	if (err)
		return err;
	st = xpv_inb(ata->io, REG(R_STATUS));
	ata->last_status = st;
	if ((st & (ST_ERR | ST_BSY)) || !(st & ST_DRQ))
		return -XPV_EIO;
	err = ata->io->ins(ata->io->ctx, REG(R_DATA), 2, buf,
			   ata->prd_pa + ID_BUF_OFF, 256);
	if (err)
		return err;
	identify_parse(ata, buf);
	return ata->nsectors ? 0 : -XPV_EIO;
}

int xpv_ata_init(struct xpv_ata *ata, const struct xpv_pio_ops *io,
		 void *prd_page, uint64_t prd_pa)
{
	int st;

	xpv_memset(ata, 0, sizeof(*ata));
	if (prd_pa >> 32 || prd_pa & 3)
		return -XPV_EINVAL;
	ata->io = io;
	ata->prd = prd_page;
	ata->prd_pa = prd_pa;
	/* Soft reset: SRST up, then down with interrupts enabled. */
	xpv_outb(io, XPV_ATA_CTL_PORT, CTL_SRST);
	xpv_outb(io, XPV_ATA_CTL_PORT, 0);
	st = wait_not_busy(ata, 1000);
	if (st < 0)
		return st;
	/* Leave no stale interrupt from before us. */
	xpv_outb(io, BM_STATUS, BMS_ERR | BMS_INTR);
	return identify(ata);
}

/* Fills the PRD table; a region may not cross a 64 KiB boundary. */
static int prd_build(struct xpv_ata *ata, const struct xpv_ata_sg *sg,
		     unsigned int nsg, uint64_t want)
{
	unsigned int n = 0, i;
	uint8_t *e = ata->prd;

	for (i = 0; i < nsg && want; i++) {
		uint64_t pa = sg[i].pa, left = sg[i].len;

		if ((pa | left) & 1 || pa + left > (1ull << 32))
			return -XPV_EINVAL;
		while (left && want) {
			uint64_t chunk = 0x10000 - (pa & 0xffff);

			if (chunk > left)
				chunk = left;
			if (chunk > want)
				chunk = want;
			if (n == XPV_ATA_MAX_PRD)
				return -XPV_EINVAL;
			e = ata->prd + 8 * n++;
			e[0] = pa; e[1] = pa >> 8; e[2] = pa >> 16; e[3] = pa >> 24;
			e[4] = chunk; e[5] = chunk >> 8;	/* 64K is 0 */
			e[6] = 0; e[7] = 0;
			pa += chunk;
			left -= chunk;
			want -= chunk;
		}
	}
	if (want || !n)
		return -XPV_EINVAL;
	e[7] = PRD_EOT >> 8;
	return 0;
}

/* The interrupt half: as ata_bmdma_interrupt, stop, status, acknowledge. */
static int dma_complete(struct xpv_ata *ata)
{
	const struct xpv_pio_ops *io = ata->io;
	uint8_t bms = 0;
	int err;

	do {
		err = wait_irq(ata);
		if (err)
			break;
		bms = xpv_inb(io, BM_STATUS);
	} while (!(bms & BMS_INTR));
	xpv_outb(io, BM_CMD, xpv_inb(io, BM_CMD) & ~BMC_START);
	xpv_inb(io, XPV_ATA_CTL_PORT);	/* the DMA pause: one status read */
	if (!err)
		err = finish(ata);
	xpv_outb(io, BM_STATUS, xpv_inb(io, BM_STATUS));
	if (!err && (bms & BMS_ERR)) {
		ata->stats.errors++;
		err = -XPV_EIO;
	}
	return err;
}

int xpv_ata_dma(struct xpv_ata *ata, bool write, uint64_t lba, uint32_t nsect,
		const struct xpv_ata_sg *sg, unsigned int nsg)
{
	const struct xpv_pio_ops *io = ata->io;
	bool lba48 = use_lba48(ata, lba, nsect);
	uint8_t cmd;
	int err;

	if (!nsect || nsect > (lba48 ? 65536u : 256u) ||
	    lba + nsect > ata->nsectors || lba + nsect < lba)
		return -XPV_EINVAL;
	err = prd_build(ata, sg, nsg, (uint64_t)nsect * XPV_ATA_SECTOR);
	if (err)
		return err;
	ata->stats.cmds++;
	/* ata_bmdma_setup */
	xpv_outl(io, BM_PRD, (uint32_t)ata->prd_pa);
	cmd = xpv_inb(io, BM_CMD) & ~(BMC_READ | BMC_START);
	xpv_outb(io, BM_CMD, cmd | (write ? 0 : BMC_READ));
	tf_load(ata, lba48, lba, nsect);
	xpv_outb(io, REG(R_STATUS),
		 lba48 ? (write ? 0x35 : 0x25) : (write ? 0xca : 0xc8));
	/* ata_bmdma_start */
	xpv_outb(io, BM_CMD, xpv_inb(io, BM_CMD) | BMC_START);
	err = dma_complete(ata);
	if (!err)
		ata->stats.bytes += (uint64_t)nsect * XPV_ATA_SECTOR;
	return err;
}

/* Waits for DRQ, by interrupt (reads, later write blocks) or by polling. */
static int pio_wait_drq(struct xpv_ata *ata, bool irq)
{
	int st;

	if (irq) {
		int err = wait_irq(ata);

		if (err)
			return err;
		st = xpv_inb(ata->io, REG(R_STATUS));
	} else {
		st = wait_not_busy(ata, 100000);
		if (st < 0)
			return st;
	}
	if ((st & (ST_ERR | ST_BSY)) || !(st & ST_DRQ)) {
		ata->stats.errors++;
		return -XPV_EIO;
	}
	return 0;
}

int xpv_ata_pio(struct xpv_ata *ata, bool write, uint64_t lba, uint32_t nsect,
		void *buf, uint64_t pa)
{
	const struct xpv_pio_ops *io = ata->io;
	bool lba48 = use_lba48(ata, lba, nsect);
	uint8_t *p = buf;
	uint32_t i;
	int err;

	if (!nsect || nsect > (lba48 ? 65536u : 256u) ||
	    lba + nsect > ata->nsectors)
		return -XPV_EINVAL;
	ata->stats.cmds++;
	tf_load(ata, lba48, lba, nsect);
	xpv_outb(io, REG(R_STATUS),
		 lba48 ? (write ? 0x34 : 0x24) : (write ? 0x30 : 0x20));
	for (i = 0; i < nsect; i++) {
		err = pio_wait_drq(ata, !write || i > 0);
		if (err)
			return err;
		if (write)
			err = io->outs(io->ctx, REG(R_DATA), 2, p, pa, 256);
		else
			err = io->ins(io->ctx, REG(R_DATA), 2, p, pa, 256);
		if (err)
			return err;
		p += XPV_ATA_SECTOR;
		pa += XPV_ATA_SECTOR;
	}
	if (write) {
		err = wait_irq(ata);
		if (err)
			return err;
	}
	err = finish(ata);
	if (!err)
		ata->stats.bytes += (uint64_t)nsect * XPV_ATA_SECTOR;
	return err;
}

int xpv_ata_flush(struct xpv_ata *ata)
{
	int err;

	ata->stats.cmds++;
	xpv_outb(ata->io, REG(R_DEVICE), DEV_LBA);
	xpv_outb(ata->io, REG(R_STATUS), ata->lba48 ? 0xea : 0xe7);
	err = wait_irq(ata);
	return err ? err : finish(ata);
}
