// SPDX-License-Identifier: MIT
/* The IDENTIFY DEVICE page of the emulated disk (ATA/ATAPI-7 word layout). */
#include <string.h>

#include "devmodel/ide.h"
#include "devmodel/ide_priv.h"

/* ATA strings: two characters per word, the first in the high byte. */
static void put_string(uint16_t *w, unsigned int words, const char *s)
{
	size_t len = strlen(s);
	unsigned int i;

	for (i = 0; i < words * 2; i++) {
		uint8_t c = i < len ? (uint8_t)s[i] : ' ';

		if (i & 1)
			w[i / 2] |= c;
		else
			w[i / 2] = (uint16_t)c << 8;
	}
}

void ide_identify(struct dm_ide *ide, uint16_t *w)
{
	uint64_t n = ide->nsectors;
	uint32_t n28 = n > 0x0fffffff ? 0x0fffffff : (uint32_t)n;
	unsigned int i;

	memset(w, 0, 512);
	w[0] = 0x0040;			/* fixed, non-removable ATA device */
	w[1] = 16383;
	w[3] = 16;
	w[6] = 63;
	put_string(&w[10], 10, "XPV00000001");
	put_string(&w[23], 4, "1.0");
	put_string(&w[27], 20, "XENPV EMULATED ATA DISK");
	w[47] = 0x8001;			/* one sector per DRQ block */
	w[49] = 0x0300;			/* LBA and DMA */
	w[53] = 0x0006;			/* words 64-70 and 88 are valid */
	w[60] = n28 & 0xffff;
	w[61] = n28 >> 16;
	w[63] = 0x0007;
	w[64] = 0x0003;
	w[80] = 0x00f0;			/* ATA-4 to ATA-7 */
	w[82] = 0x4000;
	w[83] = 0x4000 | 0x0400 | 0x2000;	/* LBA48, FLUSH CACHE EXT */
	w[84] = 0x4000;
	w[85] = 0x4000;
	w[86] = 0x0400 | 0x2000;
	w[87] = 0x4000;
	w[88] = 0x203f;			/* UDMA 0-5 supported, 5 selected */
	for (i = 0; i < 4; i++)
		w[100 + i] = (n >> (16 * i)) & 0xffff;
	w[255] = 0;
}
