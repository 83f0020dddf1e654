// SPDX-License-Identifier: MIT
/* Child processes that announce themselves on stdout: see child.h. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "os/user/child.h"

void xpv_child_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("sched_setaffinity");
}

pid_t xpv_child_spawn(const char *prog, char *const argv[], int *out,
		      const char *log, int cpu)
{
	int pfd[2] = { -1, -1 };
	pid_t pid;

	if (out && pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd = open(log ? log : "/dev/null",
			      O_WRONLY | O_CREAT | O_APPEND, 0644);

		xpv_child_pin(cpu);
		dup2(fd, 2);
		dup2(out ? pfd[1] : fd, 1);
		if (out)
			close(pfd[0]);
		execv(prog, argv);
		_exit(127);
	}
	if (out) {
		close(pfd[1]);
		if (pid < 0)
			close(pfd[0]);
		else
			*out = pfd[0];
	}
	return pid;
}

bool xpv_child_wait_line(int fd, const char *want)
{
	char buf[1024];
	size_t n = 0;
	ssize_t r;

	while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0) {
		n += (size_t)r;
		buf[n] = 0;
		if (strstr(buf, want))
			return true;
		/* Keep the newer half: @want may straddle two reads. */
		if (n > sizeof(buf) / 2) {
			memmove(buf, buf + n / 2, n - n / 2);
			n -= n / 2;
		}
	}
	return false;
}
