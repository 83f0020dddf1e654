// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "tests/unit/ne2k/harness.h"

struct t_nic tn;
const uint8_t t_mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

static int be_tx(void *arg, const void *frame, size_t len)
{
	if (tn.tx_fail)
		return tn.tx_fail;
	if (tn.nsent < T_MAX_SENT && len <= DM_NE2K_MAX_FRAME) {
		memcpy(tn.sent[tn.nsent], frame, len);
		tn.sent_len[tn.nsent] = len;
	}
	tn.nsent++;
	return 0;
}

static void be_irq(void *arg, bool level)
{
	if (level && !tn.irq_line) {
		tn.irq_edge = true;
		tn.irqs++;
	}
	tn.irq_line = level;
}

static uint32_t p_in(void *ctx, uint16_t port, unsigned int size)
{
	uint64_t v = 0;

	tn.exits++;
	if (dm_ne2k_pio(&tn.card, false, port, size, &v))
		return ~0u;
	return v;
}

static void p_out(void *ctx, uint16_t port, unsigned int size, uint32_t val)
{
	uint64_t v = val;

	tn.exits++;
	dm_ne2k_pio(&tn.card, true, port, size, &v);
}

static int p_ins(void *ctx, uint16_t port, unsigned int size, void *buf,
		 uint64_t pa, uint32_t count)
{
	uint32_t i;

	tn.exits++;
	if (pa > T_MEM_BYTES || (uint64_t)count * size > T_MEM_BYTES - pa)
		return -14;
	for (i = 0; i < count; i++) {
		uint64_t v = 0;

		dm_ne2k_pio(&tn.card, false, port, size, &v);
		memcpy(tn.mem + pa + i * size, &v, size);
	}
	return 0;
}

static int p_outs(void *ctx, uint16_t port, unsigned int size,
		  const void *buf, uint64_t pa, uint32_t count)
{
	uint32_t i;

	tn.exits++;
	if (pa > T_MEM_BYTES || (uint64_t)count * size > T_MEM_BYTES - pa)
		return -14;
	for (i = 0; i < count; i++) {
		uint64_t v = 0;

		memcpy(&v, tn.mem + pa + i * size, size);
		dm_ne2k_pio(&tn.card, true, port, size, &v);
	}
	return 0;
}

static int p_wait_irq(void *ctx, unsigned int irq, uint64_t timeout_ns)
{
	if (!tn.irq_edge)
		return -110;
	tn.irq_edge = false;
	return 0;
}

void t_nic_setup(void)
{
	struct dm_ne2k_backend be = { .tx = be_tx, .set_irq = be_irq };

	memset(&tn, 0, sizeof(tn));
	tn.mem = aligned_alloc(4096, T_MEM_BYTES);
	memset(tn.mem, 0, T_MEM_BYTES);
	dm_ne2k_init(&tn.card, &be, t_mac);
	tn.pio = (struct xpv_pio_ops){ .in = p_in, .out = p_out, .ins = p_ins,
				       .outs = p_outs, .wait_irq = p_wait_irq };
}

void t_nic_teardown(void)
{
	free(tn.mem);
	tn.mem = NULL;
}

uint8_t t_in(unsigned int reg)
{
	return p_in(NULL, DM_NE2K_BASE + reg, 1);
}

void t_out(unsigned int reg, uint8_t v)
{
	p_out(NULL, DM_NE2K_BASE + reg, 1, v);
}

static void remote_start(uint16_t addr, unsigned int n, uint8_t cmd)
{
	t_out(NE_CR, NE_CR_RD_ABORT | NE_CR_STA);
	t_out(NE_P0_RBCR0, n & 0xff);
	t_out(NE_P0_RBCR1, n >> 8);
	t_out(NE_P0_RSAR0, addr & 0xff);
	t_out(NE_P0_RSAR1, addr >> 8);
	t_out(NE_CR, cmd | NE_CR_STA);
}

void t_remote_write(uint16_t addr, const uint8_t *p, unsigned int n)
{
	unsigned int i;

	remote_start(addr, n, NE_CR_RD_WRITE);
	for (i = 0; i < n; i++)
		t_out(NE_DATA, p[i]);
}

void t_remote_read(uint16_t addr, uint8_t *p, unsigned int n)
{
	unsigned int i;

	remote_start(addr, n, NE_CR_RD_READ);
	for (i = 0; i < n; i++)
		p[i] = t_in(NE_DATA);
}

void t_frame(uint8_t *f, const uint8_t dst[6], unsigned int len,
	     unsigned int seed)
{
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	unsigned int i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	for (i = 14; i < len; i++)
		f[i] = (uint8_t)(i * 7 + seed * 13 + (i >> 8));
}
