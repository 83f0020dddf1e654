/* SPDX-License-Identifier: MIT */
/*
 * A guest driver for an NE2000 (DP8390 core, 16-bit mode), programmed the
 * way Linux's ne.c/8390.c do it: frames move between guest memory and the
 * card's packet memory by remote DMA through the data port (rep outsw /
 * insw), two transmit buffers take turns, received frames are read from
 * the card's ring of 256-byte pages, and the interrupt status register is
 * read and acknowledged on every interrupt.  Portable: ports through
 * struct xpv_pio_ops.  Nothing the card reports (ring headers, pointers,
 * lengths) is used before it is checked.
 */
#ifndef XENPV_DRIVERS_EMUNIC_H
#define XENPV_DRIVERS_EMUNIC_H

#include "xenpv/pio.h"

#define XPV_EMUNIC_BASE 0x300
#define XPV_EMUNIC_IRQ 9
#define XPV_EMUNIC_MIN_FRAME 60		/* padded to this on transmit */
#define XPV_EMUNIC_MAX_FRAME 1514	/* without FCS */
#define XPV_EMUNIC_MAX_RX 1518		/* received: may carry the FCS */
#define XPV_EMUNIC_TX_SLOTS 2
/* Card memory in 256-byte pages: two transmit buffers, then the ring. */
#define XPV_EMUNIC_TX_START 0x40
#define XPV_EMUNIC_TX_PAGES 6
#define XPV_EMUNIC_RX_START (XPV_EMUNIC_TX_START + 2 * XPV_EMUNIC_TX_PAGES)
#define XPV_EMUNIC_RX_STOP 0xc0
/* Where frames sit in the driver's DMA page. */
#define XPV_EMUNIC_TX_OFF 0
#define XPV_EMUNIC_RX_OFF 2048

/* A received frame, valid during the call only. */
typedef void (*xpv_emunic_rx_fn)(void *arg, const void *frame,
				 unsigned int len);

struct xpv_emunic_stats {
	unsigned long long tx_packets, tx_bytes;
	unsigned long long tx_errors;	/* the card aborted a transmit */
	unsigned long long rx_packets, rx_bytes;
	unsigned long long rx_errors;	/* frames the card flagged bad */
	unsigned long long rx_bad_hdr;	/* ring headers making no sense */
	unsigned long long irqs, spurious, resets, dma_timeouts;
};

struct xpv_emunic {
	const struct xpv_pio_ops *io;
	uint8_t *dma;			/* one page of guest memory */
	uint64_t dma_pa;
	uint8_t mac[6];
	uint16_t tx_len[XPV_EMUNIC_TX_SLOTS];	/* 0: slot free */
	int tx_active;			/* slot on the wire, or -1 */
	bool need_reset;
	bool more;		/* the handler left work: call it again */
	xpv_emunic_rx_fn rx;
	void *rx_arg;
	struct xpv_emunic_stats stats;
};

/*
 * Resets the card, reads the station address from its PROM, sets up the
 * ring and starts it.  @dma_page is one page of guest memory at
 * guest-physical @dma_pa (even).  Received frames go to @rx.  0 or -errno.
 */
int xpv_emunic_init(struct xpv_emunic *nic, const struct xpv_pio_ops *io,
		    void *dma_page, uint64_t dma_pa, xpv_emunic_rx_fn rx,
		    void *arg);
/*
 * Loads one frame (14..1514 bytes, copied) into a free transmit buffer and
 * sends it, or queues it behind the one on the wire.  0, -XPV_EAGAIN (both
 * buffers busy: call again after an interrupt), -XPV_EINVAL, -XPV_EIO.
 */
int xpv_emunic_xmit(struct xpv_emunic *nic, const void *frame,
		    unsigned int len);
bool xpv_emunic_tx_full(const struct xpv_emunic *nic);
/*
 * The interrupt handler: reads and acknowledges ISR until nothing the
 * driver enabled is left, receiving frames and completing transmits.
 * Resets the card if it found it confused.  Returns frames received;
 * sets nic->more when it stopped with work left (the interrupt line is
 * still up, so no new interrupt will come for it).
 */
unsigned int xpv_emunic_interrupt(struct xpv_emunic *nic);
/* Stops the card (receiver off, interrupts masked). */
void xpv_emunic_stop(struct xpv_emunic *nic);

#endif
