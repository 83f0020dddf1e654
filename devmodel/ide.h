/* SPDX-License-Identifier: MIT */
/*
 * An emulated ATA disk on the primary channel of a PCI IDE controller:
 * the taskfile registers (LBA28 and the LBA48 two-deep FIFO), status and
 * alternate status, device control, PIO data in and out, READ/WRITE DMA
 * (EXT) through a bus-master engine walking a PRD table in guest memory.
 *
 * The guest programs every register; every value it writes, and every PRD
 * entry it leaves in its memory, is hostile: a bad one ends the command
 * with ERR/ABRT (and the bus-master error bit), never more.
 *
 * Fixed ISA-style layout (the loopback has no PCI config space):
 */
#ifndef XENPV_DEVMODEL_IDE_H
#define XENPV_DEVMODEL_IDE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#define DM_IDE_CMD_BASE 0x1f0	/* data, error/features ... status/command */
#define DM_IDE_CTL_PORT 0x3f6	/* alternate status / device control */
#define DM_IDE_BM_BASE 0xc000	/* bus master: command, status, PRD address */
#define DM_IDE_IRQ 14
#define DM_IDE_SECTOR 512u
/* PRD entries one command may use; the table may not cross 64 KiB anyway. */
#define DM_IDE_MAX_PRD 256u

/* Taskfile offsets from DM_IDE_CMD_BASE. */
enum {
	ATA_REG_DATA, ATA_REG_ERR_FEAT, ATA_REG_NSECT, ATA_REG_LBAL,
	ATA_REG_LBAM, ATA_REG_LBAH, ATA_REG_DEVICE, ATA_REG_STATUS_CMD,
};

#define ATA_SR_BSY 0x80
#define ATA_SR_DRDY 0x40
#define ATA_SR_DF 0x20
#define ATA_SR_DSC 0x10
#define ATA_SR_DRQ 0x08
#define ATA_SR_ERR 0x01
#define ATA_ER_ABRT 0x04
#define ATA_ER_IDNF 0x10
#define ATA_DEV_LBA 0x40
#define ATA_DEV_SLAVE 0x10
#define ATA_CTL_NIEN 0x02
#define ATA_CTL_SRST 0x04
#define ATA_CTL_HOB 0x80

#define ATA_CMD_READ_PIO 0x20
#define ATA_CMD_READ_PIO_EXT 0x24
#define ATA_CMD_READ_DMA_EXT 0x25
#define ATA_CMD_WRITE_PIO 0x30
#define ATA_CMD_WRITE_PIO_EXT 0x34
#define ATA_CMD_WRITE_DMA_EXT 0x35
#define ATA_CMD_READ_DMA 0xc8
#define ATA_CMD_WRITE_DMA 0xca
#define ATA_CMD_FLUSH 0xe7
#define ATA_CMD_FLUSH_EXT 0xea
#define ATA_CMD_IDENTIFY 0xec
#define ATA_CMD_SET_FEATURES 0xef

/* Bus-master registers, offsets from DM_IDE_BM_BASE. */
#define BM_REG_CMD 0
#define BM_REG_STATUS 2
#define BM_REG_PRD 4
#define BM_CMD_START 0x01
#define BM_CMD_READ 0x08	/* the device writes memory (a disk read) */
#define BM_ST_ACTIVE 0x01
#define BM_ST_ERR 0x02
#define BM_ST_INTR 0x04
#define BM_ST_DRV0_DMA 0x20
#define BM_ST_DRV1_DMA 0x40
#define PRD_EOT 0x8000

struct dm_ide_backend {
	/* Synchronous read or write of @len bytes at @off: 0 or -errno. */
	int (*rw)(void *arg, bool write, uint64_t off, void *buf, size_t len);
	/*
	 * Starts a vectored transfer; the backend calls dm_ide_dma_done when
	 * it ends.  NULL: DMA runs through @rw at once.
	 */
	int (*submit)(void *arg, bool write, uint64_t off,
		      const struct iovec *iov, unsigned int niov);
	int (*flush)(void *arg);
	void (*set_irq)(void *arg, bool level);
	void *arg;
};

struct dm_ide_stats {
	uint64_t cmds, dma_cmds, pio_cmds, errors, prd_errors, bytes;
};

struct dm_ide {
	struct dm_ide_backend be;
	uint8_t *mem;			/* guest memory, for DMA */
	uint64_t mem_bytes;
	uint64_t nsectors;
	/* [0] the last value written, [1] the one before (LBA48 HOB). */
	uint8_t feat[2], nsect[2], lbal[2], lbam[2], lbah[2];
	uint8_t device, status, error, devctl;
	bool intrq;
	/* PIO: one sector buffered at a time. */
	uint8_t buf[DM_IDE_SECTOR];
	unsigned int buf_pos;
	bool pio_active, pio_write;
	uint64_t pio_lba;
	uint32_t pio_left;		/* sectors, this one included */
	/* DMA. */
	uint8_t bm_cmd, bm_status;
	uint32_t bm_prd;
	bool dma_pending, dma_write, dma_busy, prd_exact;
	uint64_t dma_lba;
	uint32_t dma_nsect;
	struct iovec iov[DM_IDE_MAX_PRD];
	unsigned int niov;
	struct dm_ide_stats stats;
};

void dm_ide_init(struct dm_ide *ide, const struct dm_ide_backend *be,
		 uint8_t *mem, uint64_t mem_bytes, uint64_t nsectors);
/*
 * One port access of @size bytes: a write takes *val, a read stores it.
 * 0, or -ENOENT for a port that is not the controller's.
 */
int dm_ide_pio(struct dm_ide *ide, bool write, uint16_t port,
	       unsigned int size, uint64_t *val);
/* The backend's end of a transfer from submit: @res bytes or -errno. */
void dm_ide_dma_done(struct dm_ide *ide, long res);

/*
 * Walks the PRD table at guest address @prd for a transfer of @want bytes
 * and fills @iov (at most @max entries) with guest memory.  *exact is set
 * when the table ends (EOT) just where the transfer does.  0, -EFAULT
 * (outside guest memory), -EINVAL (odd address or length), -ENOSPC (EOT
 * before @want bytes), -ELOOP (no EOT within the table's 64 KiB or @max).
 */
int dm_ide_prd_walk(const uint8_t *mem, uint64_t mem_bytes, uint32_t prd,
		    uint64_t want, struct iovec *iov, unsigned int max,
		    unsigned int *niov, bool *exact);

#endif
