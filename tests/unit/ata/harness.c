// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "tests/unit/ata/harness.h"

struct t_machine tm;

static int be_rw(void *arg, bool write, uint64_t off, void *buf, size_t len)
{
	if (off > (uint64_t)T_DISK_SECTORS * 512 ||
	    len > (uint64_t)T_DISK_SECTORS * 512 - off)
		return -5;
	if (write)
		memcpy(tm.disk + off, buf, len);
	else
		memcpy(buf, tm.disk + off, len);
	return 0;
}

static int be_submit(void *arg, bool write, uint64_t off,
		     const struct iovec *iov, unsigned int niov)
{
	tm.pending = true;
	tm.pending_write = write;
	tm.pending_off = off;
	memcpy(tm.pending_iov, iov, niov * sizeof(*iov));
	tm.pending_niov = niov;
	return 0;
}

void t_complete(void)
{
	uint64_t off = tm.pending_off;
	long total = 0;
	unsigned int i;

	if (!tm.pending)
		return;
	tm.pending = false;
	for (i = 0; i < tm.pending_niov; i++) {
		be_rw(NULL, tm.pending_write, off, tm.pending_iov[i].iov_base,
		      tm.pending_iov[i].iov_len);
		off += tm.pending_iov[i].iov_len;
		total += tm.pending_iov[i].iov_len;
	}
	dm_ide_dma_done(&tm.ide, total);
}

static void be_irq(void *arg, bool level)
{
	if (level && !tm.irq_line) {
		tm.irq_edge = true;
		tm.irqs++;
	}
	tm.irq_line = level;
}

static int be_flush(void *arg)
{
	return 0;
}

static uint32_t p_in(void *ctx, uint16_t port, unsigned int size)
{
	uint64_t v = 0;

	tm.exits++;
	dm_ide_pio(&tm.ide, false, port, size, &v);
	return v;
}

static void p_out(void *ctx, uint16_t port, unsigned int size, uint32_t val)
{
	uint64_t v = val;

	tm.exits++;
	dm_ide_pio(&tm.ide, true, port, size, &v);
}

static int p_ins(void *ctx, uint16_t port, unsigned int size, void *buf,
		 uint64_t pa, uint32_t count)
{
	uint8_t *p = tm.mem + pa;
	uint32_t i;

	tm.exits++;
	for (i = 0; i < count; i++) {
		uint64_t v = 0;

		dm_ide_pio(&tm.ide, false, port, size, &v);
		memcpy(p + i * size, &v, size);
	}
	return 0;
}

static int p_outs(void *ctx, uint16_t port, unsigned int size,
		  const void *buf, uint64_t pa, uint32_t count)
{
	const uint8_t *p = tm.mem + pa;
	uint32_t i;

	tm.exits++;
	for (i = 0; i < count; i++) {
		uint64_t v = 0;

		memcpy(&v, p + i * size, size);
		dm_ide_pio(&tm.ide, true, port, size, &v);
	}
	return 0;
}

static int p_wait_irq(void *ctx, unsigned int irq, uint64_t timeout_ns)
{
	if (tm.async && tm.pending)
		t_complete();
	if (!tm.irq_edge)
		return -110;
	tm.irq_edge = false;
	return 0;
}

void t_machine_setup(bool async)
{
	struct dm_ide_backend be = { .rw = be_rw, .flush = be_flush,
				     .set_irq = be_irq };

	memset(&tm, 0, sizeof(tm));
	tm.mem = aligned_alloc(4096, T_MEM_BYTES);
	tm.disk = calloc(T_DISK_SECTORS, 512);
	memset(tm.mem, 0, T_MEM_BYTES);
	tm.async = async;
	if (async)
		be.submit = be_submit;
	dm_ide_init(&tm.ide, &be, tm.mem, T_MEM_BYTES, T_DISK_SECTORS);
	tm.pio = (struct xpv_pio_ops){ .in = p_in, .out = p_out, .ins = p_ins,
				       .outs = p_outs, .wait_irq = p_wait_irq };
}

void t_machine_teardown(void)
{
	free(tm.mem);
	free(tm.disk);
}

uint8_t t_in(uint16_t port)
{
	return p_in(NULL, port, 1);
}

void t_out(uint16_t port, uint8_t v)
{
	p_out(NULL, port, 1, v);
}

void t_outl(uint16_t port, uint32_t v)
{
	p_out(NULL, port, 4, v);
}

void t_prd(uint32_t at, uint32_t base, uint16_t count, bool eot)
{
	uint8_t *e = tm.mem + at;

	e[0] = base; e[1] = base >> 8; e[2] = base >> 16; e[3] = base >> 24;
	e[4] = count; e[5] = count >> 8;
	e[6] = 0; e[7] = eot ? 0x80 : 0;
}

void t_cmd48(uint8_t cmd, uint64_t lba, uint16_t nsect)
{
	t_out(0x1f2, nsect >> 8);
	t_out(0x1f3, lba >> 24);
	t_out(0x1f4, lba >> 32);
	t_out(0x1f5, lba >> 40);
	t_out(0x1f2, nsect);
	t_out(0x1f3, lba);
	t_out(0x1f4, lba >> 8);
	t_out(0x1f5, lba >> 16);
	t_out(0x1f6, 0x40);
	t_out(0x1f7, cmd);
}
