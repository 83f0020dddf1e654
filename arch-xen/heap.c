// SPDX-License-Identifier: MIT
/* The kernel heap: see heap.h. */
#include "arch-xen/heap.h"

/* A header before each block; 16 bytes keep payloads aligned. */
struct kheap_block {
	size_t size;			/* payload bytes */
	struct kheap_block *next;	/* free blocks only */
};

#define HDR sizeof(struct kheap_block)
/* A split leaves a remainder only if it can hold this much. */
#define MIN_SPLIT (HDR + KHEAP_ALIGN)

_Static_assert(sizeof(struct kheap_block) % KHEAP_ALIGN == 0,
	       "headers keep payloads aligned");

static uint8_t *block_end(struct kheap_block *b)
{
	return (uint8_t *)(b + 1) + b->size;
}

void kheap_init(struct kheap *h, void *base, size_t size)
{
	h->base = base;
	h->size = size & ~(size_t)(KHEAP_ALIGN - 1);
	h->top = 0;
	h->free = NULL;
}

/* Cut @b down to @size, the rest a free block put after it on the list. */
static void split(struct kheap_block *b, size_t size)
{
	struct kheap_block *rest;

	if (b->size < size + MIN_SPLIT)
		return;
	rest = (struct kheap_block *)((uint8_t *)(b + 1) + size);
	rest->size = b->size - size - HDR;
	rest->next = b->next;
	b->size = size;
	b->next = rest;
}

void *kheap_alloc(struct kheap *h, size_t size)
{
	struct kheap_block **pp, *b;

	if (size > h->size)
		return NULL;
	size = (size + KHEAP_ALIGN - 1) & ~(size_t)(KHEAP_ALIGN - 1);
	for (pp = &h->free; (b = *pp); pp = &b->next) {
		if (b->size >= size) {
			split(b, size);
			*pp = b->next;
			return b + 1;
		}
	}
	if (h->top + HDR + size > h->size)
		return NULL;
	b = (struct kheap_block *)(h->base + h->top);
	b->size = size;
	h->top += HDR + size;
	return b + 1;
}

/* Merges @b with the free block right after it, if they touch. */
static void merge_next(struct kheap_block *b)
{
	struct kheap_block *n = b->next;

	if (n && block_end(b) == (uint8_t *)n) {
		b->size += HDR + n->size;
		b->next = n->next;
	}
}

/* Takes @b off the free list. */
static void unlink_block(struct kheap *h, struct kheap_block *b)
{
	struct kheap_block **pp = &h->free;

	while (*pp && *pp != b)
		pp = &(*pp)->next;
	if (*pp)
		*pp = b->next;
}

void kheap_free(struct kheap *h, void *p)
{
	struct kheap_block *b, *prev = NULL, **pp = &h->free;

	if (!p)
		return;
	b = (struct kheap_block *)p - 1;
	while (*pp && *pp < b) {
		prev = *pp;
		pp = &prev->next;
	}
	b->next = *pp;
	*pp = b;
	merge_next(b);
	if (prev && block_end(prev) == (uint8_t *)b) {
		merge_next(prev);
		b = prev;
	}
	/* A free block reaching top is the region's end: give it back. */
	if (block_end(b) == h->base + h->top) {
		unlink_block(h, b);
		h->top = (size_t)((uint8_t *)b - h->base);
	}
}

size_t kheap_free_bytes(const struct kheap *h)
{
	const struct kheap_block *b;
	size_t n = h->size - h->top;

	for (b = h->free; b; b = b->next)
		n += b->size;
	return n;
}

unsigned int kheap_free_blocks(const struct kheap *h)
{
	const struct kheap_block *b;
	unsigned int n = 0;

	for (b = h->free; b; b = b->next)
		n++;
	return n;
}
