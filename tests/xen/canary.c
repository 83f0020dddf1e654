// SPDX-License-Identifier: MIT
/*
 * xenpv-canary: memory that only this process writes, checked until it is
 * told to stop.  Every pass it takes a fresh chunk of pages (the ones the
 * allocator just had back, the ones a stale grant, mapping or DMA would
 * hit), fills each word with a value naming its offset, gives back the
 * oldest chunk and checks all it holds.  A damaged page is reported once,
 * with the bytes found, then refilled.
 *
 * usage: xenpv-canary TAG MIB SECONDS   (stops early on SIGTERM/SIGINT)
 * prints "canary TAG: N damaged pages in M passes"; exit 1 if N > 0.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define WORDS (PAGE / 8u)
#define MAGIC 0x5ca1ab1e00000000ull

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t expect(size_t word)
{
	return MAGIC ^ (uint64_t)word;
}

static void fill_page(uint64_t *w, size_t first)
{
	size_t k;

	for (k = 0; k < WORDS; k++)
		w[k] = expect(first + k);
}

static int page_intact(const uint64_t *w, size_t first)
{
	size_t k;

	for (k = 0; k < WORDS; k++)
		if (w[k] != expect(first + k))
			return 0;
	return 1;
}

static void report(const char *tag, const uint64_t *w, size_t page)
{
	size_t k, bad = 0, first = WORDS;

	for (k = 0; k < WORDS; k++)
		if (w[k] != expect(page * WORDS + k)) {
			bad++;
			if (first == WORDS)
				first = k;
		}
	printf("canary %s: page %zu: %zu of %u words changed, first at byte "
	       "%zu:", tag, page, bad, WORDS, first * 8);
	for (k = first; k < first + 8 && k < WORDS; k++)
		printf(" %016" PRIx64, w[k]);
	printf("\n");
	fflush(stdout);
}

/*
 * Memory is taken in chunks, a fresh chunk every pass and the oldest given
 * back: fresh pages are the ones the allocator just had, the ones a stale
 * writer would hit.
 */
#define CHUNKS 8u

struct chunk {
	uint64_t *mem;
	size_t first_page;
};

static size_t check_chunk(const char *tag, struct chunk *c, size_t pages)
{
	size_t p, damaged = 0;

	for (p = 0; p < pages; p++) {
		uint64_t *w = c->mem + p * WORDS;
		size_t page = c->first_page + p;

		if (page_intact(w, page * WORDS))
			continue;
		report(tag, w, page);
		fill_page(w, page * WORDS);
		damaged++;
	}
	return damaged;
}

static int new_chunk(struct chunk *c, size_t pages, size_t first_page)
{
	size_t p;

	c->mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (c->mem == MAP_FAILED) {
		c->mem = NULL;
		return -1;
	}
	c->first_page = first_page;
	for (p = 0; p < pages; p++)
		fill_page(c->mem + p * WORDS, (first_page + p) * WORDS);
	return 0;
}

int main(int argc, char **argv)
{
	struct chunk ch[CHUNKS] = { { 0 } };
	size_t pages, damaged = 0, passes = 0, i, next_page = 0;
	time_t end;

	if (argc != 4 || atoi(argv[2]) <= 0 || atoi(argv[3]) <= 0) {
		fprintf(stderr, "usage: xenpv-canary TAG MIB SECONDS\n");
		return 2;
	}
	pages = (size_t)atoi(argv[2]) * 256 / CHUNKS;
	end = time(NULL) + atoi(argv[3]);
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	while (!stop && time(NULL) < end) {
		struct chunk *c = &ch[passes % CHUNKS];

		if (c->mem)
			munmap(c->mem, pages * PAGE);
		if (new_chunk(c, pages, next_page)) {
			perror("canary: mmap");
			return 2;
		}
		next_page += pages;
		usleep(200000);
		for (i = 0; i < CHUNKS; i++)
			if (ch[i].mem)
				damaged += check_chunk(argv[1], &ch[i], pages);
		passes++;
	}
	printf("canary %s: %zu damaged pages in %zu passes\n", argv[1], damaged,
	       passes);
	return damaged ? 1 : 0;
}
