// SPDX-License-Identifier: MIT
/*
 * The whole-disk check the harness reads: for each vbd named on the
 * command line ("vbds=51712,51728"), write a pattern over the whole disk,
 * flush, read it all back and compare, and print the CRC-32 (zlib's) of
 * what was written and of what was read, which dom0 compares with its
 * backing file once the domain is gone.
 */
#include "arch-xen/blkdev.h"
#include "arch-xen/kernel.h"
#include "xenpv/compiler.h"

#define CHUNK_PAGES 32u
#define CHUNK_BYTES (CHUNK_PAGES * XPV_PAGE_SIZE)
#define MAX_DISK_BYTES (256ull << 20)
#define APPEAR_WAIT_NS 30000000000ull
#define CONNECT_WAIT_NS 20000000000ull

static uint32_t crc_table[256];

static void crc32_init(void)
{
	uint32_t c;
	unsigned int i, k;

	for (i = 0; i < 256; i++) {
		for (c = i, k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

/* Running CRC-32 (reflected 0xedb88320): start and end with ~0. */
static uint32_t crc32_feed(uint32_t crc, const uint8_t *p, size_t n)
{
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

/* The value of the disk's 64-bit word @i (splitmix64). */
static uint64_t pattern_word(uint64_t seed, uint64_t i)
{
	uint64_t z = seed + (i + 1) * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void pattern_fill(uint64_t *buf, uint64_t seed, uint64_t off,
			 size_t len)
{
	size_t i;

	for (i = 0; i < len / 8; i++)
		buf[i] = pattern_word(seed, off / 8 + i);
}

static unsigned int pattern_bad(const uint64_t *buf, uint64_t seed,
				uint64_t off, size_t len)
{
	unsigned int bad = 0;
	size_t i;

	for (i = 0; i < len / 8; i++)
		bad += buf[i] != pattern_word(seed, off / 8 + i);
	return bad;
}

struct pass {
	uint64_t bytes;
	uint32_t crc;
	unsigned int bad;
	int err;
};

/* Writes (or reads back and checks) the whole disk in chunks. */
static void disk_pass(struct kblk *d, bool write, uint64_t seed,
		      uint64_t size, uint8_t *buf, struct pass *p)
{
	uint64_t off;
	size_t n;

	p->crc = ~0u;
	for (off = 0; off < size && !p->err; off += n) {
		n = size - off < CHUNK_BYTES ? size - off : CHUNK_BYTES;
		if (write)
			pattern_fill((uint64_t *)buf, seed, off, n);
		p->err = kblk_rw(d, write ? XPV_BLKFRONT_WRITE
					  : XPV_BLKFRONT_READ,
				 off / XPV_BLKFRONT_SECTOR, buf, n);
		if (!write)
			p->bad += pattern_bad((uint64_t *)buf, seed, off, n);
		p->crc = crc32_feed(p->crc, buf, n);
		p->bytes += n;
	}
	p->crc = ~p->crc;
}

static bool vbd_present(unsigned int vdev)
{
	char path[64], val[16];

	ksnprintf(path, sizeof(path), "device/vbd/%u/backend-id", vdev);
	return xpv_os_xs_read(XPV_XBT_NIL, path, val, sizeof(val)) > 0;
}

static void disk_report_close(unsigned int vdev, struct kblk *d)
{
	struct xpv_blkfront_stats st = { 0 };

	kblk_close(d, &st);
	printk("xenpv: blk: vbd %u closed: %u grants out, %s, %llu ring "
	       "requests, %llu indirect, %llu persistent pages\n", vdev,
	       st.gnt_outstanding, st.broken ? "broken" : "sound",
	       st.ring_reqs, st.indirect_reqs, st.persistent_pages);
}

static void disk_check(unsigned int vdev, uint8_t *buf)
{
	struct xpv_blkfront_info info;
	struct pass w = { 0 }, r = { 0 };
	uint64_t end = monotonic_ns() + APPEAR_WAIT_NS, size;
	struct kblk *d;
	int err, flush;

	while (!vbd_present(vdev) && monotonic_ns() < end)
		sleep_until(monotonic_ns() + 100000000ull);
	d = kblk_open(vdev, CONNECT_WAIT_NS, &err);
	if (!d) {
		printk("xenpv: blk: vbd %u not connected: %d\n", vdev, err);
		return;
	}
	xpv_blkfront_get_info(kblk_frontend(d), &info);
	size = info.sectors * XPV_BLKFRONT_SECTOR;
	if (size > MAX_DISK_BYTES)
		size = MAX_DISK_BYTES;
	printk("xenpv: blk: vbd %u connected: %lu sectors of %u, "
	       "persistent %d, max segs %u, flush %d\n", vdev,
	       (unsigned long)info.sectors, info.sector_size, info.persistent,
	       info.max_segs, info.flush || info.barrier);
	disk_pass(d, true, vdev, size, buf, &w);
	flush = kblk_rw(d, XPV_BLKFRONT_FLUSH, 0, NULL, 0);
	if (!w.err)
		disk_pass(d, false, vdev, size, buf, &r);
	printk("xenpv: blk: vbd %u: wrote %lu KiB crc32 %08x err %d, flush %d, "
	       "read %lu KiB crc32 %08x err %d, %u bad words\n", vdev,
	       (unsigned long)(w.bytes >> 10), w.crc, w.err, flush,
	       (unsigned long)(r.bytes >> 10), r.crc, r.err, r.bad);
	disk_report_close(vdev, d);
}

/* "vbds=A,B": each disk in turn. */
void blk_check(void)
{
	const char *c = cmdline_arg("vbds");
	uint8_t *buf;
	uint64_t v;

	if (!c)
		return;
	buf = pages_alloc(CHUNK_PAGES);
	if (!buf) {
		printk("xenpv: blk: no buffer\n");
		return;
	}
	crc32_init();
	while (*c >= '0' && *c <= '9') {
		for (v = 0; *c >= '0' && *c <= '9' && v < 1u << 28; c++)
			v = v * 10 + (uint64_t)(*c - '0');
		disk_check((unsigned int)v, buf);
		if (*c == ',')
			c++;
	}
	for (v = 0; v < CHUNK_PAGES; v++)
		page_free(buf + v * XPV_PAGE_SIZE);
}
