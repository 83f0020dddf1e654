// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the IDE bus-master PRD walk: the input is guest
 * memory (PRD tables and all), with the table address, the transfer size
 * and the entry limit taken from its first bytes.  Whatever the walk
 * returns, every piece it handed out lies inside guest memory (touched
 * here for ASan), and an accepted walk covers exactly the transfer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devmodel/ide.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR 12

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct iovec iov[DM_IDE_MAX_PRD];
	uint32_t prd, want32;
	unsigned int max, niov = 0, i;
	uint64_t total = 0;
	uint8_t *mem;
	bool exact;
	int err;

	if (size < HDR)
		return 0;
	memcpy(&prd, data, 4);
	memcpy(&want32, data + 4, 4);
	max = (data[8] | data[9] << 8) % (DM_IDE_MAX_PRD + 1);
	size -= HDR;
	/* Mostly addresses inside the memory, sometimes anywhere. */
	if (size && !(data[10] & 1))
		prd %= size;
	mem = malloc(size ? size : 1);
	if (!mem)
		return 0;
	memcpy(mem, data + HDR, size);
	err = dm_ide_prd_walk(mem, size, prd, want32 & 0x1ffffff, iov, max,
			      &niov, &exact);
	if (niov > max)
		abort();
	for (i = 0; i < niov; i++) {
		uint8_t *b = iov[i].iov_base;

		if (b < mem || iov[i].iov_len > size ||
		    b - mem > (ptrdiff_t)(size - iov[i].iov_len))
			abort();
		if (iov[i].iov_len)
			memset(b, 0, iov[i].iov_len);
		total += iov[i].iov_len;
	}
	if (!err && total != (want32 & 0x1ffffff))
		abort();
	if (exact && err)
		abort();
	free(mem);
	return 0;
}
