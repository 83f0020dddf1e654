// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the emulated NE2000: the input is a sequence of
 * port accesses a guest could make (any register, page, size, value,
 * data-port traffic) with frames from the wire arriving in between.  The
 * card must stay inside its memory (ASan), send only frames of legal size,
 * and only ever write a ring it has checked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devmodel/ne2k.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fz_tx(void *arg, const void *frame, size_t len)
{
	const volatile uint8_t *p = frame;

	if (len < 14 || len > DM_NE2K_MAX_FRAME)
		abort();
	(void)p[0];
	(void)p[len - 1];
	return (len & 7) == 7 ? -5 : 0;
}

static void fz_irq(void *arg, bool level)
{
}

/* A frame into the ring: what it wrote must sit where CURR was. */
static void fz_receive(struct dm_ne2k *n, const uint8_t *op)
{
	static uint8_t frame[DM_NE2K_MAX_FRAME + 8];
	unsigned int len = (op[1] | op[2] << 8) % sizeof(frame);
	uint8_t curr = n->curr;

	memset(frame, op[3], sizeof(frame));
	if (op[0] & 0x20)
		memcpy(frame, n->par, 6);
	if (dm_ne2k_receive(n, frame, len) == 0) {
		if (curr < DM_NE2K_RAM_START / 256 ||
		    curr >= DM_NE2K_MEM_SIZE / 256 ||
		    n->mem[curr * 256 + 1] != n->curr)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 1, 2, 3 };
	struct dm_ne2k_backend be = { .tx = fz_tx, .set_irq = fz_irq };
	struct dm_ne2k *n = malloc(sizeof(*n));
	size_t i;

	if (!n)
		return 0;
	dm_ne2k_init(n, &be, mac);
	for (i = 0; i + 4 <= size; i += 4) {
		const uint8_t *op = data + i;
		uint64_t v = op[2] | op[3] << 8;

		if ((op[0] & 0xc0) == 0xc0) {
			fz_receive(n, op);
			continue;
		}
		dm_ne2k_pio(n, op[0] & 1, DM_NE2K_BASE + (op[1] & 0x3f) - 8,
			    sizes[(op[0] >> 1) & 3], &v);
		if ((op[0] & 0x18) == 0x18) {
			/* A burst on the data port, as rep insw/outsw. */
			unsigned int k;

			for (k = 0; k < op[2]; k++) {
				v = k;
				dm_ne2k_pio(n, op[0] & 1,
					    DM_NE2K_BASE + NE_DATA, 2, &v);
			}
		}
	}
	free(n);
	return 0;
}
