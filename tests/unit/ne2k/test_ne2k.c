// SPDX-License-Identifier: MIT
/*
 * The emulated NE2000 at register level: reset and PROM, the three register
 * pages, remote DMA and its bounds, transmit and its error status, the
 * receive ring (wrap, full, filter) and a guest that programs nonsense.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/ne2k/harness.h"

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* A started card with a ring at [0x4c, 0xc0), BNRY one behind CURR. */
static void ring_up(uint8_t pstart, uint8_t pstop)
{
	t_nic_setup();
	t_out(NE_CR, NE_CR_RD_ABORT | NE_CR_STP);
	t_out(NE_P0_PSTART, pstart);
	t_out(NE_P0_PSTOP, pstop);
	t_out(NE_P0_BNRY, pstop - 1);
	t_out(NE_CR, 0x40 | NE_CR_RD_ABORT | NE_CR_STP);
	t_out(NE_P1_CURR, pstart);
	t_out(NE_CR, NE_CR_RD_ABORT | NE_CR_STA);
	t_out(NE_P0_ISR, 0xff);
	t_out(NE_P0_IMR, 0x3f);
	t_out(NE_P0_RCR, NE_RCR_AB);
}

static uint8_t read_curr(void)
{
	uint8_t c;

	t_out(NE_CR, 0x40 | NE_CR_RD_ABORT | NE_CR_STA);
	c = t_in(NE_P1_CURR);
	t_out(NE_CR, NE_CR_RD_ABORT | NE_CR_STA);
	return c;
}

static void test_reset_prom(void)
{
	uint8_t prom[32], w[4] = { 1, 2, 3, 4 };
	unsigned int i;

	t_nic_setup();
	t_in(NE_RESET);
	CU_ASSERT_EQUAL(t_in(NE_CR), NE_CR_STP | NE_CR_RD_ABORT);
	CU_ASSERT(t_in(NE_P0_ISR) & NE_ISR_RST);
	t_remote_read(0, prom, 32);
	for (i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(prom[2 * i], t_mac[i]);
		CU_ASSERT_EQUAL(prom[2 * i + 1], t_mac[i]);
	}
	CU_ASSERT_EQUAL(prom[28], 0x57);
	CU_ASSERT_EQUAL(prom[30], 0x57);
	/* Starting the card ends the reset state; ISR RST goes away. */
	CU_ASSERT_FALSE(t_in(NE_P0_ISR) & NE_ISR_RST);
	/* The PROM cannot be written, the gap reads as nothing. */
	t_remote_write(0, w, 4);
	t_remote_read(0, prom, 4);
	CU_ASSERT_EQUAL(prom[0], t_mac[0]);
	CU_ASSERT_EQUAL(prom[3], t_mac[1]);
	t_remote_write(0x100, w, 4);
	t_remote_read(0x100, prom, 4);
	CU_ASSERT_EQUAL(prom[0], 0xff);
	CU_ASSERT_EQUAL(prom[3], 0xff);
	t_nic_teardown();
}

static void test_pages(void)
{
	unsigned int i;
	uint64_t v = 0;

	t_nic_setup();
	t_out(NE_CR, NE_CR_RD_ABORT | NE_CR_STP);
	t_out(NE_P0_PSTART, 0x46);
	t_out(NE_P0_PSTOP, 0x80);
	t_out(NE_P0_TPSR, 0x40);
	t_out(NE_P0_RCR, 0x0c);
	t_out(NE_P0_TCR, 0x02);
	t_out(NE_P0_DCR, 0x49);
	t_out(NE_P0_IMR, 0x11);
	t_out(NE_P0_BNRY, 0x7f);
	CU_ASSERT_EQUAL(t_in(NE_P0_BNRY), 0x7f);
	t_out(NE_CR, 0x40 | NE_CR_RD_ABORT | NE_CR_STP);
	for (i = 0; i < 6; i++)
		t_out(NE_P1_PAR0 + i, 0x10 + i);
	for (i = 0; i < 8; i++)
		t_out(NE_P1_MAR0 + i, 0xa0 + i);
	t_out(NE_P1_CURR, 0x47);
	for (i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(t_in(NE_P1_PAR0 + i), 0x10 + i);
	for (i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(t_in(NE_P1_MAR0 + i), 0xa0 + i);
	CU_ASSERT_EQUAL(t_in(NE_P1_CURR), 0x47);
	CU_ASSERT_EQUAL(t_in(NE_CR) & 0xc0, 0x40);
	t_out(NE_CR, 0x80 | NE_CR_RD_ABORT | NE_CR_STP);
	CU_ASSERT_EQUAL(t_in(NE_P0_PSTART), 0x46);
	CU_ASSERT_EQUAL(t_in(NE_P0_PSTOP), 0x80);
	CU_ASSERT_EQUAL(t_in(NE_P0_TPSR), 0x40);
	CU_ASSERT_EQUAL(t_in(NE_P0_RCR), 0x0c);
	CU_ASSERT_EQUAL(t_in(NE_P0_TCR), 0x02);
	CU_ASSERT_EQUAL(t_in(NE_P0_DCR), 0x49);
	CU_ASSERT_EQUAL(t_in(NE_P0_IMR), 0x11);
	/* Page 2 is read-only: a write there changes nothing. */
	t_out(NE_P0_PSTART, 0x99);
	CU_ASSERT_EQUAL(t_in(NE_P0_PSTART), 0x46);
	/* Ports past the card's are not its. */
	CU_ASSERT_EQUAL(dm_ne2k_pio(&tn.card, false, DM_NE2K_BASE + 0x20, 1,
				    &v), -2);
	CU_ASSERT_EQUAL(dm_ne2k_pio(&tn.card, false, DM_NE2K_BASE - 1, 1, &v),
			-2);
	t_nic_teardown();
}

static void test_isr_irq(void)
{
	uint8_t f[64];

	ring_up(0x4c, 0xc0);
	CU_ASSERT_FALSE(tn.irq_line);
	t_frame(f, t_mac, 64, 1);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 64), 0);
	CU_ASSERT_TRUE(tn.irq_line);
	CU_ASSERT_EQUAL(tn.irqs, 1);
	CU_ASSERT(t_in(NE_P0_ISR) & NE_ISR_PRX);
	/* Writing a 0 bit clears nothing; writing the 1 clears it. */
	t_out(NE_P0_ISR, NE_ISR_PTX);
	CU_ASSERT_TRUE(tn.irq_line);
	t_out(NE_P0_ISR, NE_ISR_PRX);
	CU_ASSERT_FALSE(tn.irq_line);
	CU_ASSERT_FALSE(t_in(NE_P0_ISR) & NE_ISR_PRX);
	/* Masked: the status is there, the line stays low until unmasked. */
	t_out(NE_P0_IMR, 0);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 64), 0);
	CU_ASSERT_FALSE(tn.irq_line);
	t_out(NE_P0_IMR, NE_ISR_PRX);
	CU_ASSERT_TRUE(tn.irq_line);
	CU_ASSERT_EQUAL(tn.irqs, 2);
	t_nic_teardown();
}

static void test_remote_dma(void)
{
	uint8_t w[300], r[300];
	unsigned int i;
	uint64_t v;

	ring_up(0x4c, 0xc0);
	for (i = 0; i < sizeof(w); i++)
		w[i] = i * 3 + 1;
	t_out(NE_P0_ISR, 0xff);
	t_remote_write(0x4000, w, sizeof(w));
	CU_ASSERT(t_in(NE_P0_ISR) & NE_ISR_RDC);
	t_remote_read(0x4000, r, sizeof(r));
	CU_ASSERT_EQUAL(memcmp(w, r, sizeof(w)), 0);
	/* Word mode: two bytes an access, low byte first. */
	t_out(NE_P0_DCR, NE_DCR_WTS);
	t_out(NE_P0_RBCR0, 4);
	t_out(NE_P0_RBCR1, 0);
	t_out(NE_P0_RSAR0, 0);
	t_out(NE_P0_RSAR1, 0x40);
	t_out(NE_CR, NE_CR_RD_READ | NE_CR_STA);
	v = tn.pio.in(NULL, DM_NE2K_BASE + NE_DATA, 2);
	CU_ASSERT_EQUAL(v, (uint64_t)w[0] | w[1] << 8);
	/* The count runs out: nothing more moves, the bus floats. */
	tn.pio.in(NULL, DM_NE2K_BASE + NE_DATA, 2);
	v = tn.pio.in(NULL, DM_NE2K_BASE + NE_DATA, 2);
	CU_ASSERT_EQUAL(v, 0xffff);
	/* Zero bytes complete at once. */
	t_out(NE_P0_ISR, 0xff);
	t_out(NE_P0_RBCR0, 0);
	t_out(NE_CR, NE_CR_RD_WRITE | NE_CR_STA);
	CU_ASSERT(t_in(NE_P0_ISR) & NE_ISR_RDC);
	/* Outside a remote DMA the data port moves nothing. */
	t_out(NE_CR, NE_CR_RD_ABORT | NE_CR_STA);
	t_out(NE_P0_RBCR0, 8);
	t_out(NE_DATA, 0x55);
	CU_ASSERT_EQUAL(t_in(NE_DATA), 0xff);
	CU_ASSERT_EQUAL(tn.card.mem[0x4000], w[0]);
	t_nic_teardown();
}

/* Remote DMA aimed past the packet memory, and round the 64 KiB space. */
static void test_remote_dma_bounds(void)
{
	uint8_t w[16], r[16];
	unsigned int i;

	ring_up(0x4c, 0xc0);
	memset(w, 0xa5, sizeof(w));
	t_remote_write(DM_NE2K_MEM_SIZE - 2, w, sizeof(w));
	CU_ASSERT_EQUAL(tn.card.mem[DM_NE2K_MEM_SIZE - 1], 0xa5);
	t_remote_read(DM_NE2K_MEM_SIZE, r, sizeof(r));
	for (i = 0; i < sizeof(r); i++)
		CU_ASSERT_EQUAL(r[i], 0xff);
	/* RSAR wraps at 64 KiB, to the PROM. */
	t_remote_write(0xfff8, w, 16);
	CU_ASSERT_EQUAL(tn.card.mem[0], t_mac[0]);
	t_remote_read(0xfffe, r, 4);
	CU_ASSERT_EQUAL(r[0], 0xff);
	CU_ASSERT_EQUAL(r[2], t_mac[0]);
	/* A huge count just runs round; RDC when it ends. */
	t_out(NE_P0_ISR, 0xff);
	t_out(NE_P0_RBCR0, 0xff);
	t_out(NE_P0_RBCR1, 0xff);
	t_out(NE_CR, NE_CR_RD_READ | NE_CR_STA);
	CU_ASSERT_EQUAL(tn.pio.ins(NULL, DM_NE2K_BASE + NE_DATA, 1, NULL, 0,
				   1000), 0);
	CU_ASSERT_FALSE(t_in(NE_P0_ISR) & NE_ISR_RDC);
	t_nic_teardown();
}

static void load_tx(uint8_t page, const uint8_t *f, unsigned int len)
{
	t_remote_write(page * 256, f, len);
	t_out(NE_P0_TPSR, page);
	t_out(NE_P0_TBCR0, len & 0xff);
	t_out(NE_P0_TBCR1, len >> 8);
}

static void test_transmit(void)
{
	uint8_t f[1600];

	ring_up(0x4c, 0xc0);
	t_frame(f, bcast, 1514, 5);
	load_tx(0x40, f, 1514);
	t_out(NE_P0_ISR, 0xff);
	t_out(NE_CR, NE_CR_RD_ABORT | NE_CR_TXP | NE_CR_STA);
	CU_ASSERT_EQUAL(tn.nsent, 1);
	CU_ASSERT_EQUAL(tn.sent_len[0], 1514);
	CU_ASSERT_EQUAL(memcmp(tn.sent[0], f, 1514), 0);
	CU_ASSERT_EQUAL(t_in(NE_P0_TPSR), 0x01);	/* TSR */
	CU_ASSERT(t_in(NE_P0_ISR) & NE_ISR_PTX);
	CU_ASSERT_FALSE(t_in(NE_CR) & NE_CR_TXP);
	CU_ASSERT_TRUE(tn.irq_line);
	t_out(NE_P0_ISR, 0xff);
	CU_ASSERT_EQUAL(tn.card.stats.tx, 1);
	t_nic_teardown();
}

static void tx_refused(uint8_t tpsr, unsigned int len, int fail)
{
	tn.tx_fail = fail;
	t_out(NE_P0_ISR, 0xff);
	t_out(NE_P0_TPSR, tpsr);
	t_out(NE_P0_TBCR0, len & 0xff);
	t_out(NE_P0_TBCR1, len >> 8);
	t_out(NE_CR, NE_CR_RD_ABORT | NE_CR_TXP | NE_CR_STA);
	CU_ASSERT_EQUAL(t_in(NE_P0_TPSR) & 0x08, 0x08); /* TSR: aborted */
	CU_ASSERT_EQUAL(t_in(NE_P0_ISR) & (NE_ISR_TXE | NE_ISR_PTX),
			NE_ISR_TXE);
	CU_ASSERT_EQUAL(tn.nsent, 0);
	tn.tx_fail = 0;
}

static void test_transmit_errors(void)
{
	ring_up(0x4c, 0xc0);
	tx_refused(0x40, 1515, 0);		/* oversized */
	tx_refused(0x40, 0xffff, 0);
	tx_refused(0x40, 13, 0);		/* shorter than a header */
	tx_refused(0x00, 64, 0);		/* from the PROM */
	tx_refused(0x20, 64, 0);		/* from the gap */
	tx_refused(0xbf, 512, 0);		/* past the end of memory */
	tx_refused(0xff, 64, 0);
	tx_refused(0x40, 64, -5);		/* the wire refused it */
	CU_ASSERT_EQUAL(tn.card.stats.tx_errors, 8);
	/* Stopped: no transmit at all. */
	t_out(NE_CR, NE_CR_RD_ABORT | NE_CR_TXP | NE_CR_STP);
	CU_ASSERT_EQUAL(tn.card.stats.tx_errors + tn.card.stats.tx, 8);
	t_nic_teardown();
}

static unsigned int hdr_at(uint8_t page, uint8_t *next)
{
	const uint8_t *h = tn.card.mem + page * 256;

	*next = h[1];
	return h[2] | h[3] << 8;
}

static void test_ring_wrap(void)
{
	uint8_t f[1514], got[1514], next;
	unsigned int i;

	ring_up(0x4c, 0xc0);
	/* Start near the end: the frame spans PSTOP and continues at PSTART. */
	t_out(NE_P0_BNRY, 0xbc);
	t_out(NE_CR, 0x40 | NE_CR_RD_ABORT | NE_CR_STA);
	t_out(NE_P1_CURR, 0xbd);
	t_out(NE_CR, NE_CR_RD_ABORT | NE_CR_STA);
	t_frame(f, t_mac, 1000, 7);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 1000), 0);
	CU_ASSERT_EQUAL(hdr_at(0xbd, &next), 1004);
	CU_ASSERT_EQUAL(next, 0x4c + 1);	/* 4 pages: bd be bf 4c */
	CU_ASSERT_EQUAL(read_curr(), 0x4d);
	CU_ASSERT_EQUAL(tn.card.mem[0xbd * 256], 0x01);
	/* The remote read wraps round the ring by itself. */
	t_remote_read(0xbd * 256 + 4, got, 1000);
	CU_ASSERT_EQUAL(memcmp(got, f, 1000), 0);
	/* A runt is padded to 60 bytes. */
	t_frame(f, t_mac, 20, 8);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 20), 0);
	CU_ASSERT_EQUAL(hdr_at(0x4d, &next), 64);
	CU_ASSERT_EQUAL(next, 0x4e);
	t_remote_read(0x4d * 256 + 4, got, 60);
	CU_ASSERT_EQUAL(memcmp(got, f, 20), 0);
	for (i = 20; i < 60; i++)
		CU_ASSERT_EQUAL(got[i], 0);
	t_nic_teardown();
}

static void test_ring_full(void)
{
	uint8_t f[1514];
	unsigned int n = 0;

	ring_up(0x4c, 0x60);	/* 20 pages: three full frames */
	t_frame(f, t_mac, 1514, 3);
	while (dm_ne2k_can_receive(&tn.card) && n < 100)
		CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 1514), 0 * n++);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 1514), -28);
	CU_ASSERT_EQUAL(tn.card.stats.drops, 1);
	CU_ASSERT_EQUAL(tn.card.stats.bad_ring, 0);
	/* The guest takes the first frame: room again. */
	t_out(NE_P0_BNRY, 0x4c + 6 - 1);
	CU_ASSERT_TRUE(dm_ne2k_can_receive(&tn.card));
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 1514), 0);
	t_nic_teardown();
}

static void test_filter(void)
{
	static const uint8_t other[6] = { 0x52, 0x54, 0, 0, 0, 1 };
	static const uint8_t mcast[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	uint8_t f[100];

	ring_up(0x4c, 0xc0);
	t_out(NE_P0_RCR, 0);
	t_frame(f, bcast, 100, 1);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 100), -22);
	t_frame(f, other, 100, 1);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 100), -22);
	t_frame(f, mcast, 100, 1);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 100), -22);
	t_frame(f, t_mac, 100, 1);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 100), 0);
	t_out(NE_P0_RCR, NE_RCR_AB | NE_RCR_AM);
	t_frame(f, bcast, 100, 1);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 100), 0);
	t_frame(f, mcast, 100, 1);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 100), 0);
	t_out(NE_P0_RCR, NE_RCR_PRO);
	t_frame(f, other, 100, 1);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 100), 0);
	/* Oversized and truncated frames from the wire are dropped. */
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 1515), -22);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 5), -22);
	CU_ASSERT_EQUAL(tn.card.stats.rx, 4);
	t_nic_teardown();
}

/* A bad ring: nothing lands anywhere, the card keeps answering. */
static void bad_ring(uint8_t pstart, uint8_t pstop, uint8_t curr, uint8_t bnry)
{
	uint8_t f[200];
	uint8_t *copy = malloc(DM_NE2K_MEM_SIZE);

	ring_up(0x4c, 0xc0);
	t_out(NE_CR, NE_CR_RD_ABORT | NE_CR_STP);
	t_out(NE_P0_PSTART, pstart);
	t_out(NE_P0_PSTOP, pstop);
	t_out(NE_P0_BNRY, bnry);
	t_out(NE_CR, 0x40 | NE_CR_RD_ABORT | NE_CR_STP);
	t_out(NE_P1_CURR, curr);
	t_out(NE_CR, NE_CR_RD_ABORT | NE_CR_STA);
	memcpy(copy, tn.card.mem, DM_NE2K_MEM_SIZE);
	t_frame(f, t_mac, 200, 2);
	CU_ASSERT_FALSE(dm_ne2k_can_receive(&tn.card));
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 200), -28);
	CU_ASSERT_EQUAL(tn.card.stats.bad_ring, 1);
	CU_ASSERT_EQUAL(memcmp(copy, tn.card.mem, DM_NE2K_MEM_SIZE), 0);
	CU_ASSERT_EQUAL(t_in(NE_P0_BNRY), bnry);
	free(copy);
	t_nic_teardown();
}

static void test_bad_ring(void)
{
	bad_ring(0x60, 0x60, 0x60, 0x60);	/* empty */
	bad_ring(0x80, 0x60, 0x70, 0x70);	/* start after stop */
	bad_ring(0x00, 0x60, 0x10, 0x10);	/* over the PROM */
	bad_ring(0x3f, 0x60, 0x40, 0x41);	/* one page under RAM */
	bad_ring(0x4c, 0xc1, 0x50, 0x51);	/* one page past memory */
	bad_ring(0x4c, 0xff, 0x50, 0x51);
	bad_ring(0x4c, 0xc0, 0xc0, 0x51);	/* CURR at PSTOP */
	bad_ring(0x4c, 0xc0, 0x4b, 0x51);	/* CURR under PSTART */
	bad_ring(0x4c, 0xc0, 0x50, 0xc5);	/* BNRY outside */
}

static uint32_t rnd_state;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/*
 * Whatever the guest writes, in whatever order and size, with frames
 * arriving in between: no access outside the card (ASan), frames sent
 * are within bounds, and the ring the card wrote is consistent.
 */
static void test_hostile_sequences(void)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	uint8_t f[1514];
	unsigned int i;
	uint64_t v;

	rnd_state = 12345;
	t_nic_setup();
	for (i = 0; i < 300000; i++) {
		uint32_t r = rnd();
		uint16_t port = DM_NE2K_BASE + (r & 0x1f);

		v = rnd() | (uint64_t)rnd() << 32;
		if ((r >> 5) % 5 == 0 && port != DM_NE2K_BASE + NE_RESET)
			port = DM_NE2K_BASE + NE_DATA;
		dm_ne2k_pio(&tn.card, (r >> 8) & 1, port, sizes[(r >> 9) & 3],
			    &v);
		if ((r >> 12) % 64 == 0) {
			unsigned int len = rnd() % 1600;

			t_frame(f, (r >> 18) & 1 ? t_mac : bcast, 1514,
				len);
			dm_ne2k_receive(&tn.card, f, len);
		}
	}
	for (i = 0; i < tn.nsent && i < T_MAX_SENT; i++)
		CU_ASSERT(tn.sent_len[i] >= 14 && tn.sent_len[i] <= 1514);
	CU_ASSERT(tn.card.stats.tx + tn.card.stats.tx_errors > 0);
	CU_ASSERT(tn.card.stats.rx + tn.card.stats.drops > 0);
	t_nic_teardown();
}

CU_TestInfo ne2k_tests[] = {
	{ "reset and station address PROM", test_reset_prom },
	{ "register pages 0, 1, 2", test_pages },
	{ "ISR, IMR and the interrupt line", test_isr_irq },
	{ "remote DMA both ways, word mode, RDC", test_remote_dma },
	{ "remote DMA past the packet memory", test_remote_dma_bounds },
	{ "transmit", test_transmit },
	{ "transmit errors: size, source, wire", test_transmit_errors },
	{ "receive ring wraps at PSTOP, runts padded", test_ring_wrap },
	{ "receive ring full, then room again", test_ring_full },
	{ "address filter and wire frame sizes", test_filter },
	{ "bad PSTART/PSTOP/CURR/BNRY", test_bad_ring },
	{ "hostile register sequences", test_hostile_sequences },
	CU_TEST_INFO_NULL,
};
