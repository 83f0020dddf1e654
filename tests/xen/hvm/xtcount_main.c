// SPDX-License-Identifier: MIT
/*
 * xenpv-xtcount TRACE_FILE: the per-phase counts of a xentrace file (see
 * xtcount.c), one "XTRACE phase=ID ..." line each and an "XTRACE total" line.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/xen/hvm/xtcount.h"

int main(int argc, char **argv)
{
	static struct xpv_xt_count k;
	struct stat st;
	void *map;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: xenpv-xtcount TRACE_FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(argv[1]);
		return 1;
	}
	if (st.st_size > 0) {
		map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		if (xpv_xt_walk(&k, map, st.st_size) < 0) {
			fprintf(stderr, "xenpv-xtcount: out of memory\n");
			return 1;
		}
		munmap(map, st.st_size);
	}
	close(fd);
	xpv_xt_print(stdout, &k);
	return 0;
}
