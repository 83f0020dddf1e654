/* SPDX-License-Identifier: MIT */
/*
 * The kernel's small-object heap over one fixed region: first fit on a
 * free list kept in address order, blocks split on allocation and merged
 * with free neighbours on release, the end of the used region given back.
 * No locking: os_kernel.c holds its lock around each call.  Pure code,
 * so the host tests run it (tests/unit/archxen).
 */
#ifndef XENPV_ARCH_XEN_HEAP_H
#define XENPV_ARCH_XEN_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define KHEAP_ALIGN 16u

struct kheap_block;

struct kheap {
	uint8_t *base;
	size_t size;
	size_t top;			/* bytes used from base on */
	struct kheap_block *free;	/* below top, by address */
};

/* @base aligned to KHEAP_ALIGN. */
void kheap_init(struct kheap *h, void *base, size_t size);
/* KHEAP_ALIGN-aligned memory, or NULL. */
void *kheap_alloc(struct kheap *h, size_t size);
void kheap_free(struct kheap *h, void *p);
/* Free bytes: those above top and those in free blocks. */
size_t kheap_free_bytes(const struct kheap *h);
/* Blocks on the free list (fragmentation, for the tests). */
unsigned int kheap_free_blocks(const struct kheap *h);

#endif
