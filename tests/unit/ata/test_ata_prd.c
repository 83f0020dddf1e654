// SPDX-License-Identifier: MIT
/* PRD tables from a hostile guest: each ends the command in error, no more. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/ata/harness.h"

static int walk(uint32_t prd, uint64_t want, unsigned int *niov, bool *exact)
{
	static struct iovec iov[DM_IDE_MAX_PRD];

	return dm_ide_prd_walk(tm.mem, T_MEM_BYTES, prd, want, iov,
			       DM_IDE_MAX_PRD, niov, exact);
}

static void test_walk_good(void)
{
	unsigned int n;
	bool exact;

	t_machine_setup(false);
	t_prd(0x100, 0x4000, 2048, false);
	t_prd(0x108, 0x8000, 2048, true);
	CU_ASSERT_EQUAL(walk(0x100, 4096, &n, &exact), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_TRUE(exact);
	/* A table longer than the transfer is fine, but not exact. */
	CU_ASSERT_EQUAL(walk(0x100, 3072, &n, &exact), 0);
	CU_ASSERT_FALSE(exact);
	t_machine_teardown();
}

static void test_walk_zero_count_is_64k(void)
{
	unsigned int n;
	bool exact;
	static struct iovec iov[4];

	t_machine_setup(false);
	t_prd(0x100, 0x10000, 0, true);
	CU_ASSERT_EQUAL(dm_ide_prd_walk(tm.mem, T_MEM_BYTES, 0x100, 65536, iov,
					4, &n, &exact), 0);
	CU_ASSERT_EQUAL(iov[0].iov_len, 65536);
	CU_ASSERT_TRUE(exact);
	/* 64 KiB at the very end of memory overruns it. */
	t_prd(0x100, T_MEM_BYTES - 0x8000, 0, true);
	CU_ASSERT_EQUAL(walk(0x100, 65536, &n, &exact), -EFAULT);
	t_machine_teardown();
}

static void test_walk_out_of_range(void)
{
	unsigned int n;
	bool exact;

	t_machine_setup(false);
	CU_ASSERT_EQUAL(walk(T_MEM_BYTES, 512, &n, &exact), -EFAULT);
	/* An entry that straddles the end of memory. */
	CU_ASSERT_EQUAL(dm_ide_prd_walk(tm.mem, T_MEM_BYTES - 0x100,
					T_MEM_BYTES - 0x104, 512,
					(struct iovec[4]){ 0 }, 4, &n, &exact),
			-EFAULT);
	CU_ASSERT_EQUAL(walk(0xfffffff8u, 512, &n, &exact), -EFAULT);
	t_prd(0x100, 0xfffff000u, 4096, true);
	CU_ASSERT_EQUAL(walk(0x100, 4096, &n, &exact), -EFAULT);
	t_prd(0x100, T_MEM_BYTES - 512, 1024, true);
	CU_ASSERT_EQUAL(walk(0x100, 1024, &n, &exact), -EFAULT);
	t_machine_teardown();
}

static void test_walk_odd(void)
{
	unsigned int n;
	bool exact;

	t_machine_setup(false);
	t_prd(0x100, 0x4001, 512, true);
	CU_ASSERT_EQUAL(walk(0x100, 512, &n, &exact), -EINVAL);
	t_prd(0x100, 0x4000, 511, true);
	CU_ASSERT_EQUAL(walk(0x100, 512, &n, &exact), -EINVAL);
	t_machine_teardown();
}

static void test_walk_short_and_endless(void)
{
	unsigned int n, i;
	bool exact;

	t_machine_setup(false);
	t_prd(0x100, 0x4000, 512, true);
	CU_ASSERT_EQUAL(walk(0x100, 1024, &n, &exact), -ENOSPC);
	/* No EOT anywhere: the walk stops at the table's 64 KiB end. */
	for (i = 0; i < 0x10000 / 8; i++)
		t_prd(0x20000 + 8 * i, 0x4000, 2, false);
	CU_ASSERT_EQUAL(walk(0x20000, 1ull << 40, &n, &exact), -ELOOP);
	CU_ASSERT_EQUAL(n, DM_IDE_MAX_PRD);
	/* Entries that all point at one buffer are still bounded. */
	for (i = 0; i < 0x10000 / 8; i++)
		t_prd(0x20000 + 8 * i, 0x4000, 0, false);
	CU_ASSERT_EQUAL(walk(0x20000, 1ull << 40, &n, &exact), -ELOOP);
	t_machine_teardown();
}

/* Runs a READ DMA EXT of @nsect sectors with the PRD table at @prd. */
static void dma_read(uint32_t prd, uint16_t nsect, uint8_t bm_dir)
{
	t_outl(0xc004, prd);
	t_out(0xc000, bm_dir);
	t_cmd48(0x25, 0, nsect);
	t_out(0xc000, bm_dir | 0x01);
}

static void expect_dma_error(void)
{
	CU_ASSERT_TRUE(tm.irq_line);
	CU_ASSERT_EQUAL(t_in(0xc002) & 0x07, 0x06);	/* INTR + ERR */
	CU_ASSERT_EQUAL(t_in(0x1f7), 0x41);
	CU_ASSERT_EQUAL(t_in(0x1f1), 0x04);
	t_out(0xc000, 0);
	t_out(0xc002, 0x06);
	/* The controller takes the next command. */
	t_out(0x1f6, 0x40);
	t_out(0x1f7, 0xef);
	CU_ASSERT_EQUAL(t_in(0x1f7), 0x50);
}

static void test_dma_hostile_tables(void)
{
	unsigned int i;

	t_machine_setup(false);
	dma_read(T_MEM_BYTES + 0x1000, 8, 0x08);	/* table outside RAM */
	expect_dma_error();
	t_prd(0x100, 0x7fff0000, 4096, true);		/* buffer outside RAM */
	dma_read(0x100, 8, 0x08);
	expect_dma_error();
	t_prd(0x100, 0x4000, 512, true);		/* table too short */
	dma_read(0x100, 8, 0x08);
	expect_dma_error();
	for (i = 0; i < 0x1000 / 8; i++)		/* no EOT */
		t_prd(0xf000 + 8 * i, 0x4000, 2, false);
	dma_read(0xf000, 8, 0x08);
	expect_dma_error();
	t_prd(0x100, 0x4000, 4096, true);		/* wrong direction */
	dma_read(0x100, 8, 0x00);
	expect_dma_error();
	CU_ASSERT_EQUAL(tm.ide.stats.prd_errors, 5);
	t_machine_teardown();
}

/* Random register traffic and random tables: it only has to survive. */
static void test_dma_random_traffic(void)
{
	static const uint16_t ports[] = { 0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4,
					  0x1f5, 0x1f6, 0x1f7, 0x3f6, 0xc000,
					  0xc002, 0xc004, 0xc005 };
	unsigned int i;

	t_machine_setup(false);
	srand(1234);
	for (i = 0; i < 200000; i++) {
		uint64_t v = (uint64_t)rand() << 16 ^ rand();
		uint16_t port = ports[rand() % 13];
		unsigned int size = 1u << (rand() % 3);

		if (rand() % 16 == 0)
			*(uint32_t *)(tm.mem + (rand() % 64) * 8) = v;
		if (rand() % 64 == 0)
			v = rand() % 2 ? 0x25 : 0x35;
		dm_ide_pio(&tm.ide, rand() % 2, port, size, &v);
	}
	t_out(0x3f6, 0x04);
	t_out(0x3f6, 0x00);
	CU_ASSERT_FALSE(t_in(0x1f7) & 0x80);
	t_machine_teardown();
}

CU_TestInfo ata_prd_tests[] = {
	{ "walk: good table", test_walk_good },
	{ "walk: count 0 is 64 KiB", test_walk_zero_count_is_64k },
	{ "walk: outside guest memory", test_walk_out_of_range },
	{ "walk: odd address or length", test_walk_odd },
	{ "walk: short table, no EOT", test_walk_short_and_endless },
	{ "DMA: hostile tables end in ERR", test_dma_hostile_tables },
	{ "DMA: random register traffic", test_dma_random_traffic },
	CU_TEST_INFO_NULL,
};
