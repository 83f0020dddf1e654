/* SPDX-License-Identifier: MIT */
/*
 * The NE2000 tests' machine: the emulated card with a backend that records
 * what it sent and its interrupt line, guest memory, and port I/O that
 * reaches the card directly (the ioreq round trip taken out, each access
 * still counted as one exit), so the driver runs unchanged.
 */
#ifndef XENPV_TESTS_NE2K_HARNESS_H
#define XENPV_TESTS_NE2K_HARNESS_H

#include "devmodel/ne2k.h"
#include "xenpv/pio.h"

#define T_MEM_BYTES (64u * 1024)
#define T_MAX_SENT 64

struct t_nic {
	struct dm_ne2k card;
	uint8_t *mem;			/* guest memory */
	bool irq_line, irq_edge;
	unsigned int irqs;
	int tx_fail;			/* the wire refuses: -errno */
	unsigned int nsent;
	size_t sent_len[T_MAX_SENT];
	uint8_t sent[T_MAX_SENT][DM_NE2K_MAX_FRAME];
	struct xpv_pio_ops pio;
	uint64_t exits;
};

extern struct t_nic tn;
extern const uint8_t t_mac[6];

void t_nic_setup(void);
void t_nic_teardown(void);
uint8_t t_in(unsigned int reg);
void t_out(unsigned int reg, uint8_t v);
/* Remote DMA of @n bytes at card address @addr, a word at a time. */
void t_remote_write(uint16_t addr, const uint8_t *p, unsigned int n);
void t_remote_read(uint16_t addr, uint8_t *p, unsigned int n);
/* A frame to @dst from a fixed source, @len bytes, payload from @seed. */
void t_frame(uint8_t *f, const uint8_t dst[6], unsigned int len,
	     unsigned int seed);

#endif
