// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the device model's ioreq slot check: any 32 bytes
 * as the slot a guest vCPU wrote, against a guest memory size taken from
 * the input.  An accepted rep string must lie wholly inside guest memory
 * (touched here, so ASan sees any miss); an accepted single access must
 * have a size and type the emulator handles.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loopback/ioreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_GUEST (256u * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ioreq_t r;
	uint32_t gb = 0;
	uint64_t off = ~0ull, bytes;
	uint8_t *mem;

	if (size < sizeof(r))
		return 0;
	memcpy(&r, data, sizeof(r));
	if (size >= sizeof(r) + 4)
		memcpy(&gb, data + sizeof(r), 4);
	gb %= MAX_GUEST + 1;
	if (lb_ioreq_check_req(&r, gb, &off))
		return 0;
	if (r.size != 1 && r.size != 2 && r.size != 4 && r.size != 8)
		abort();
	if (r.type != IOREQ_TYPE_PIO && r.type != IOREQ_TYPE_COPY)
		abort();
	if (!r.data_is_ptr) {
		if (r.count != 1)
			abort();
		return 0;
	}
	bytes = (uint64_t)r.count * r.size;
	if (off > gb || bytes > gb - off || bytes > LB_IOREQ_MAX_REP_BYTES)
		abort();
	/* DF: data names the last element, which must be the top one. */
	if (r.df ? r.data != off + bytes - r.size : r.data != off)
		abort();
	mem = malloc(gb ? gb : 1);
	if (mem) {
		memset(mem + off, 0x5a, bytes);
		free(mem);
	}
	return 0;
}
