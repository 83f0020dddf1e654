// SPDX-License-Identifier: MIT
/* The emulated NE2000 (see ne2k.h). */
#include <errno.h>
#include <string.h>

#include "devmodel/ne2k.h"

#define PAGE 256u
#define RAM_FIRST_PAGE (DM_NE2K_RAM_START / PAGE)
#define RAM_END_PAGE (DM_NE2K_MEM_SIZE / PAGE)

static void update_irq(struct dm_ne2k *n)
{
	bool level = (n->isr & n->imr & 0x7f) != 0;

	if (level != n->irq) {
		n->irq = level;
		if (n->be.set_irq)
			n->be.set_irq(n->be.arg, level);
	}
}

static void ne2k_reset(struct dm_ne2k *n)
{
	n->cr = NE_CR_STP | NE_CR_RD_ABORT;
	n->isr = NE_ISR_RST;
	n->imr = 0;
	n->rbcr = n->rsar = 0;
	update_irq(n);
}

void dm_ne2k_init(struct dm_ne2k *n, const struct dm_ne2k_backend *be,
		  const uint8_t mac[6])
{
	unsigned int i;

	memset(n, 0, sizeof(*n));
	n->be = *be;
	/* The PROM: each address byte twice (word-wide card), 'WW' at 14. */
	for (i = 0; i < 6; i++)
		n->mem[2 * i] = n->mem[2 * i + 1] = mac[i];
	n->mem[28] = n->mem[29] = n->mem[30] = n->mem[31] = 0x57;
	memcpy(n->par, mac, 6);
	ne2k_reset(n);
}

/* The ring bounds the guest set, checked before any frame goes in. */
static bool ring_ok(const struct dm_ne2k *n)
{
	return n->pstart >= RAM_FIRST_PAGE && n->pstop <= RAM_END_PAGE &&
	       n->pstart < n->pstop && n->curr >= n->pstart &&
	       n->curr < n->pstop && n->bnry >= n->pstart &&
	       n->bnry < n->pstop;
}

static unsigned int ring_free_pages(const struct dm_ne2k *n)
{
	unsigned int size = n->pstop - n->pstart;

	if (n->curr < n->bnry)
		return n->bnry - n->curr;
	return size - (n->curr - n->bnry);
}

bool dm_ne2k_can_receive(const struct dm_ne2k *n)
{
	if ((n->cr & NE_CR_STP) || !ring_ok(n))
		return false;
	/* Keep one page between CURR and BNRY, as the hardware does. */
	return ring_free_pages(n) > (DM_NE2K_MAX_FRAME + 4 + PAGE - 1) / PAGE;
}

static bool accept(const struct dm_ne2k *n, const uint8_t *dst)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (n->rcr & NE_RCR_PRO)
		return true;
	if (!memcmp(dst, bcast, 6))
		return n->rcr & NE_RCR_AB;
	if (dst[0] & 1)
		return n->rcr & NE_RCR_AM;
	return !memcmp(dst, n->par, 6);
}

/* Copies into the ring from address @addr on, wrapping at PSTOP. */
static void ring_copy(struct dm_ne2k *n, unsigned int addr, const uint8_t *p,
		      size_t len)
{
	unsigned int stop = n->pstop * PAGE, start = n->pstart * PAGE;

	while (len) {
		size_t chunk = stop - addr < len ? stop - addr : len;

		memcpy(n->mem + addr, p, chunk);
		p += chunk;
		len -= chunk;
		addr += chunk;
		if (addr >= stop)
			addr = start;
	}
}

int dm_ne2k_receive(struct dm_ne2k *n, const void *frame, size_t len)
{
	uint8_t pad[60] = { 0 }, hdr[4];
	unsigned int total, pages, next;

	if (len < 6 || len > DM_NE2K_MAX_FRAME || !accept(n, frame)) {
		n->stats.drops++;
		return -EINVAL;
	}
	if (!dm_ne2k_can_receive(n)) {
		n->stats.drops++;
		n->stats.bad_ring += !ring_ok(n);
		return -ENOSPC;
	}
	if (len < 60) {	/* runts are padded to the minimum frame */
		memcpy(pad, frame, len);
		frame = pad;
		len = 60;
	}
	total = len + 4;
	pages = (total + PAGE - 1) / PAGE;
	next = n->curr + pages;
	if (next >= n->pstop)
		next -= n->pstop - n->pstart;
	hdr[0] = 0x01;	/* RSR: received intact */
	hdr[1] = next;
	hdr[2] = total & 0xff;
	hdr[3] = total >> 8;
	ring_copy(n, n->curr * PAGE, hdr, 4);
	ring_copy(n, n->curr * PAGE + 4, frame, len);
	n->curr = next;
	n->rsr = 0x01;
	n->stats.rx++;
	n->isr |= NE_ISR_PRX;
	update_irq(n);
	return 0;
}

static void transmit(struct dm_ne2k *n)
{
	unsigned int addr = n->tpsr * PAGE, len = n->tbcr;

	n->cr &= ~NE_CR_TXP;
	if (addr < DM_NE2K_RAM_START || len > DM_NE2K_MAX_FRAME || len < 14 ||
	    addr + len > DM_NE2K_MEM_SIZE ||
	    n->be.tx(n->be.arg, n->mem + addr, len)) {
		n->stats.tx_errors++;
		n->tsr = 0x08;		/* aborted */
		n->isr |= NE_ISR_TXE;
	} else {
		n->stats.tx++;
		n->tsr = 0x01;		/* transmitted */
		n->isr |= NE_ISR_PTX;
	}
	update_irq(n);
}

static void write_cr(struct dm_ne2k *n, uint8_t v)
{
	n->cr = (v & ~NE_CR_TXP) | (n->cr & NE_CR_TXP);
	if (v & NE_CR_STP) {
		n->cr = (v & ~(NE_CR_STA | NE_CR_TXP)) | NE_CR_STP;
		return;
	}
	n->cr &= ~NE_CR_STP;
	n->isr &= ~NE_ISR_RST;	/* leaving reset, as the chip does */
	/* A remote DMA of zero bytes completes at once. */
	if ((v & (NE_CR_RD_READ | NE_CR_RD_WRITE)) && n->rbcr == 0) {
		n->isr |= NE_ISR_RDC;
		update_irq(n);
	}
	if (v & NE_CR_TXP)
		transmit(n);
}

static void write_p0(struct dm_ne2k *n, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case NE_P0_PSTART: n->pstart = v; break;
	case NE_P0_PSTOP: n->pstop = v; break;
	case NE_P0_BNRY: n->bnry = v; break;
	case NE_P0_TPSR: n->tpsr = v; break;
	case NE_P0_TBCR0: n->tbcr = (n->tbcr & 0xff00) | v; break;
	case NE_P0_TBCR1: n->tbcr = (n->tbcr & 0x00ff) | v << 8; break;
	case NE_P0_ISR: n->isr &= ~(v & 0x7f); break;
	case NE_P0_RSAR0: n->rsar = (n->rsar & 0xff00) | v; break;
	case NE_P0_RSAR1: n->rsar = (n->rsar & 0x00ff) | v << 8; break;
	case NE_P0_RBCR0: n->rbcr = (n->rbcr & 0xff00) | v; break;
	case NE_P0_RBCR1: n->rbcr = (n->rbcr & 0x00ff) | v << 8; break;
	case NE_P0_RCR: n->rcr = v; break;
	case NE_P0_TCR: n->tcr = v; break;
	case NE_P0_DCR: n->dcr = v; break;
	case NE_P0_IMR: n->imr = v; break;
	}
	update_irq(n);
}

static uint8_t read_p0(struct dm_ne2k *n, unsigned int reg)
{
	switch (reg) {
	case NE_P0_BNRY: return n->bnry;
	case NE_P0_TPSR: return n->tsr;
	case NE_P0_ISR: return n->isr;
	case NE_P0_RSAR0: return n->rsar & 0xff;	/* CRDA */
	case NE_P0_RSAR1: return n->rsar >> 8;
	case NE_P0_RCR: return n->rsr;
	default: return 0;
	}
}

static void access_p1(struct dm_ne2k *n, bool write, unsigned int reg,
		      uint8_t *v)
{
	uint8_t *r = reg < NE_P1_CURR ? &n->par[reg - NE_P1_PAR0] :
		     reg == NE_P1_CURR ? &n->curr : &n->mar[reg - NE_P1_MAR0];

	if (write)
		*r = *v;
	else
		*v = *r;
}

static uint8_t read_p2(struct dm_ne2k *n, unsigned int reg)
{
	switch (reg) {
	case NE_P0_PSTART: return n->pstart;
	case NE_P0_PSTOP: return n->pstop;
	case NE_P0_TPSR: return n->tpsr;
	case NE_P0_RCR: return n->rcr;
	case NE_P0_TCR: return n->tcr;
	case NE_P0_DCR: return n->dcr;
	case NE_P0_IMR: return n->imr;
	default: return 0;
	}
}

/* One byte of remote DMA; reads wrap round the ring as the chip's do. */
static void remote_byte(struct dm_ne2k *n, bool write, uint8_t *b)
{
	bool ram = n->rsar >= DM_NE2K_RAM_START && n->rsar < DM_NE2K_MEM_SIZE;

	/* The PROM is read-only; the gap between it and RAM floats. */
	if (write && ram)
		n->mem[n->rsar] = *b;
	else if (!write && (ram || n->rsar < 32))
		*b = n->mem[n->rsar];
	else if (!write)
		*b = 0xff;
	n->rsar++;
	if (!write && n->pstop > n->pstart && n->rsar == n->pstop * PAGE &&
	    n->pstop <= RAM_END_PAGE)
		n->rsar = n->pstart * PAGE;
	if (n->rbcr && --n->rbcr == 0) {
		n->isr |= NE_ISR_RDC;
		update_irq(n);
	}
}

static void data_port(struct dm_ne2k *n, bool write, unsigned int size,
		      uint64_t *val)
{
	unsigned int i, bytes = (n->dcr & NE_DCR_WTS) ? 2 : 1;
	bool active = n->cr & (write ? NE_CR_RD_WRITE : NE_CR_RD_READ);

	if (!write)
		*val = 0;
	if (size < bytes)
		bytes = size;
	for (i = 0; i < bytes; i++) {
		uint8_t b = *val >> (8 * i);

		/* Outside a remote DMA of this direction nothing moves. */
		if (!active || n->rbcr == 0) {
			if (!write)
				*val |= 0xffull << (8 * i);
			continue;
		}
		remote_byte(n, write, &b);
		if (!write)
			*val |= (uint64_t)b << (8 * i);
	}
}

int dm_ne2k_pio(struct dm_ne2k *n, bool write, uint16_t port,
		unsigned int size, uint64_t *val)
{
	unsigned int reg = port - DM_NE2K_BASE, page = n->cr >> 6;
	uint8_t b = *val;

	if (port < DM_NE2K_BASE || reg > NE_RESET)
		return -ENOENT;
	if (reg >= NE_DATA && reg < NE_RESET) {
		data_port(n, write, size, val);
		return 0;
	}
	if (reg == NE_RESET) {
		if (!write) {
			ne2k_reset(n);
			*val = 0;
		}
		return 0;
	}
	if (reg == NE_CR) {
		if (write)
			write_cr(n, b);
		else
			*val = n->cr;
		return 0;
	}
	if (page == 1) {
		access_p1(n, write, reg, &b);
		if (!write)
			*val = b;
	} else if (write) {
		if (page == 0)
			write_p0(n, reg, b);
	} else {
		*val = page == 0 ? read_p0(n, reg) :
		       page == 2 ? read_p2(n, reg) : 0;
	}
	return 0;
}
