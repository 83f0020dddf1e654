// SPDX-License-Identifier: MIT
/*
 * End to end on the emulated-I/O path: a guest domain with an ioreq page
 * and the ATA driver, the device model (domain 0) serving it from a file
 * through libaio.  Data written through the emulated disk must read back
 * identically, through the disk and straight from the file; a hostile PRD
 * table must fail its command and leave the model serving.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devmodel/dm.h"
#include "drivers/ata/ata.h"
#include "loopback/daemon.h"
#include "loopback/ioreq_pio.h"
#include "tests/loopback/procs.h"

#define GUEST_PAGES 1024
#define IOREQ_GFN 1
#define PRD_GFN 2
#define BUF_GFN 16
#define DISK_BYTES (8u << 20)

static char dir[64], disk[96];
static struct lb_daemon *dm;
static pthread_t dm_tid;
static int domid_pipe[2];

static void *daemon_thread(void *arg)
{
	lb_daemon_run(dm);
	return NULL;
}

static int setup(void)
{
	int err, fd;

	snprintf(dir, sizeof(dir), "/tmp/xenpv-emutest-%d", getpid());
	snprintf(disk, sizeof(disk), "/tmp/xenpv-emutest-%d.img", getpid());
	fd = open(disk, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, DISK_BYTES) < 0)
		return 1;
	close(fd);
	dm = lb_daemon_new(dir, &err);
	if (!dm)
		return 1;
	return pthread_create(&dm_tid, NULL, daemon_thread, NULL);
}

static int teardown(void)
{
	lb_daemon_stop(dm);
	pthread_join(dm_tid, NULL);
	lb_daemon_free(dm);
	rmdir(dir);
	unlink(disk);
	return 0;
}

static uint8_t pattern(uint64_t i, unsigned int seed)
{
	return (uint8_t)(i * 31 + (i >> 9) * 7 + seed);
}

struct guest {
	struct lb_dom *d;
	uint8_t *mem;
	struct lb_ioreq_guest g;
	struct lb_ioreq_pio pio;
	struct xpv_ata ata;
};

static void guest_boot(struct guest *gs)
{
	int id;

	gs->d = lb_dom_join(dir, -1, GUEST_PAGES);
	CHECK(gs->d);
	gs->mem = lb_dom_mem(gs->d);
	CHECK(lb_ioreq_guest_init(&gs->g, gs->d, 0, IOREQ_GFN,
				  1u << XPV_ATA_IRQ) == 0);
	lb_ioreq_pio_init(&gs->pio, &gs->g, 1u << XPV_ATA_IRQ);
	id = lb_dom_id(gs->d);
	CHECK(write(domid_pipe[1], &id, sizeof(id)) == sizeof(id));
	CHECK(lb_ioreq_guest_wait_dm(&gs->g, 10000) == 0);
	CHECK(xpv_ata_init(&gs->ata, &gs->pio.ops,
			   gs->mem + PRD_GFN * 4096, PRD_GFN * 4096) == 0);
	CHECK(gs->ata.nsectors == DISK_BYTES / 512);
}

/* Fills @len bytes at guest frame @gfn and returns their sg entry. */
static struct xpv_ata_sg fill(struct guest *gs, unsigned int gfn,
			      uint32_t len, unsigned int seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		gs->mem[gfn * 4096ull + i] = pattern(i, seed);
	return (struct xpv_ata_sg){ gfn * 4096ull, len };
}

static bool same(struct guest *gs, unsigned int gfn, uint32_t len,
		 unsigned int seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if (gs->mem[gfn * 4096ull + i] != pattern(i, seed))
			return false;
	return true;
}

static void guest_rw(void)
{
	struct guest gs;
	struct xpv_ata_sg sg[2];
	uint64_t before;

	guest_boot(&gs);
	sg[0] = fill(&gs, BUF_GFN, 4096, 1);
	CHECK(xpv_ata_dma(&gs.ata, true, 0, 8, sg, 1) == 0);
	sg[0] = fill(&gs, BUF_GFN, 1u << 20, 2);
	CHECK(xpv_ata_dma(&gs.ata, true, 4096, 2048, sg, 1) == 0);
	/* Two pieces, the second not sector aligned in memory: no O_DIRECT. */
	sg[0] = fill(&gs, BUF_GFN, 32768, 3);
	sg[1] = fill(&gs, BUF_GFN + 300, 32768, 4);
	sg[1].pa += 2;
	memmove(gs.mem + sg[1].pa, gs.mem + sg[1].pa - 2, 32768);
	CHECK(xpv_ata_dma(&gs.ata, true, 2048, 128, sg, 2) == 0);

	memset(gs.mem + BUF_GFN * 4096, 0, 1u << 20);
	sg[0] = (struct xpv_ata_sg){ BUF_GFN * 4096, 4096 };
	before = gs.g.stats.ioreqs;
	CHECK(xpv_ata_dma(&gs.ata, false, 0, 8, sg, 1) == 0);
	CHECK(gs.g.stats.ioreqs - before == 19);
	CHECK(same(&gs, BUF_GFN, 4096, 1));
	sg[0].len = 1u << 20;
	CHECK(xpv_ata_dma(&gs.ata, false, 4096, 2048, sg, 1) == 0);
	CHECK(same(&gs, BUF_GFN, 1u << 20, 2));
	CHECK(xpv_ata_pio(&gs.ata, false, 2048 + 64, 64, gs.mem + 200 * 4096,
			  200 * 4096) == 0);
	CHECK(same(&gs, 200, 32768, 4));
	CHECK(xpv_ata_flush(&gs.ata) == 0);
	lb_ioreq_guest_destroy(&gs.g);
	lb_dom_leave(gs.d);
}

static void guest_hostile(void)
{
	const struct xpv_pio_ops *io;
	struct guest gs;
	struct xpv_ata_sg sg;

	guest_boot(&gs);
	io = &gs.pio.ops;
	/* A PRD table past the end of guest memory. */
	xpv_outl(io, 0xc004, GUEST_PAGES * 4096 + 64);
	xpv_outb(io, 0xc000, 0x08);
	xpv_outb(io, 0x1f2, 8);
	xpv_outb(io, 0x1f3, 0);
	xpv_outb(io, 0x1f4, 0);
	xpv_outb(io, 0x1f5, 0);
	xpv_outb(io, 0x1f6, 0x40);
	xpv_outb(io, 0x1f7, 0xc8);
	xpv_outb(io, 0xc000, 0x09);
	CHECK(io->wait_irq(io->ctx, XPV_ATA_IRQ, 5000000000ull) == 0);
	CHECK((xpv_inb(io, 0xc002) & 0x06) == 0x06);
	CHECK(xpv_inb(io, 0x1f7) & 0x01);
	xpv_outb(io, 0xc000, 0);
	xpv_outb(io, 0xc002, 0x06);
	/* A rep string aimed outside guest memory is refused by the model. */
	CHECK(io->ins(io->ctx, 0x1f0, 2, NULL, (uint64_t)GUEST_PAGES * 4096,
		      256) == 0);
	CHECK(gs.g.stats.errors == 0);
	/* And the disk still works. */
	sg = fill(&gs, BUF_GFN, 4096, 9);
	CHECK(xpv_ata_dma(&gs.ata, true, 16, 8, &sg, 1) == 0);
	memset(gs.mem + BUF_GFN * 4096, 0, 4096);
	CHECK(xpv_ata_dma(&gs.ata, false, 16, 8, &sg, 1) == 0);
	CHECK(same(&gs, BUF_GFN, 4096, 9));
	lb_ioreq_guest_destroy(&gs.g);
	lb_dom_leave(gs.d);
}

static int run_model(struct dm_counters *c)
{
	volatile sig_atomic_t stop = 0;
	struct dm_cfg cfg = { .dir = dir, .ioreq_gfn = IOREQ_GFN,
			      .disk = disk };
	int id;

	if (read(domid_pipe[0], &id, sizeof(id)) != sizeof(id))
		return 1;
	cfg.guest = id;
	return dm_run(&cfg, &stop, c) ? 1 : 0;
}

/* Runs @guest and the device model; the model ends when the guest does. */
static void run_pair(void (*guest)(void))
{
	struct dm_counters c;
	pid_t g, m;

	CU_ASSERT_FATAL(pipe(domid_pipe) == 0);
	g = fork();
	if (g == 0) {
		guest();
		_exit(0);
	}
	m = fork();
	if (m == 0)
		_exit(run_model(&c));
	close(domid_pipe[0]);
	close(domid_pipe[1]);
	CU_ASSERT_EQUAL(wait_exit(g), 0);
	CU_ASSERT_EQUAL(wait_exit(m), 0);
}

static void test_rw_roundtrip(void)
{
	uint8_t *buf = malloc(1u << 20);
	int fd;
	uint32_t i;
	bool ok = true;

	run_pair(guest_rw);
	/* What the guest wrote is in the file, byte for byte. */
	fd = open(disk, O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0 && buf);
	CU_ASSERT(pread(fd, buf, 1u << 20, 4096 * 512) == 1 << 20);
	for (i = 0; i < (1u << 20) && ok; i++)
		ok = buf[i] == pattern(i, 2);
	CU_ASSERT_TRUE(ok);
	CU_ASSERT(pread(fd, buf, 4096, 0) == 4096);
	for (i = 0; i < 4096 && ok; i++)
		ok = buf[i] == pattern(i, 1);
	CU_ASSERT_TRUE(ok);
	close(fd);
	free(buf);
}

static void test_hostile_guest(void)
{
	run_pair(guest_hostile);
}

static CU_TestInfo tests[] = {
	{ "ATA over ioreq: write, read back, file", test_rw_roundtrip },
	{ "ATA over ioreq: hostile PRD and rep", test_hostile_guest },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "emulated disk end to end", setup, teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
