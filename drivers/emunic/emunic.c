// SPDX-License-Identifier: MIT
/*
 * The NE2000 driver (see emunic.h).  The card is trusted no further than
 * its registers: ring headers are range-checked before a byte is read
 * through them, every wait is bounded, and a card that stops making sense
 * is reset and set up again.
 */
#include "drivers/emunic/emunic.h"
#include "xenpv/compiler.h"

#define REG(r) (XPV_EMUNIC_BASE + (r))
#define R_CR 0x00
#define R_DATA 0x10
#define R_RESET 0x1f
/* Page 0 */
#define R_PSTART 0x01
#define R_PSTOP 0x02
#define R_BNRY 0x03
#define R_TPSR 0x04	/* write; read: TSR */
#define R_TBCR0 0x05
#define R_TBCR1 0x06
#define R_ISR 0x07
#define R_RSAR0 0x08
#define R_RSAR1 0x09
#define R_RBCR0 0x0a
#define R_RBCR1 0x0b
#define R_RCR 0x0c
#define R_TCR 0x0d
#define R_DCR 0x0e
#define R_IMR 0x0f
/* Page 1 */
#define R_PAR0 0x01
#define R_CURR 0x07
#define R_MAR0 0x08

#define CR_STP 0x01
#define CR_STA 0x02
#define CR_TXP 0x04
#define CR_RREAD 0x08
#define CR_RWRITE 0x10
#define CR_NODMA 0x20
#define CR_PAGE1 0x40
#define ISR_PRX 0x01
#define ISR_PTX 0x02
#define ISR_RXE 0x04
#define ISR_TXE 0x08
#define ISR_OVW 0x10
#define ISR_CNT 0x20
#define ISR_RDC 0x40
#define ISR_RST 0x80
#define IMR_ALL (ISR_PRX | ISR_PTX | ISR_RXE | ISR_TXE | ISR_OVW | ISR_CNT)
#define RCR_AB 0x04
#define RCR_AM 0x08
#define RCR_MON 0x20
#define TCR_LOOP 0x02
#define DCR_WORD 0x49	/* word-wide, normal operation, FIFO at 8 bytes */
#define DCR_BYTE 0x48
#define RSR_PRX 0x01

#define PAGE 256u
#define RX_PAGES (XPV_EMUNIC_RX_STOP - XPV_EMUNIC_RX_START)
#define PROM_BYTES 32u
#define RESET_TRIES 100
#define RDC_TRIES 32
#define ISR_ROUNDS 16

static void outb(struct xpv_emunic *nic, unsigned int reg, uint8_t v)
{
	xpv_outb(nic->io, REG(reg), v);
}

static uint8_t inb(struct xpv_emunic *nic, unsigned int reg)
{
	return xpv_inb(nic->io, REG(reg));
}

static void remote_setup(struct xpv_emunic *nic, uint16_t addr, uint16_t n)
{
	outb(nic, R_CR, CR_NODMA | CR_STA);
	outb(nic, R_RBCR0, n & 0xff);
	outb(nic, R_RBCR1, n >> 8);
	outb(nic, R_RSAR0, addr & 0xff);
	outb(nic, R_RSAR1, addr >> 8);
}

/*
 * Card memory at @addr into the DMA page at @off: @len bytes, rounded up
 * to whole words.  The card wraps the read round its ring by itself.
 */
static int remote_read(struct xpv_emunic *nic, uint16_t addr, unsigned int len,
		       unsigned int off)
{
	unsigned int n = (len + 1) & ~1u;
	int err;

	remote_setup(nic, addr, n);
	outb(nic, R_CR, CR_RREAD | CR_STA);
	err = nic->io->ins(nic->io->ctx, REG(R_DATA), 2, nic->dma + off,
			   nic->dma_pa + off, n / 2);
	outb(nic, R_ISR, ISR_RDC);
	return err;
}

/* The DMA page at @off to card memory at @addr; waits for RDC. */
static int remote_write(struct xpv_emunic *nic, uint16_t addr,
			unsigned int len, unsigned int off)
{
	unsigned int n = (len + 1) & ~1u, i;
	int err;

	remote_setup(nic, addr, n);
	outb(nic, R_ISR, ISR_RDC);
	outb(nic, R_CR, CR_RWRITE | CR_STA);
	err = nic->io->outs(nic->io->ctx, REG(R_DATA), 2, nic->dma + off,
			    nic->dma_pa + off, n / 2);
	if (err)
		return err;
	for (i = 0; i < RDC_TRIES; i++) {
		if (inb(nic, R_ISR) & ISR_RDC) {
			outb(nic, R_ISR, ISR_RDC);
			return 0;
		}
	}
	nic->stats.dma_timeouts++;
	return -XPV_EIO;
}

static int card_reset(struct xpv_emunic *nic)
{
	unsigned int i;

	outb(nic, R_RESET, inb(nic, R_RESET));
	for (i = 0; i < RESET_TRIES; i++) {
		if (inb(nic, R_ISR) & ISR_RST) {
			outb(nic, R_ISR, 0xff);
			return 0;
		}
	}
	return -XPV_EIO;
}

/* The station address from the PROM, where each byte sits twice. */
static int read_prom(struct xpv_emunic *nic)
{
	const uint8_t *p = nic->dma + XPV_EMUNIC_RX_OFF;
	unsigned int i;
	int err;

	outb(nic, R_CR, CR_NODMA | CR_STP);
	outb(nic, R_DCR, DCR_BYTE);
	remote_setup(nic, 0, PROM_BYTES);
	outb(nic, R_CR, CR_RREAD | CR_STA);
	err = nic->io->ins(nic->io->ctx, REG(R_DATA), 1, nic->dma +
			   XPV_EMUNIC_RX_OFF, nic->dma_pa + XPV_EMUNIC_RX_OFF,
			   PROM_BYTES);
	outb(nic, R_ISR, ISR_RDC);
	if (err)
		return err;
	/* 'W' at words 14 and 15: a 16-bit card. */
	if (p[28] != 0x57 || p[30] != 0x57)
		return -XPV_EIO;
	for (i = 0; i < 6; i++)
		nic->mac[i] = p[2 * i];
	if (nic->mac[0] & 1 || !(nic->mac[0] | nic->mac[1] | nic->mac[2] |
				 nic->mac[3] | nic->mac[4] | nic->mac[5]))
		return -XPV_EIO;
	return 0;
}

/* The DP8390 start-up sequence: stopped, ring and address, then on. */
static void hw_setup(struct xpv_emunic *nic)
{
	unsigned int i;

	outb(nic, R_CR, CR_NODMA | CR_STP);
	outb(nic, R_DCR, DCR_WORD);
	outb(nic, R_RBCR0, 0);
	outb(nic, R_RBCR1, 0);
	outb(nic, R_RCR, RCR_MON);
	outb(nic, R_TCR, TCR_LOOP);
	outb(nic, R_TPSR, XPV_EMUNIC_TX_START);
	outb(nic, R_PSTART, XPV_EMUNIC_RX_START);
	outb(nic, R_BNRY, XPV_EMUNIC_RX_STOP - 1);
	outb(nic, R_PSTOP, XPV_EMUNIC_RX_STOP);
	outb(nic, R_ISR, 0xff);
	outb(nic, R_IMR, 0);
	outb(nic, R_CR, CR_PAGE1 | CR_NODMA | CR_STP);
	for (i = 0; i < 6; i++)
		outb(nic, R_PAR0 + i, nic->mac[i]);
	for (i = 0; i < 8; i++)
		outb(nic, R_MAR0 + i, 0xff);
	outb(nic, R_CURR, XPV_EMUNIC_RX_START);
	outb(nic, R_CR, CR_NODMA | CR_STP);
	outb(nic, R_ISR, 0xff);
	outb(nic, R_IMR, IMR_ALL);
	outb(nic, R_CR, CR_NODMA | CR_STA);
	outb(nic, R_TCR, 0);
	outb(nic, R_RCR, RCR_AB | RCR_AM);
	nic->tx_len[0] = nic->tx_len[1] = 0;
	nic->tx_active = -1;
}

int xpv_emunic_init(struct xpv_emunic *nic, const struct xpv_pio_ops *io,
		    void *dma_page, uint64_t dma_pa, xpv_emunic_rx_fn rx,
		    void *arg)
{
	int err;

	xpv_memset(nic, 0, sizeof(*nic));
	if (dma_pa & 1 || !rx)
		return -XPV_EINVAL;
	nic->io = io;
	nic->dma = dma_page;
	nic->dma_pa = dma_pa;
	nic->rx = rx;
	nic->rx_arg = arg;
	err = card_reset(nic);
	if (!err)
		err = read_prom(nic);
	if (err)
		return err;
	hw_setup(nic);
	return 0;
}

/* After a confused card: reset it and start over; frames in it are lost. */
static void recover(struct xpv_emunic *nic)
{
	nic->need_reset = false;
	nic->stats.resets++;
	if (card_reset(nic) == 0)
		hw_setup(nic);
	else
		nic->need_reset = true;
}

static void trigger_send(struct xpv_emunic *nic, int slot)
{
	unsigned int len = nic->tx_len[slot];

	outb(nic, R_CR, CR_NODMA | CR_STA);
	outb(nic, R_TBCR0, len & 0xff);
	outb(nic, R_TBCR1, len >> 8);
	outb(nic, R_TPSR, XPV_EMUNIC_TX_START + slot * XPV_EMUNIC_TX_PAGES);
	outb(nic, R_CR, CR_NODMA | CR_TXP | CR_STA);
	nic->tx_active = slot;
}

bool xpv_emunic_tx_full(const struct xpv_emunic *nic)
{
	return nic->tx_len[0] && nic->tx_len[1];
}

int xpv_emunic_xmit(struct xpv_emunic *nic, const void *frame,
		    unsigned int len)
{
	unsigned int sent = len < XPV_EMUNIC_MIN_FRAME ? XPV_EMUNIC_MIN_FRAME :
							 len;
	int slot, err;

	if (len < 14 || len > XPV_EMUNIC_MAX_FRAME)
		return -XPV_EINVAL;
	if (nic->need_reset)
		recover(nic);
	slot = !nic->tx_len[0] ? 0 : !nic->tx_len[1] ? 1 : -1;
	if (slot < 0)
		return -XPV_EAGAIN;
	if ((const uint8_t *)frame != nic->dma + XPV_EMUNIC_TX_OFF)
		xpv_memcpy(nic->dma + XPV_EMUNIC_TX_OFF, frame, len);
	xpv_memset(nic->dma + XPV_EMUNIC_TX_OFF + len, 0, sent - len);
	err = remote_write(nic, (XPV_EMUNIC_TX_START +
				 slot * XPV_EMUNIC_TX_PAGES) * PAGE,
			   sent, XPV_EMUNIC_TX_OFF);
	if (err) {
		recover(nic);
		return -XPV_EIO;
	}
	nic->tx_len[slot] = sent;
	if (nic->tx_active < 0)
		trigger_send(nic, slot);
	return 0;
}

/* The buffer on the wire is done; the other one goes next if loaded. */
static void tx_done(struct xpv_emunic *nic, uint8_t isr)
{
	int slot = nic->tx_active;

	if (slot < 0) {
		nic->stats.spurious++;
		return;
	}
	inb(nic, R_TPSR);	/* TSR: collisions etc. are not tracked */
	if (isr & ISR_TXE) {
		nic->stats.tx_errors++;
	} else {
		nic->stats.tx_packets++;
		nic->stats.tx_bytes += nic->tx_len[slot];
	}
	nic->tx_len[slot] = 0;
	nic->tx_active = -1;
	if (nic->tx_len[!slot])
		trigger_send(nic, !slot);
}

static uint8_t read_curr(struct xpv_emunic *nic)
{
	uint8_t curr;

	outb(nic, R_CR, CR_PAGE1 | CR_NODMA | CR_STA);
	curr = inb(nic, R_CURR);
	outb(nic, R_CR, CR_NODMA | CR_STA);
	return curr;
}

static bool in_ring(unsigned int page)
{
	return page >= XPV_EMUNIC_RX_START && page < XPV_EMUNIC_RX_STOP;
}

/* The page where a frame of @count bytes starting at @page must end. */
static unsigned int next_page(unsigned int page, unsigned int count)
{
	unsigned int next = page + (count + PAGE - 1) / PAGE;

	return next >= XPV_EMUNIC_RX_STOP ? next - RX_PAGES : next;
}

static void set_bnry(struct xpv_emunic *nic, unsigned int next)
{
	outb(nic, R_BNRY, next == XPV_EMUNIC_RX_START ?
			  XPV_EMUNIC_RX_STOP - 1 : next - 1);
}

/*
 * One frame at ring page *@page, which moves on to the next: 1 if taken
 * (or skipped as bad), 0 if the header made no sense and the ring was given
 * up, -errno from the port.
 */
static int rx_one(struct xpv_emunic *nic, unsigned int *pagep,
		  unsigned int curr)
{
	const uint8_t *h = nic->dma + XPV_EMUNIC_RX_OFF;
	unsigned int status, next, count, len, page = *pagep;
	int err = remote_read(nic, page * PAGE, 4, XPV_EMUNIC_RX_OFF);

	if (err)
		return err;
	status = h[0];
	next = h[1];
	count = h[2] | h[3] << 8;
	len = count - 4;
	if (count < 4 + XPV_EMUNIC_MIN_FRAME || len > XPV_EMUNIC_MAX_RX ||
	    !in_ring(next) || next != next_page(page, count)) {
		/* Nothing after this header can be trusted: drop to CURR. */
		nic->stats.rx_bad_hdr++;
		set_bnry(nic, curr);
		return 0;
	}
	if (!(status & RSR_PRX)) {
		nic->stats.rx_errors++;
	} else {
		err = remote_read(nic, page * PAGE + 4, len,
				  XPV_EMUNIC_RX_OFF);
		if (err)
			return err;
		nic->stats.rx_packets++;
		nic->stats.rx_bytes += len;
		nic->rx(nic->rx_arg, nic->dma + XPV_EMUNIC_RX_OFF, len);
	}
	set_bnry(nic, next);
	*pagep = next;
	return 1;
}

/*
 * Frames from BNRY + 1 up to CURR, re-reading CURR once drained.  Register
 * page 0 is selected on entry.
 */
static unsigned int receive(struct xpv_emunic *nic)
{
	unsigned int got = 0, budget = RX_PAGES, page, curr;
	int r;

	page = inb(nic, R_BNRY) + 1;
	if (page == XPV_EMUNIC_RX_STOP)
		page = XPV_EMUNIC_RX_START;
	if (!in_ring(page)) {
		nic->need_reset = true;
		return 0;
	}
	while (budget) {
		curr = read_curr(nic);
		if (!in_ring(curr)) {
			nic->need_reset = true;
			break;
		}
		if (curr == page)
			break;
		while (budget && page != curr) {
			budget--;
			r = rx_one(nic, &page, curr);
			if (r <= 0)
				return got;
			got++;
		}
	}
	return got;
}

unsigned int xpv_emunic_interrupt(struct xpv_emunic *nic)
{
	unsigned int got = 0, round;
	uint8_t isr;

	nic->stats.irqs++;
	nic->more = false;
	if (nic->need_reset)
		recover(nic);
	outb(nic, R_CR, CR_NODMA | CR_STA);
	for (round = 0; round < ISR_ROUNDS; round++) {
		isr = inb(nic, R_ISR) & IMR_ALL;
		if (!isr) {
			nic->stats.spurious += round == 0;
			break;
		}
		/* Acked first: what arrives meanwhile raises it again. */
		outb(nic, R_ISR, isr);
		if (isr & ISR_OVW) {
			nic->need_reset = true;
			break;
		}
		if (isr & (ISR_PRX | ISR_RXE))
			got += receive(nic);
		if (isr & (ISR_PTX | ISR_TXE))
			tx_done(nic, isr);
		if (nic->need_reset)
			break;
	}
	/* Still busy after our turn: the line stays up, so call again. */
	nic->more = round == ISR_ROUNDS;
	if (nic->need_reset)
		recover(nic);
	return got;
}

void xpv_emunic_stop(struct xpv_emunic *nic)
{
	outb(nic, R_CR, CR_NODMA | CR_STP);
	outb(nic, R_IMR, 0);
	outb(nic, R_ISR, 0xff);
}
