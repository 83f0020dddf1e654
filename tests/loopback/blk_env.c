// SPDX-License-Identifier: MIT
/* The block end-to-end fixture: see blk_env.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "os/user/child.h"
#include "tests/loopback/blk_env.h"

const char *blk_env_bin(const char *name, char *buf, size_t size)
{
	const char *b = getenv("XENPV_BUILD");

	snprintf(buf, size, "%s/san/bin/%s", b && *b ? b : "build", name);
	return buf;
}

static int make_disk(struct blk_env *e, uint64_t bytes,
		     void (*fill)(uint8_t *buf, uint64_t off, size_t len))
{
	static uint8_t chunk[1 << 16];
	uint64_t off;
	int fd = open(e->disk, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -errno;
	for (off = 0; off < bytes; off += sizeof(chunk)) {
		size_t n = bytes - off < sizeof(chunk) ? bytes - off
						       : sizeof(chunk);

		memset(chunk, 0, n);
		if (fill)
			fill(chunk, off, n);
		if (pwrite(fd, chunk, n, off) != (ssize_t)n) {
			close(fd);
			return -EIO;
		}
	}
	close(fd);
	return 0;
}

int blk_env_start(struct blk_env *e, uint64_t disk_bytes,
		  void (*fill)(uint8_t *buf, uint64_t off, size_t len))
{
	char bin[256], log[160], sock[160];
	int out = -1, err;

	memset(e, 0, sizeof(*e));
	strcpy(e->dir, "/tmp/xpvblk.XXXXXX");
	if (!mkdtemp(e->dir))
		return -errno;
	snprintf(e->disk, sizeof(e->disk), "%s/disk.img", e->dir);
	snprintf(e->bb_log, sizeof(e->bb_log), "%s/blkback.log", e->dir);
	snprintf(log, sizeof(log), "%s/loopback.log", e->dir);
	err = make_disk(e, disk_bytes, fill);
	if (err)
		return err;
	{
		char *argv[] = { (char *)blk_env_bin("xenpv-loopback", bin,
						     sizeof(bin)),
				 "--dir", e->dir, NULL };

		e->lb_pid = xpv_child_spawn(argv[0], argv, &out, log, -1);
	}
	if (e->lb_pid < 0 || !xpv_child_wait_line(out, "XENSTORED_PATH="))
		err = -EIO;
	if (out >= 0)
		close(out);
	snprintf(sock, sizeof(sock), "%s/xenstored.sock", e->dir);
	setenv("XENSTORED_PATH", sock, 1);
	setenv("XENPV_LOOPBACK_DIR", e->dir, 1);
	return err;
}

int blk_env_backend(struct blk_env *e, const char *const *args)
{
	char bin[256], *argv[24];
	int n = 0, out = -1;
	bool ok;

	argv[n++] = (char *)blk_env_bin("xenpv-blkback", bin, sizeof(bin));
	argv[n++] = "--dir";
	argv[n++] = e->dir;
	while (args && *args && n < 23)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	e->bb_pid = xpv_child_spawn(argv[0], argv, &out, e->bb_log, -1);
	if (e->bb_pid < 0)
		return -errno;
	ok = xpv_child_wait_line(out, "xenpv-blkback ready");
	close(out);
	return ok ? 0 : -EIO;
}

static void reap(pid_t *pid, int sig)
{
	if (*pid <= 0)
		return;
	kill(*pid, sig);
	waitpid(*pid, NULL, 0);
	*pid = 0;
}

void blk_env_backend_kill(struct blk_env *e, int sig)
{
	reap(&e->bb_pid, sig);
}

int blk_env_attach(struct blk_env *e, unsigned int domid, unsigned int vdev,
		   const char *mode)
{
	char bin[256], d[16], v[16], *argv[16];
	int n = 0, st;
	pid_t pid;

	snprintf(d, sizeof(d), "%u", domid);
	snprintf(v, sizeof(v), "%u", vdev);
	argv[n++] = (char *)blk_env_bin("xenpv-attach", bin, sizeof(bin));
	argv[n++] = "--dir";
	argv[n++] = e->dir;
	if (!mode)
		argv[n++] = "detach";
	argv[n++] = "block";
	argv[n++] = "--domid";
	argv[n++] = d;
	argv[n++] = "--vdev";
	argv[n++] = v;
	if (mode) {
		argv[n++] = "--target";
		argv[n++] = e->disk;
		argv[n++] = "--mode";
		argv[n++] = (char *)mode;
	}
	argv[n] = NULL;
	pid = xpv_child_spawn(argv[0], argv, NULL, e->bb_log, -1);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

static long be_read_here(unsigned int domid, unsigned int vdev,
			 const char *node)
{
	struct xs_handle *xs = xs_open(0);
	char path[256], *v;
	unsigned int len;
	long r = -1;

	if (!xs)
		return -1;
	snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%u/%u/%s",
		 domid, vdev, node);
	v = xs_read(xs, XBT_NULL, path, &len);
	if (v)
		r = strtol(v, NULL, 10);
	free(v);
	xs_close(xs);
	return r;
}

/*
 * Read from a child: xenstored knows a process by its pid, and the caller
 * may have joined the loopback as a guest that can't see this node.
 */
long blk_env_be_read(struct blk_env *e, unsigned int domid, unsigned int vdev,
		     const char *node)
{
	int pfd[2];
	long r = -1;
	pid_t pid;

	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		r = be_read_here(domid, vdev, node);
		if (write(pfd[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	if (pid < 0 || read(pfd[0], &r, sizeof(r)) != sizeof(r))
		r = -1;
	close(pfd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return r;
}

bool blk_env_be_wait(struct blk_env *e, unsigned int domid, unsigned int vdev,
		     const char *node, long want)
{
	struct timespec nap = { 0, 5 * 1000 * 1000 };
	int i;

	for (i = 0; i < 2000; i++) {
		if (blk_env_be_read(e, domid, vdev, node) == want)
			return true;
		nanosleep(&nap, NULL);
	}
	return false;
}

void blk_env_stop(struct blk_env *e)
{
	char cmd[128];

	reap(&e->bb_pid, SIGTERM);
	reap(&e->lb_pid, SIGTERM);
	if (e->dir[0] && !getenv("XENPV_KEEP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", e->dir);
	}
}
