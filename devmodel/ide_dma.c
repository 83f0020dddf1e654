// SPDX-License-Identifier: MIT
/*
 * The bus-master half of the emulated IDE controller: its three registers,
 * the PRD table walk over guest memory and the end of a DMA command.
 */
#include <errno.h>
#include <string.h>

#include "devmodel/ide.h"
#include "devmodel/ide_priv.h"

static uint32_t le32_at(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static bool mem_range_ok(uint64_t mem_bytes, uint64_t addr, uint64_t len)
{
	return addr <= mem_bytes && len <= mem_bytes - addr;
}

int dm_ide_prd_walk(const uint8_t *mem, uint64_t mem_bytes, uint32_t prd,
		    uint64_t want, struct iovec *iov, unsigned int max,
		    unsigned int *niov, bool *exact)
{
	/* The table may not cross a 64 KiB boundary: that bounds the walk. */
	unsigned int left = (0x10000 - (prd & 0xffff)) / 8, n = 0;

	*niov = 0;
	*exact = false;
	for (; left > 0; left--, prd += 8) {
		const uint8_t *e = mem + prd;
		uint32_t base, len, full;
		bool eot;

		if (!mem_range_ok(mem_bytes, prd, 8))
			return -EFAULT;
		base = le32_at(e);
		len = e[4] | (uint32_t)e[5] << 8;
		eot = (e[6] | e[7] << 8) & PRD_EOT;
		if (len == 0)
			len = 0x10000;	/* a count of 0 means 64 KiB */
		full = len;
		if ((base | len) & 1)
			return -EINVAL;
		if (!mem_range_ok(mem_bytes, base, len))
			return -EFAULT;
		if (want == 0 || n == max)
			return want ? -ELOOP : 0;
		if (len > want)
			len = want;
		iov[n].iov_base = (void *)(mem + base);
		iov[n++].iov_len = len;
		*niov = n;
		want -= len;
		if (eot) {
			*exact = want == 0 && full == len;
			return want ? -ENOSPC : 0;
		}
	}
	return want ? -ELOOP : 0;
}

/* Ends the DMA command: status, bus-master status, interrupt. */
void ide_dma_finish(struct dm_ide *ide, int err, bool exact)
{
	ide->dma_busy = false;
	ide->dma_pending = false;
	ide->bm_status |= BM_ST_INTR;
	if (err || exact)
		ide->bm_status &= ~BM_ST_ACTIVE;
	if (err) {
		ide->bm_status |= BM_ST_ERR;
		ide_fail(ide, ATA_ER_ABRT);
		return;
	}
	ide->stats.bytes += (uint64_t)ide->dma_nsect * DM_IDE_SECTOR;
	ide->status = ATA_SR_DRDY | ATA_SR_DSC;
	ide_raise(ide);
}

static int dma_sync(struct dm_ide *ide, uint64_t off)
{
	unsigned int i;
	int err;

	for (i = 0; i < ide->niov; i++) {
		err = ide->be.rw(ide->be.arg, ide->dma_write, off,
				 ide->iov[i].iov_base, ide->iov[i].iov_len);
		if (err)
			return err;
		off += ide->iov[i].iov_len;
	}
	return 0;
}

/* Both the command and the start bit are there: run the transfer. */
static void dma_start(struct dm_ide *ide)
{
	uint64_t bytes = (uint64_t)ide->dma_nsect * DM_IDE_SECTOR;
	uint64_t off = ide->dma_lba * DM_IDE_SECTOR;
	bool exact;
	int err;

	ide->dma_pending = false;
	if (!!(ide->bm_cmd & BM_CMD_READ) == ide->dma_write) {
		ide->stats.prd_errors++;
		ide_dma_finish(ide, -EINVAL, false);
		return;
	}
	err = dm_ide_prd_walk(ide->mem, ide->mem_bytes, ide->bm_prd, bytes,
			      ide->iov, DM_IDE_MAX_PRD, &ide->niov, &exact);
	if (err) {
		ide->stats.prd_errors++;
		ide_dma_finish(ide, err, false);
		return;
	}
	ide->dma_busy = true;
	ide->prd_exact = exact;
	if (ide->be.submit) {
		err = ide->be.submit(ide->be.arg, ide->dma_write, off, ide->iov,
				     ide->niov);
		if (err)
			ide_dma_finish(ide, err, false);
		return;
	}
	ide_dma_finish(ide, dma_sync(ide, off), exact);
}

void dm_ide_dma_done(struct dm_ide *ide, long res)
{
	uint64_t want = (uint64_t)ide->dma_nsect * DM_IDE_SECTOR;

	if (!ide->dma_busy)
		return;
	ide_dma_finish(ide, res < 0 ? (int)res : (uint64_t)res != want ? -EIO : 0,
		       ide->prd_exact);
}

/* A DMA command arrived: run it now if the engine is already started. */
void ide_dma_command(struct dm_ide *ide, bool write, uint64_t lba,
		     uint32_t nsect)
{
	ide->dma_write = write;
	ide->dma_lba = lba;
	ide->dma_nsect = nsect;
	ide->dma_pending = true;
	ide->status = ATA_SR_BSY | ATA_SR_DRDY;
	ide->stats.dma_cmds++;
	if (ide->bm_cmd & BM_CMD_START)
		dma_start(ide);
}

static void bm_write_cmd(struct dm_ide *ide, uint8_t v)
{
	uint8_t old = ide->bm_cmd;

	ide->bm_cmd = v & (BM_CMD_START | BM_CMD_READ);
	if (!(v & BM_CMD_START)) {
		/* Stopping the engine: a transfer under way still lands. */
		if (!ide->dma_busy)
			ide->bm_status &= ~BM_ST_ACTIVE;
		return;
	}
	if (old & BM_CMD_START)
		return;
	ide->bm_status |= BM_ST_ACTIVE;
	if (ide->dma_pending)
		dma_start(ide);
}

int ide_bm_access(struct dm_ide *ide, bool write, unsigned int reg,
		  unsigned int size, uint64_t *val)
{
	unsigned int i;

	for (i = 0; i < size && reg + i < 8; i++) {
		unsigned int r = reg + i;
		uint8_t b = *val >> (8 * i);

		if (!write) {
			if (r == BM_REG_CMD)
				b = ide->bm_cmd;
			else if (r == BM_REG_STATUS)
				b = ide->bm_status;
			else if (r >= BM_REG_PRD)
				b = ide->bm_prd >> (8 * (r - BM_REG_PRD));
			else
				b = 0;
			*val = (*val & ~(0xffull << (8 * i))) |
			       (uint64_t)b << (8 * i);
		} else if (r == BM_REG_CMD) {
			bm_write_cmd(ide, b);
		} else if (r == BM_REG_STATUS) {
			ide->bm_status = (ide->bm_status & ~(BM_ST_DRV0_DMA |
							    BM_ST_DRV1_DMA)) |
					 (b & (BM_ST_DRV0_DMA | BM_ST_DRV1_DMA));
			ide->bm_status &= ~(b & (BM_ST_ERR | BM_ST_INTR));
		} else if (r >= BM_REG_PRD) {
			unsigned int sh = 8 * (r - BM_REG_PRD);

			ide->bm_prd = (ide->bm_prd & ~(0xffu << sh)) |
				      (uint32_t)b << sh;
			ide->bm_prd &= ~3u;	/* dword aligned */
		}
	}
	return 0;
}
