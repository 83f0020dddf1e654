// SPDX-License-Identifier: MIT
/*
 * The emulated ATA disk: taskfile registers, command decoding and PIO data
 * transfer.  One disk, the master of the primary channel; a selected slave
 * is absent and reads as 0.  The bus-master engine is in ide_dma.c.
 */
#include <errno.h>
#include <string.h>

#include "devmodel/ide.h"
#include "devmodel/ide_priv.h"

static void set_irq(struct dm_ide *ide, bool level)
{
	ide->intrq = level;
	if (ide->be.set_irq)
		ide->be.set_irq(ide->be.arg, level && !(ide->devctl &
							ATA_CTL_NIEN));
}

void ide_raise(struct dm_ide *ide)
{
	ide->bm_status |= BM_ST_INTR;
	set_irq(ide, true);
}

void ide_fail(struct dm_ide *ide, uint8_t error)
{
	ide->stats.errors++;
	ide->pio_active = false;
	ide->error = error;
	ide->status = ATA_SR_DRDY | ATA_SR_ERR;
	ide_raise(ide);
}

static void ide_reset(struct dm_ide *ide)
{
	memset(ide->feat, 0, sizeof(ide->feat));
	memset(ide->lbah, 0, sizeof(ide->lbah));
	memset(ide->lbam, 0, sizeof(ide->lbam));
	/* The ATA signature: nsect 1, lbal 1, lbam/lbah 0 for a disk. */
	ide->nsect[0] = ide->lbal[0] = 1;
	ide->nsect[1] = ide->lbal[1] = 0;
	ide->device = 0;
	ide->error = 1;		/* diagnostics passed */
	ide->status = ATA_SR_DRDY | ATA_SR_DSC;
	ide->pio_active = false;
	ide->dma_pending = false;
	set_irq(ide, false);
}

void dm_ide_init(struct dm_ide *ide, const struct dm_ide_backend *be,
		 uint8_t *mem, uint64_t mem_bytes, uint64_t nsectors)
{
	memset(ide, 0, sizeof(*ide));
	ide->be = *be;
	ide->mem = mem;
	ide->mem_bytes = mem_bytes;
	ide->nsectors = nsectors;
	ide->bm_status = BM_ST_DRV0_DMA;
	ide_reset(ide);
}

/* The command's LBA and sector count; false if the range is not on disk. */
static bool tf_range(struct dm_ide *ide, bool lba48, uint64_t *lba,
		     uint32_t *n)
{
	if (lba48) {
		*lba = (uint64_t)ide->lbah[1] << 40 | (uint64_t)ide->lbam[1] << 32 |
		       (uint64_t)ide->lbal[1] << 24 | ide->lbah[0] << 16 |
		       ide->lbam[0] << 8 | ide->lbal[0];
		*n = ide->nsect[1] << 8 | ide->nsect[0];
		if (!*n)
			*n = 65536;
	} else {
		*lba = (uint64_t)(ide->device & 0x0f) << 24 |
		       ide->lbah[0] << 16 | ide->lbam[0] << 8 | ide->lbal[0];
		*n = ide->nsect[0] ? ide->nsect[0] : 256;
	}
	return *lba <= ide->nsectors && *n <= ide->nsectors - *lba;
}

static void pio_load(struct dm_ide *ide)
{
	ide->buf_pos = 0;
	if (ide->be.rw(ide->be.arg, false, ide->pio_lba * DM_IDE_SECTOR,
		       ide->buf, DM_IDE_SECTOR)) {
		ide_fail(ide, ATA_ER_ABRT);
		return;
	}
	ide->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
	ide_raise(ide);
}

static void pio_command(struct dm_ide *ide, bool write, uint64_t lba,
			uint32_t n)
{
	ide->stats.pio_cmds++;
	ide->pio_active = true;
	ide->pio_write = write;
	ide->pio_lba = lba;
	ide->pio_left = n;
	ide->buf_pos = 0;
	if (write)	/* the first block is asked for without an interrupt */
		ide->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
	else
		pio_load(ide);
}

static void identify_command(struct dm_ide *ide)
{
	uint16_t w[256];
	unsigned int i;

	ide_identify(ide, w);
	for (i = 0; i < 256; i++) {
		ide->buf[2 * i] = w[i] & 0xff;
		ide->buf[2 * i + 1] = w[i] >> 8;
	}
	ide->pio_active = true;
	ide->pio_write = false;
	ide->pio_left = 1;
	ide->pio_lba = 0;
	ide->buf_pos = 0;
	ide->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
	ide_raise(ide);
}

static void rw_command(struct dm_ide *ide, uint8_t cmd)
{
	bool lba48 = cmd == ATA_CMD_READ_PIO_EXT || cmd == ATA_CMD_WRITE_PIO_EXT ||
		     cmd == ATA_CMD_READ_DMA_EXT || cmd == ATA_CMD_WRITE_DMA_EXT;
	bool write = cmd == ATA_CMD_WRITE_PIO || cmd == ATA_CMD_WRITE_PIO_EXT ||
		     cmd == ATA_CMD_WRITE_DMA || cmd == ATA_CMD_WRITE_DMA_EXT;
	bool dma = cmd == ATA_CMD_READ_DMA || cmd == ATA_CMD_WRITE_DMA ||
		   cmd == ATA_CMD_READ_DMA_EXT || cmd == ATA_CMD_WRITE_DMA_EXT;
	uint64_t lba;
	uint32_t n;

	if (!(ide->device & ATA_DEV_LBA)) {	/* no CHS addressing here */
		ide_fail(ide, ATA_ER_ABRT);
		return;
	}
	if (!tf_range(ide, lba48, &lba, &n)) {
		ide_fail(ide, ATA_ER_IDNF | ATA_ER_ABRT);
		return;
	}
	if (dma)
		ide_dma_command(ide, write, lba, n);
	else
		pio_command(ide, write, lba, n);
}

static void exec_command(struct dm_ide *ide, uint8_t cmd)
{
	/* Only the selected, present device takes a command, and not while busy. */
	if ((ide->device & ATA_DEV_SLAVE) || (ide->status & ATA_SR_BSY) ||
	    ide->dma_busy)
		return;
	ide->stats.cmds++;
	ide->error = 0;
	ide->pio_active = false;
	ide->dma_pending = false;
	set_irq(ide, false);
	switch (cmd) {
	case ATA_CMD_IDENTIFY:
		identify_command(ide);
		break;
	case ATA_CMD_FLUSH:
	case ATA_CMD_FLUSH_EXT:
		if (ide->be.flush && ide->be.flush(ide->be.arg)) {
			ide_fail(ide, ATA_ER_ABRT);
			break;
		}
		ide->status = ATA_SR_DRDY | ATA_SR_DSC;
		ide_raise(ide);
		break;
	case ATA_CMD_SET_FEATURES:
		ide->status = ATA_SR_DRDY | ATA_SR_DSC;
		ide_raise(ide);
		break;
	case ATA_CMD_READ_PIO: case ATA_CMD_READ_PIO_EXT:
	case ATA_CMD_WRITE_PIO: case ATA_CMD_WRITE_PIO_EXT:
	case ATA_CMD_READ_DMA: case ATA_CMD_READ_DMA_EXT:
	case ATA_CMD_WRITE_DMA: case ATA_CMD_WRITE_DMA_EXT:
		rw_command(ide, cmd);
		break;
	default:
		ide_fail(ide, ATA_ER_ABRT);
	}
}

/* One sector's worth moved through the data port: on to the next. */
static void pio_sector_done(struct dm_ide *ide)
{
	if (ide->pio_write &&
	    ide->be.rw(ide->be.arg, true, ide->pio_lba * DM_IDE_SECTOR,
		       ide->buf, DM_IDE_SECTOR)) {
		ide_fail(ide, ATA_ER_ABRT);
		return;
	}
	ide->stats.bytes += DM_IDE_SECTOR;
	ide->pio_lba++;
	if (--ide->pio_left == 0) {
		ide->pio_active = false;
		ide->status = ATA_SR_DRDY | ATA_SR_DSC;
		if (ide->pio_write)
			ide_raise(ide);
		return;
	}
	ide->buf_pos = 0;
	if (ide->pio_write) {
		ide->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
		ide_raise(ide);
	} else {
		pio_load(ide);
	}
}

static void data_access(struct dm_ide *ide, bool write, unsigned int size,
			uint64_t *val)
{
	unsigned int i;

	if (!write)
		*val = ~0ull;
	/* Outside a data phase the port floats; writes go nowhere. */
	if (!ide->pio_active || ide->pio_write != write || size > 4)
		return;
	if (!write)
		*val = 0;
	for (i = 0; i < size && ide->pio_active; i++) {
		if (write)
			ide->buf[ide->buf_pos++] = *val >> (8 * i);
		else
			*val |= (uint64_t)ide->buf[ide->buf_pos++] << (8 * i);
		if (ide->buf_pos == DM_IDE_SECTOR)
			pio_sector_done(ide);
	}
}

/* Reading a taskfile register: the HOB bit selects the older byte. */
static uint8_t tf_read(struct dm_ide *ide, unsigned int reg)
{
	unsigned int h = !!(ide->devctl & ATA_CTL_HOB);

	if ((ide->device & ATA_DEV_SLAVE) && reg != ATA_REG_DEVICE)
		return 0;
	switch (reg) {
	case ATA_REG_ERR_FEAT: return ide->error;
	case ATA_REG_NSECT: return ide->nsect[h];
	case ATA_REG_LBAL: return ide->lbal[h];
	case ATA_REG_LBAM: return ide->lbam[h];
	case ATA_REG_LBAH: return ide->lbah[h];
	case ATA_REG_DEVICE: return ide->device | 0xa0;
	default:
		set_irq(ide, false);	/* reading status acknowledges */
		return ide->status;
	}
}

static void fifo_push(uint8_t *r, uint8_t v)
{
	r[1] = r[0];
	r[0] = v;
}

static void tf_write(struct dm_ide *ide, unsigned int reg, uint8_t v)
{
	ide->devctl &= ~ATA_CTL_HOB;	/* any taskfile write clears HOB */
	switch (reg) {
	case ATA_REG_ERR_FEAT: fifo_push(ide->feat, v); break;
	case ATA_REG_NSECT: fifo_push(ide->nsect, v); break;
	case ATA_REG_LBAL: fifo_push(ide->lbal, v); break;
	case ATA_REG_LBAM: fifo_push(ide->lbam, v); break;
	case ATA_REG_LBAH: fifo_push(ide->lbah, v); break;
	case ATA_REG_DEVICE: ide->device = v & 0x5f; break;
	default: exec_command(ide, v);
	}
}

static void ctl_write(struct dm_ide *ide, uint8_t v)
{
	bool was_reset = ide->devctl & ATA_CTL_SRST;

	ide->devctl = v & (ATA_CTL_NIEN | ATA_CTL_SRST | ATA_CTL_HOB);
	/* The reset happens on the falling edge of SRST. */
	if (was_reset && !(v & ATA_CTL_SRST))
		ide_reset(ide);
	else if (v & ATA_CTL_SRST)
		ide->status = ATA_SR_BSY;
	set_irq(ide, ide->intrq);
}

int dm_ide_pio(struct dm_ide *ide, bool write, uint16_t port,
	       unsigned int size, uint64_t *val)
{
	if (port == DM_IDE_CMD_BASE + ATA_REG_DATA) {
		data_access(ide, write, size, val);
	} else if (port > DM_IDE_CMD_BASE &&
		   port <= DM_IDE_CMD_BASE + ATA_REG_STATUS_CMD) {
		if (write)
			tf_write(ide, port - DM_IDE_CMD_BASE, *val & 0xff);
		else
			*val = tf_read(ide, port - DM_IDE_CMD_BASE);
	} else if (port == DM_IDE_CTL_PORT) {
		if (write)
			ctl_write(ide, *val & 0xff);
		else	/* alternate status: no acknowledge */
			*val = (ide->device & ATA_DEV_SLAVE) ? 0 : ide->status;
	} else if (port >= DM_IDE_BM_BASE && port < DM_IDE_BM_BASE + 8) {
		if (!write)
			*val = 0;
		ide_bm_access(ide, write, port - DM_IDE_BM_BASE, size, val);
	} else {
		return -ENOENT;
	}
	return 0;
}
