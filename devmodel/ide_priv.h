/* SPDX-License-Identifier: MIT */
/* What the two halves of the IDE emulation call in each other. */
#ifndef XENPV_DEVMODEL_IDE_PRIV_H
#define XENPV_DEVMODEL_IDE_PRIV_H

#include "devmodel/ide.h"

/* Asserts INTRQ unless the guest set nIEN. */
void ide_raise(struct dm_ide *ide);
/* Ends the command in error: ERR in status, @error in the error register. */
void ide_fail(struct dm_ide *ide, uint8_t error);
void ide_dma_command(struct dm_ide *ide, bool write, uint64_t lba,
		     uint32_t nsect);
void ide_dma_finish(struct dm_ide *ide, int err, bool exact);
int ide_bm_access(struct dm_ide *ide, bool write, unsigned int reg,
		  unsigned int size, uint64_t *val);
void ide_identify(struct dm_ide *ide, uint16_t *words);

#endif
