// SPDX-License-Identifier: MIT
/*
 * The NE2000 driver against the emulated card, port I/O straight into it:
 * bring-up, transmit with two buffers, receive across the ring's wrap and
 * with the ring full, the exits each costs, and a card that lies (ring
 * headers, CURR, overrun): the driver counts, resynchronises or resets,
 * and keeps working.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "drivers/emunic/emunic.h"
#include "tests/unit/ne2k/harness.h"

#define DMA_PA 8192

static struct xpv_emunic nic;
static unsigned int nrx;
static unsigned int rx_len[64];
static uint8_t rx_frame[64][1518];

static void on_rx(void *arg, const void *frame, unsigned int len)
{
	if (nrx < 64) {
		rx_len[nrx] = len;
		memcpy(rx_frame[nrx], frame, len);
	}
	nrx++;
}

static void up(void)
{
	t_nic_setup();
	nrx = 0;
	CU_ASSERT_FATAL(xpv_emunic_init(&nic, &tn.pio, tn.mem + DMA_PA, DMA_PA,
					on_rx, NULL) == 0);
}

/* The interrupt, if the line rose, as the host delivers it. */
static unsigned int irq(void)
{
	if (!tn.irq_edge)
		return 0;
	tn.irq_edge = false;
	return xpv_emunic_interrupt(&nic);
}

static void test_init(void)
{
	up();
	CU_ASSERT_EQUAL(memcmp(nic.mac, t_mac, 6), 0);
	CU_ASSERT_EQUAL(tn.card.pstart, XPV_EMUNIC_RX_START);
	CU_ASSERT_EQUAL(tn.card.pstop, XPV_EMUNIC_RX_STOP);
	CU_ASSERT_EQUAL(tn.card.curr, XPV_EMUNIC_RX_START);
	CU_ASSERT_EQUAL(tn.card.bnry, XPV_EMUNIC_RX_STOP - 1);
	CU_ASSERT_EQUAL(tn.card.dcr & NE_DCR_WTS, NE_DCR_WTS);
	CU_ASSERT_EQUAL(tn.card.imr, 0x3f);
	CU_ASSERT_EQUAL(tn.card.rcr, NE_RCR_AB | NE_RCR_AM);
	CU_ASSERT_EQUAL(memcmp(tn.card.par, t_mac, 6), 0);
	CU_ASSERT_FALSE(tn.card.cr & NE_CR_STP);
	CU_ASSERT_TRUE(dm_ne2k_can_receive(&tn.card));
	CU_ASSERT_EQUAL(xpv_emunic_init(&nic, &tn.pio, tn.mem + 1, 1, on_rx,
					NULL), -XPV_EINVAL);
	t_nic_teardown();
}

static void test_no_card(void)
{
	t_nic_setup();
	/* The PROM without its signature: not a 16-bit NE2000. */
	tn.card.mem[28] = 0;
	CU_ASSERT_EQUAL(xpv_emunic_init(&nic, &tn.pio, tn.mem + DMA_PA, DMA_PA,
					on_rx, NULL), -XPV_EIO);
	t_nic_teardown();
}

static void test_xmit(void)
{
	uint8_t f[1514];
	uint64_t before;

	up();
	t_frame(f, t_mac, 1514, 1);
	before = tn.exits;
	CU_ASSERT_EQUAL(xpv_emunic_xmit(&nic, f, 1514), 0);
	CU_ASSERT_EQUAL(tn.exits - before, 15);
	CU_ASSERT_EQUAL(tn.nsent, 1);
	CU_ASSERT_EQUAL(tn.sent_len[0], 1514);
	CU_ASSERT_EQUAL(memcmp(tn.sent[0], f, 1514), 0);
	/* The second buffer loads while the first is outstanding. */
	t_frame(f, t_mac, 20, 2);
	CU_ASSERT_EQUAL(xpv_emunic_xmit(&nic, f, 20), 0);
	CU_ASSERT_TRUE(xpv_emunic_tx_full(&nic));
	CU_ASSERT_EQUAL(xpv_emunic_xmit(&nic, f, 20), -XPV_EAGAIN);
	CU_ASSERT_EQUAL(tn.nsent, 1);
	/* Completion of the first sends the second (padded to 60). */
	irq();
	CU_ASSERT_EQUAL(tn.nsent, 2);
	CU_ASSERT_EQUAL(tn.sent_len[1], 60);
	CU_ASSERT_EQUAL(memcmp(tn.sent[1], f, 20), 0);
	CU_ASSERT_EQUAL(tn.sent[1][59], 0);
	irq();
	CU_ASSERT_FALSE(xpv_emunic_tx_full(&nic));
	CU_ASSERT_EQUAL(nic.stats.tx_packets, 2);
	CU_ASSERT_EQUAL(xpv_emunic_xmit(&nic, f, 13), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_emunic_xmit(&nic, f, 1515), -XPV_EINVAL);
	/* The wire refuses: an error, counted, and the buffer comes back. */
	tn.tx_fail = -5;
	CU_ASSERT_EQUAL(xpv_emunic_xmit(&nic, f, 100), 0);
	irq();
	CU_ASSERT_EQUAL(nic.stats.tx_errors, 1);
	CU_ASSERT_FALSE(xpv_emunic_tx_full(&nic));
	t_nic_teardown();
}

static void test_receive(void)
{
	uint8_t f[1514];
	unsigned int i, total = 0, sizes[] = { 60, 1514, 61, 700, 1000, 64 };
	uint64_t before;

	up();
	/* Round the ring several times, frames of every shape. */
	for (i = 0; i < 60; i++) {
		unsigned int len = sizes[i % 6];

		t_frame(f, i % 3 ? t_mac : (const uint8_t *)"\xff\xff\xff"
					   "\xff\xff\xff", len, i);
		CU_ASSERT_EQUAL_FATAL(dm_ne2k_receive(&tn.card, f, len), 0);
		before = tn.exits;
		CU_ASSERT_EQUAL(irq(), 1);
		/*
		 * CR, ISR, ack, BNRY, CURR (3), header (8), data (8), BNRY,
		 * CURR again (3), ISR.
		 */
		CU_ASSERT_EQUAL(tn.exits - before, 28);
		CU_ASSERT_EQUAL_FATAL(nrx, i + 1);
		CU_ASSERT_EQUAL(rx_len[i], len);
		CU_ASSERT_EQUAL(memcmp(rx_frame[i], f, len), 0);
		total += len;
	}
	CU_ASSERT_EQUAL(nic.stats.rx_bytes, total);
	CU_ASSERT_FALSE(tn.irq_line);
	t_nic_teardown();
}

static void test_ring_full(void)
{
	uint8_t f[1514];
	unsigned int n = 0, i;

	up();
	while (dm_ne2k_can_receive(&tn.card)) {
		t_frame(f, t_mac, 1514, n);
		CU_ASSERT_EQUAL_FATAL(dm_ne2k_receive(&tn.card, f, 1514), 0);
		n++;
	}
	CU_ASSERT(n >= 15);
	CU_ASSERT_EQUAL(irq(), n);
	for (i = 0; i < n; i++) {
		t_frame(f, t_mac, 1514, i);
		CU_ASSERT_EQUAL(memcmp(rx_frame[i], f, 1514), 0);
	}
	CU_ASSERT_TRUE(dm_ne2k_can_receive(&tn.card));
	t_frame(f, t_mac, 100, 99);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 100), 0);
	CU_ASSERT_EQUAL(irq(), 1);
	t_nic_teardown();
}

/* A frame, then the card's header for it rewritten. */
static void lying_header(uint8_t status, uint8_t next, uint16_t count)
{
	uint8_t f[200], *h;

	up();
	t_frame(f, t_mac, 200, 1);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 200), 0);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 200), 0);
	h = tn.card.mem + XPV_EMUNIC_RX_START * 256;
	h[0] = status;
	h[1] = next;
	h[2] = count & 0xff;
	h[3] = count >> 8;
	irq();
	/* A bad status skips that frame; a bad header everything to CURR. */
	CU_ASSERT_EQUAL(nic.stats.rx_bad_hdr + nic.stats.rx_errors, 1);
	CU_ASSERT_EQUAL(nrx, nic.stats.rx_errors ? 1u : 0u);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 200), 0);
	CU_ASSERT_EQUAL(irq(), 1);
	CU_ASSERT(nrx >= 1 && rx_len[0] == 200);
	CU_ASSERT_EQUAL(nic.stats.resets, 0);
	t_nic_teardown();
}

static void test_lying_headers(void)
{
	unsigned int start = XPV_EMUNIC_RX_START;

	lying_header(0x01, start + 1, 204 + 256);	/* count vs next */
	lying_header(0x01, start + 3, 204);		/* next vs count */
	lying_header(0x01, 0x00, 204);			/* off the ring */
	lying_header(0x01, XPV_EMUNIC_RX_STOP, 204);
	lying_header(0x01, start + 1, 3);		/* under a header */
	lying_header(0x01, start + 1, 63);		/* a runt */
	lying_header(0x01, start + 7, 1523);		/* over 1518 */
	lying_header(0x01, start + 1, 0xffff);
	lying_header(0x02, start + 1, 204);		/* CRC error */
}

static void test_lying_pointers(void)
{
	uint8_t f[100];

	up();
	t_frame(f, t_mac, 100, 1);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 100), 0);
	tn.card.curr = 0x10;		/* CURR off the ring */
	irq();
	CU_ASSERT_EQUAL(nic.stats.resets, 1);
	CU_ASSERT_EQUAL(tn.card.curr, XPV_EMUNIC_RX_START);
	CU_ASSERT_EQUAL(dm_ne2k_receive(&tn.card, f, 100), 0);
	CU_ASSERT_EQUAL(irq(), 1);
	/* An overrun the card reports: reset and carry on. */
	tn.card.isr |= NE_ISR_OVW;
	tn.irq_edge = true;
	irq();
	CU_ASSERT_EQUAL(nic.stats.resets, 2);
	CU_ASSERT_EQUAL(xpv_emunic_xmit(&nic, f, 100), 0);
	CU_ASSERT_EQUAL(tn.nsent, 1);
	t_nic_teardown();
}

/* A card whose packet memory is noise: no crash, frames within bounds. */
static void test_noise(void)
{
	uint32_t s = 7;
	unsigned int i, round;

	for (round = 0; round < 200; round++) {
		up();
		for (i = DM_NE2K_RAM_START; i < DM_NE2K_MEM_SIZE; i++) {
			s = s * 1103515245u + 12345u;
			tn.card.mem[i] = s >> 16;
		}
		s = s * 1103515245u + 12345u;
		tn.card.curr = XPV_EMUNIC_RX_START + (s >> 16) % 116;
		tn.card.isr |= NE_ISR_PRX;
		tn.irq_edge = true;
		irq();
		for (i = 0; i < nrx && i < 64; i++)
			CU_ASSERT(rx_len[i] >= 60 && rx_len[i] <= 1518);
		t_nic_teardown();
	}
}

CU_TestInfo emunic_tests[] = {
	{ "bring-up: reset, PROM, ring, start", test_init },
	{ "no NE2000 signature", test_no_card },
	{ "transmit with two buffers", test_xmit },
	{ "receive round the ring", test_receive },
	{ "ring full, drained in one interrupt", test_ring_full },
	{ "card lies in ring headers", test_lying_headers },
	{ "card lies in CURR, reports overrun", test_lying_pointers },
	{ "card memory is noise", test_noise },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "emunic driver on the emulated card", NULL, NULL, NULL, NULL,
	  emunic_tests },
	CU_SUITE_INFO_NULL,
};
