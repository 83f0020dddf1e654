/* SPDX-License-Identifier: MIT */
/*
 * The ATA tests' machine: guest memory, a memory disk, the emulated
 * controller, and port I/O that reaches the controller directly (the ioreq
 * path with its round trip taken out), so the driver runs unchanged.
 */
#ifndef XENPV_TESTS_ATA_HARNESS_H
#define XENPV_TESTS_ATA_HARNESS_H

#include "devmodel/ide.h"
#include "drivers/ata/ata.h"

#define T_MEM_BYTES (1u << 20)
#define T_DISK_SECTORS 4096u

struct t_machine {
	struct dm_ide ide;
	uint8_t *mem;
	uint8_t *disk;
	bool irq_line, irq_edge;
	unsigned int irqs;
	bool async;		/* DMA completes only when t_complete() runs */
	bool pending;
	bool pending_write;
	uint64_t pending_off;
	struct iovec pending_iov[DM_IDE_MAX_PRD];
	unsigned int pending_niov;
	struct xpv_pio_ops pio;
	uint64_t exits;
};

extern struct t_machine tm;

void t_machine_setup(bool async);
void t_machine_teardown(void);
/* Finishes a DMA held back by an async backend. */
void t_complete(void);
uint8_t t_in(uint16_t port);
void t_out(uint16_t port, uint8_t v);
void t_outl(uint16_t port, uint32_t v);
/* Writes a PRD entry at guest address @at. */
void t_prd(uint32_t at, uint32_t base, uint16_t count, bool eot);
/* Loads an LBA48 taskfile and issues @cmd. */
void t_cmd48(uint8_t cmd, uint64_t lba, uint16_t nsect);

#endif
