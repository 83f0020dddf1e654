/* SPDX-License-Identifier: MIT */
/*
 * For tests whose domains are forked processes: a check that ends the
 * child with a message (CUnit's asserts only count in the parent), and the
 * child's exit status as one number.
 */
#ifndef XENPV_TESTS_PROCS_H
#define XENPV_TESTS_PROCS_H

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(c)                                                             \
	do {                                                                 \
		if (!(c)) {                                                  \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #c);                     \
			_exit(1);                                            \
		}                                                            \
	} while (0)

/* The exit code, 128 + signal for a killed child, -1 if it can't be reaped. */
static inline int wait_exit(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#endif
