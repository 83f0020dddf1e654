// SPDX-License-Identifier: MIT
/*
 * The backing store: a raw file or a block device, opened with O_DIRECT
 * (buffered only if the filesystem refuses it, and then said in the log).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/blkback/blkback.h"

static int open_store(struct bb_disk *d, const char *path, bool readonly,
		      const struct bb_cfg *cfg)
{
	int fd = xpv_aio_open(path, readonly ? O_RDONLY : O_RDWR,
			      !cfg->buffered && !cfg->null_target, &d->direct,
			      bb_log);

	d->fd = fd < 0 ? -1 : fd;
	return fd < 0 ? fd : 0;
}

/* Punching past the end changes nothing: it only asks if holes work. */
static bool file_can_punch(int fd, uint64_t size)
{
	return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			 (off_t)size + XPV_PAGE_SIZE, XPV_PAGE_SIZE) == 0;
}

int bb_disk_refresh(struct bb_disk *d)
{
	struct stat st;
	uint64_t bytes;

	if (fstat(d->fd, &st) < 0)
		return -errno;
	d->blockdev = S_ISBLK(st.st_mode);
	if (d->blockdev) {
		if (ioctl(d->fd, BLKGETSIZE64, &bytes) < 0)
			return -errno;
	} else if (S_ISREG(st.st_mode)) {
		bytes = st.st_size;
	} else {
		return -EINVAL;
	}
	d->size = bytes - bytes % d->lbs;
	return 0;
}

static void probe_geometry(struct bb_disk *d, const struct bb_cfg *cfg)
{
	int lbs = 0;
	unsigned int pbs = 0;
	struct stat st;

	d->lbs = cfg->sector_size == 4096 ? 4096 : 512;
	d->pbs = XPV_PAGE_SIZE;
	d->discard_gran = XPV_PAGE_SIZE;
	if (fstat(d->fd, &st) == 0 && S_ISBLK(st.st_mode)) {
		if (ioctl(d->fd, BLKSSZGET, &lbs) == 0 && lbs > (int)d->lbs)
			d->lbs = lbs;
		if (ioctl(d->fd, BLKPBSZGET, &pbs) == 0 && pbs >= d->lbs)
			d->pbs = pbs;
	} else if (fstat(d->fd, &st) == 0 && st.st_blksize >= (int)d->lbs) {
		d->discard_gran = st.st_blksize;
	}
	if (d->pbs < d->lbs)
		d->pbs = d->lbs;
}

int bb_disk_open(struct bb_disk *d, const char *path, bool readonly,
		 const struct bb_cfg *cfg)
{
	int err;

	memset(d, 0, sizeof(*d));
	err = open_store(d, path, readonly, cfg);
	if (err)
		return err;
	probe_geometry(d, cfg);
	err = bb_disk_refresh(d);
	if (err) {
		bb_disk_close(d);
		return err;
	}
	d->discard = !readonly &&
		     (d->blockdev || file_can_punch(d->fd, d->size));
	return 0;
}

void bb_disk_close(struct bb_disk *d)
{
	if (d->fd > 0)
		close(d->fd);
	d->fd = -1;
}

int bb_disk_discard(struct bb_disk *d, uint64_t off, uint64_t len)
{
	if (d->blockdev) {
		uint64_t range[2] = { off, len };

		return ioctl(d->fd, BLKDISCARD, range) < 0 ? -errno : 0;
	}
	/* A hole reads back as zeros, which is what we promise. */
	if (fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) < 0)
		return -errno;
	return 0;
}
