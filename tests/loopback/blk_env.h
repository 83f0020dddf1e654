/* SPDX-License-Identifier: MIT */
/*
 * A fixture for block end-to-end tests: a private loopback (xenpv-loopback
 * in a fresh directory), a disk file, xenpv-attach, and xenpv-blkback as a
 * child process that may be killed and started again.  Only the processes
 * it started are ever signalled, by pid.
 */
#ifndef XENPV_TESTS_BLK_ENV_H
#define XENPV_TESTS_BLK_ENV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct blk_env {
	char dir[64];
	char disk[128];
	char bb_log[128];
	pid_t lb_pid, bb_pid;
};

/* Starts the loopback and makes a @disk_bytes disk file filled by @fill. */
int blk_env_start(struct blk_env *e, uint64_t disk_bytes,
		  void (*fill)(uint8_t *buf, uint64_t off, size_t len));
/* xenpv-blkback with extra arguments (NULL-terminated, may be NULL). */
int blk_env_backend(struct blk_env *e, const char *const *args);
/* Signals the backend and reaps it. */
void blk_env_backend_kill(struct blk_env *e, int sig);
/* xenpv-attach block (@mode "r" or "w") or detach (@mode NULL). */
int blk_env_attach(struct blk_env *e, unsigned int domid, unsigned int vdev,
		   const char *mode);
/* Everything down, the directory removed. */
void blk_env_stop(struct blk_env *e);

/* A program of this build (san flavour). */
const char *blk_env_bin(const char *name, char *buf, size_t size);
/* Backend node of (@domid, @vdev) as dom0 sees it; -1 if absent. */
long blk_env_be_read(struct blk_env *e, unsigned int domid, unsigned int vdev,
		     const char *node);
/* Waits (bounded) until the backend node equals @want; true if it did. */
bool blk_env_be_wait(struct blk_env *e, unsigned int domid, unsigned int vdev,
		     const char *node, long want);

#endif
