/* SPDX-License-Identifier: MIT */
/*
 * An emulated NE2000 (DP8390 core, 32 KiB of packet memory at 16 KiB, the
 * station address PROM at 0): command register with three register pages,
 * remote DMA through the data port, a transmit buffer and a receive ring
 * of 256-byte pages, interrupts from ISR & IMR.  Every register value,
 * ring bound and count the guest writes is checked before it is used.
 */
#ifndef XENPV_DEVMODEL_NE2K_H
#define XENPV_DEVMODEL_NE2K_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DM_NE2K_BASE 0x300
#define DM_NE2K_IRQ 9
#define DM_NE2K_MEM_SIZE 0xc000		/* PROM, gap, 32 KiB RAM */
#define DM_NE2K_RAM_START 0x4000
#define DM_NE2K_MAX_FRAME 1514		/* no FCS on the TAP */

/* Register offsets and bits (DP8390 names). */
#define NE_CR 0x00
#define NE_DATA 0x10
#define NE_RESET 0x1f
#define NE_CR_STP 0x01
#define NE_CR_STA 0x02
#define NE_CR_TXP 0x04
#define NE_CR_RD_READ 0x08
#define NE_CR_RD_WRITE 0x10
#define NE_CR_RD_ABORT 0x20
#define NE_CR_PS_MASK 0xc0
#define NE_ISR_PRX 0x01
#define NE_ISR_PTX 0x02
#define NE_ISR_RXE 0x04
#define NE_ISR_TXE 0x08
#define NE_ISR_OVW 0x10
#define NE_ISR_RDC 0x40
#define NE_ISR_RST 0x80
#define NE_RCR_AB 0x04
#define NE_RCR_AM 0x08
#define NE_RCR_PRO 0x10
#define NE_DCR_WTS 0x01
/* Page 0 */
#define NE_P0_PSTART 0x01
#define NE_P0_PSTOP 0x02
#define NE_P0_BNRY 0x03
#define NE_P0_TPSR 0x04	/* write; read: TSR */
#define NE_P0_TBCR0 0x05
#define NE_P0_TBCR1 0x06
#define NE_P0_ISR 0x07
#define NE_P0_RSAR0 0x08
#define NE_P0_RSAR1 0x09
#define NE_P0_RBCR0 0x0a
#define NE_P0_RBCR1 0x0b
#define NE_P0_RCR 0x0c
#define NE_P0_TCR 0x0d
#define NE_P0_DCR 0x0e
#define NE_P0_IMR 0x0f
/* Page 1 */
#define NE_P1_PAR0 0x01
#define NE_P1_CURR 0x07
#define NE_P1_MAR0 0x08

struct dm_ne2k_backend {
	/* Sends one frame to the wire: 0 or -errno. */
	int (*tx)(void *arg, const void *frame, size_t len);
	void (*set_irq)(void *arg, bool level);
	void *arg;
};

struct dm_ne2k_stats {
	uint64_t tx, rx, drops, tx_errors, bad_ring;
};

struct dm_ne2k {
	struct dm_ne2k_backend be;
	uint8_t cr, isr, imr, dcr, rcr, tcr, tsr, rsr;
	uint8_t pstart, pstop, bnry, curr, tpsr;
	uint16_t tbcr, rsar, rbcr;
	uint8_t par[6], mar[8];
	bool irq;
	struct dm_ne2k_stats stats;
	uint8_t mem[DM_NE2K_MEM_SIZE];
};

void dm_ne2k_init(struct dm_ne2k *n, const struct dm_ne2k_backend *be,
		  const uint8_t mac[6]);
/* One port access: 0, or -ENOENT for a port that is not the card's. */
int dm_ne2k_pio(struct dm_ne2k *n, bool write, uint16_t port,
		unsigned int size, uint64_t *val);
/* Room in the receive ring for a frame of the largest size. */
bool dm_ne2k_can_receive(const struct dm_ne2k *n);
/* A frame from the wire: 0, or -ENOSPC / -EINVAL (dropped, counted). */
int dm_ne2k_receive(struct dm_ne2k *n, const void *frame, size_t len);

#endif
