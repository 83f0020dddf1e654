/* SPDX-License-Identifier: MIT */
/*
 * Child processes for the programs that start daemons (the loopback, a
 * backend) and wait for their "ready" line: the benchmarks and the
 * end-to-end tests.
 */
#ifndef XENPV_OS_USER_CHILD_H
#define XENPV_OS_USER_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * fork + exec of @prog with @argv, on CPU @cpu (-1: any).  Its stdout goes
 * to a pipe whose read end lands in *@out, or with @out NULL to @log;
 * stderr goes to @log (NULL: /dev/null).  The child's pid, or -1.
 */
pid_t xpv_child_spawn(const char *prog, char *const argv[], int *out,
		      const char *log, int cpu);

/* Pins the calling process to @cpu (-1: leaves it be). */
void xpv_child_pin(int cpu);

/* Reads @fd until @want shows up (true) or EOF, e.g. the child died. */
bool xpv_child_wait_line(int fd, const char *want);

#endif
