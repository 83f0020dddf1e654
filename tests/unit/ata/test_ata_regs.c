// SPDX-License-Identifier: MIT
/* Register semantics of the emulated IDE controller, and the driver on it. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "tests/unit/ata/harness.h"

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed * 13 + (i >> 9));
}

static void test_reset_signature(void)
{
	t_machine_setup(false);
	t_out(0x1f3, 0x55);
	t_out(0x3f6, 0x04);
	CU_ASSERT(t_in(0x3f6) & 0x80);		/* BSY during SRST */
	t_out(0x3f6, 0x00);
	CU_ASSERT_EQUAL(t_in(0x1f2), 1);
	CU_ASSERT_EQUAL(t_in(0x1f3), 1);
	CU_ASSERT_EQUAL(t_in(0x1f4), 0);
	CU_ASSERT_EQUAL(t_in(0x1f5), 0);
	CU_ASSERT_EQUAL(t_in(0x1f7), 0x50);
	CU_ASSERT_EQUAL(t_in(0x1f1), 1);
	t_machine_teardown();
}

static void test_hob_fifo(void)
{
	t_machine_setup(false);
	t_out(0x1f3, 0x11);
	t_out(0x1f3, 0x22);
	t_out(0x1f2, 0x33);
	t_out(0x1f2, 0x44);
	CU_ASSERT_EQUAL(t_in(0x1f3), 0x22);
	t_out(0x3f6, 0x80);			/* HOB */
	CU_ASSERT_EQUAL(t_in(0x1f3), 0x11);
	CU_ASSERT_EQUAL(t_in(0x1f2), 0x33);
	t_out(0x1f4, 0x99);			/* clears HOB */
	CU_ASSERT_EQUAL(t_in(0x1f3), 0x22);
	t_machine_teardown();
}

static void test_status_acks_irq(void)
{
	t_machine_setup(false);
	t_out(0x1f6, 0x40);
	t_out(0x1f7, 0xef);			/* SET FEATURES */
	CU_ASSERT_TRUE(tm.irq_line);
	CU_ASSERT_EQUAL(t_in(0x3f6), 0x50);	/* alt status: no ack */
	CU_ASSERT_TRUE(tm.irq_line);
	CU_ASSERT_EQUAL(t_in(0x1f7), 0x50);
	CU_ASSERT_FALSE(tm.irq_line);
	t_machine_teardown();
}

static void test_nien_masks(void)
{
	t_machine_setup(false);
	t_out(0x3f6, 0x02);
	t_out(0x1f6, 0x40);
	t_out(0x1f7, 0xef);
	CU_ASSERT_FALSE(tm.irq_line);
	t_out(0x3f6, 0x00);			/* pending INTRQ shows now */
	CU_ASSERT_TRUE(tm.irq_line);
	t_machine_teardown();
}

static void test_bad_command_aborts(void)
{
	t_machine_setup(false);
	t_out(0x1f6, 0x40);
	t_out(0x1f7, 0x77);
	CU_ASSERT_EQUAL(t_in(0x1f7), 0x41);
	CU_ASSERT_EQUAL(t_in(0x1f1), 0x04);
	/* CHS addressing is refused too. */
	t_out(0x1f6, 0x00);
	t_out(0x1f7, 0x20);
	CU_ASSERT(t_in(0x1f7) & 0x01);
	t_machine_teardown();
}

static void test_out_of_range_idnf(void)
{
	t_machine_setup(false);
	t_cmd48(0x24, T_DISK_SECTORS - 1, 2);
	CU_ASSERT(t_in(0x1f7) & 0x01);
	CU_ASSERT(t_in(0x1f1) & 0x10);
	t_cmd48(0x24, 0xffffffffffffull, 1);
	CU_ASSERT(t_in(0x1f7) & 0x01);
	t_machine_teardown();
}

static void test_slave_absent(void)
{
	t_machine_setup(false);
	t_out(0x1f6, 0x50);
	CU_ASSERT_EQUAL(t_in(0x1f7), 0);
	t_out(0x1f7, 0xec);
	CU_ASSERT_FALSE(tm.irq_line);
	CU_ASSERT_EQUAL(tm.ide.stats.cmds, 0);
	t_machine_teardown();
}

static void test_data_port_floats(void)
{
	uint64_t v = 0;

	t_machine_setup(false);
	dm_ide_pio(&tm.ide, false, 0x1f0, 2, &v);
	CU_ASSERT_EQUAL(v & 0xffff, 0xffff);
	v = 0x1234;
	dm_ide_pio(&tm.ide, true, 0x1f0, 2, &v);	/* goes nowhere */
	CU_ASSERT_EQUAL(dm_ide_pio(&tm.ide, false, 0x170, 1, &v), -2);
	t_machine_teardown();
}

static void test_bm_status_w1c(void)
{
	t_machine_setup(false);
	tm.ide.bm_status |= 0x06;
	t_out(0xc002, 0x02 | 0x40);
	CU_ASSERT_EQUAL(t_in(0xc002), 0x04 | 0x40);
	t_out(0xc002, 0x04);
	CU_ASSERT_EQUAL(t_in(0xc002), 0x00);
	t_outl(0xc004, 0x12345677);
	CU_ASSERT_EQUAL(tm.ide.bm_prd, 0x12345674);
	t_machine_teardown();
}

static void test_driver_identify(void)
{
	struct xpv_ata ata;

	t_machine_setup(false);
	CU_ASSERT_EQUAL(xpv_ata_init(&ata, &tm.pio, tm.mem, 0), 0);
	CU_ASSERT_EQUAL(ata.nsectors, T_DISK_SECTORS);
	CU_ASSERT_TRUE(ata.lba48);
	CU_ASSERT_STRING_EQUAL(ata.model, "XENPV EMULATED ATA DISK");
	t_machine_teardown();
}

static void dma_roundtrip(bool async)
{
	struct xpv_ata ata;
	struct xpv_ata_sg sg[2] = { { 0x10000, 0x20000 }, { 0x40000, 0x6000 } };
	uint32_t n = (0x20000 + 0x6000) / 512;		/* 304: an LBA48 count */

	t_machine_setup(async);
	CU_ASSERT_FATAL(xpv_ata_init(&ata, &tm.pio, tm.mem, 0) == 0);
	fill(tm.mem + 0x10000, 0x20000, 1);
	fill(tm.mem + 0x40000, 0x6000, 2);
	CU_ASSERT_EQUAL(xpv_ata_dma(&ata, true, 100, n, sg, 2), 0);
	CU_ASSERT_EQUAL(memcmp(tm.disk + 100 * 512, tm.mem + 0x10000, 0x20000),
			0);
	CU_ASSERT_EQUAL(memcmp(tm.disk + 100 * 512 + 0x20000,
			       tm.mem + 0x40000, 0x6000), 0);
	sg[0].pa = 0x80000;
	sg[1].pa = 0xc0000;
	CU_ASSERT_EQUAL(xpv_ata_dma(&ata, false, 100, n, sg, 2), 0);
	CU_ASSERT_EQUAL(memcmp(tm.mem + 0x80000, tm.mem + 0x10000, 0x20000), 0);
	CU_ASSERT_EQUAL(memcmp(tm.mem + 0xc0000, tm.mem + 0x40000, 0x6000), 0);
	CU_ASSERT_EQUAL(ata.stats.errors, 0);
	t_machine_teardown();
}

static void test_driver_dma_sync(void) { dma_roundtrip(false); }
static void test_driver_dma_async(void) { dma_roundtrip(true); }

static void test_driver_exits_per_dma(void)
{
	struct xpv_ata ata;
	struct xpv_ata_sg sg = { 0x10000, 4096 };
	uint64_t before;

	t_machine_setup(false);
	CU_ASSERT_FATAL(xpv_ata_init(&ata, &tm.pio, tm.mem, 0) == 0);
	before = tm.exits;
	CU_ASSERT_EQUAL(xpv_ata_dma(&ata, false, 8, 8, &sg, 1), 0);
	/* setup 3, taskfile 6, command 1, start 2, interrupt side 7 */
	CU_ASSERT_EQUAL(tm.exits - before, 19);
	t_machine_teardown();
}

static void test_driver_pio(void)
{
	struct xpv_ata ata;

	t_machine_setup(false);
	CU_ASSERT_FATAL(xpv_ata_init(&ata, &tm.pio, tm.mem, 0) == 0);
	fill(tm.mem + 0x20000, 8 * 512, 3);
	CU_ASSERT_EQUAL(xpv_ata_pio(&ata, true, 7, 8, tm.mem + 0x20000,
				    0x20000), 0);
	CU_ASSERT_EQUAL(memcmp(tm.disk + 7 * 512, tm.mem + 0x20000, 4096), 0);
	CU_ASSERT_EQUAL(xpv_ata_pio(&ata, false, 7, 8, tm.mem + 0x30000,
				    0x30000), 0);
	CU_ASSERT_EQUAL(memcmp(tm.mem + 0x30000, tm.mem + 0x20000, 4096), 0);
	CU_ASSERT_EQUAL(xpv_ata_flush(&ata), 0);
	/* Out of range is refused by the driver before the disk sees it. */
	CU_ASSERT_EQUAL(xpv_ata_pio(&ata, false, T_DISK_SECTORS, 1,
				    tm.mem + 0x30000, 0x30000), -22);
	t_machine_teardown();
}

static void test_busy_ignores_commands(void)
{
	t_machine_setup(true);
	t_prd(0x1000, 0x2000, 512, true);
	t_outl(0xc004, 0x1000);
	t_out(0xc000, 0x08);
	t_cmd48(0x25, 0, 1);
	t_out(0xc000, 0x09);
	CU_ASSERT_TRUE(tm.pending);
	CU_ASSERT(t_in(0x3f6) & 0x80);
	t_out(0x1f7, 0xec);			/* ignored while busy */
	CU_ASSERT_EQUAL(tm.ide.stats.cmds, 1);
	t_complete();
	CU_ASSERT_EQUAL(t_in(0x1f7), 0x50);
	CU_ASSERT_EQUAL(t_in(0xc002) & 0x07, 0x04);	/* done, exact PRD */
	t_machine_teardown();
}

CU_TestInfo ata_reg_tests[] = {
	{ "reset signature", test_reset_signature },
	{ "LBA48 HOB fifo", test_hob_fifo },
	{ "status read acknowledges INTRQ", test_status_acks_irq },
	{ "nIEN masks the line", test_nien_masks },
	{ "unknown command and CHS abort", test_bad_command_aborts },
	{ "out of range is IDNF", test_out_of_range_idnf },
	{ "absent slave", test_slave_absent },
	{ "data port outside a data phase", test_data_port_floats },
	{ "bus-master status write-1-clear", test_bm_status_w1c },
	{ "driver: identify", test_driver_identify },
	{ "driver: DMA round trip", test_driver_dma_sync },
	{ "driver: DMA with async backend", test_driver_dma_async },
	{ "driver: exits per DMA command", test_driver_exits_per_dma },
	{ "driver: PIO and flush", test_driver_pio },
	{ "busy controller ignores commands", test_busy_ignores_commands },
	CU_TEST_INFO_NULL,
};
