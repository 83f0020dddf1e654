// SPDX-License-Identifier: MIT
/*
 * The device model's main loop: one thread polls the domain's event kick,
 * the libaio eventfd and the TAP, and runs everything from there.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/aio/aio.h"
#include "backend/tap/tap.h"
#include "devmodel/dm.h"
#include "devmodel/ide.h"
#include "devmodel/ne2k.h"

#define DM_PAGES 16

struct dm {
	struct lb_dom *d;
	struct lb_ioreq_server srv;
	struct dm_ide ide;
	bool have_disk;
	int fd_aio, fd_buf;		/* the engine's, and for PIO */
	bool direct;			/* fd_aio is O_DIRECT */
	struct xpv_aio *aio;
	struct xpv_aio_req req;		/* the one DMA transfer in flight */
	struct dm_ne2k nic;
	bool have_nic;
	int tap_fd;
};

static int be_rw(void *arg, bool write, uint64_t off, void *buf, size_t len)
{
	struct dm *dm = arg;
	ssize_t r = write ? pwrite(dm->fd_buf, buf, len, off) :
			    pread(dm->fd_buf, buf, len, off);

	return r == (ssize_t)len ? 0 : r < 0 ? -errno : -EIO;
}

static int be_submit(void *arg, bool write, uint64_t off,
		     const struct iovec *iov, unsigned int niov)
{
	struct dm *dm = arg;
	ssize_t r;

	if (!dm->direct || xpv_aio_aligned(iov, niov, off, DM_IDE_SECTOR)) {
		/* The IDE channel runs one command at a time. */
		if (xpv_aio_inflight(dm->aio))
			return -EBUSY;
		xpv_aio_prep_rw(dm->aio, &dm->req, dm->fd_aio, write, off,
				iov, niov, dm);
		if (xpv_aio_queue(dm->aio, &dm->req))
			return -EBUSY;
		xpv_aio_flush(dm->aio);
		return 0;
	}
	/* The guest's buffers are not sector aligned: no O_DIRECT for them. */
	r = write ? pwritev(dm->fd_buf, iov, niov, off) :
		    preadv(dm->fd_buf, iov, niov, off);
	dm_ide_dma_done(&dm->ide, r < 0 ? -errno : r);
	return 0;
}

static int be_flush(void *arg)
{
	struct dm *dm = arg;

	return fdatasync(dm->fd_buf) ? -errno : 0;
}

static void be_irq(void *arg, bool level)
{
	struct dm *dm = arg;

	lb_ioreq_set_irq(&dm->srv, DM_IDE_IRQ, level);
}

static void aio_done(void *cookie, long res)
{
	struct dm *dm = cookie;

	dm_ide_dma_done(&dm->ide, res);
}

static int open_disk(struct dm *dm, const struct dm_cfg *cfg)
{
	struct stat st;

	dm->fd_buf = open(cfg->disk, O_RDWR | O_CLOEXEC);
	if (dm->fd_buf < 0 || fstat(dm->fd_buf, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	dm->fd_aio = xpv_aio_open(cfg->disk, O_RDWR, !cfg->buffered,
				  &dm->direct, NULL);
	if (dm->fd_aio < 0)
		return dm->fd_aio;
	dm->aio = xpv_aio_new(1);
	return dm->aio ? 0 : -errno;
}

/* Unassigned ports float: reads are all ones, writes vanish. */
static int dm_pio(void *arg, const ioreq_t *req, uint64_t addr, uint64_t *val)
{
	struct dm *dm = arg;
	bool write = req->dir == IOREQ_WRITE;

	if (dm->have_disk &&
	    dm_ide_pio(&dm->ide, write, addr, req->size, val) == 0)
		return 0;
	if (dm->have_nic &&
	    dm_ne2k_pio(&dm->nic, write, addr, req->size, val) == 0)
		return 0;
	if (!write)
		*val = ~0ull;
	return 0;
}

static void nic_irq(void *arg, bool level)
{
	struct dm *dm = arg;

	lb_ioreq_set_irq(&dm->srv, DM_NE2K_IRQ, level);
}

static int nic_tx(void *arg, const void *frame, size_t len)
{
	struct dm *dm = arg;

	return write(dm->tap_fd, frame, len) == (ssize_t)len ? 0 : -EIO;
}

/* Frames from the TAP into the NIC's ring, while there is room. */
static void tap_rx(struct dm *dm)
{
	uint8_t frame[DM_NE2K_MAX_FRAME + 4];
	ssize_t n;

	while (dm_ne2k_can_receive(&dm->nic)) {
		n = read(dm->tap_fd, frame, sizeof(frame));
		if (n <= 0)
			return;
		dm_ne2k_receive(&dm->nic, frame, n);
	}
}

static int dm_setup(struct dm *dm, const struct dm_cfg *cfg)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	int err;

	dm->fd_aio = dm->fd_buf = dm->tap_fd = -1;
	for (err = 0; err < 1000; err++) {
		dm->d = lb_dom_join(cfg->dir ? cfg->dir : lb_default_dir(), 0,
				    DM_PAGES);
		/* A previous model may still be being torn down. */
		if (dm->d || errno != EEXIST)
			break;
		usleep(1000);
	}
	if (!dm->d)
		return -errno;
	err = lb_ioreq_server_init(&dm->srv, dm->d, cfg->guest, cfg->ioreq_gfn,
				   dm_pio, NULL, dm);
	if (err)
		return err;
	if (cfg->disk) {
		struct dm_ide_backend be = { .rw = be_rw, .submit = be_submit,
					     .flush = be_flush,
					     .set_irq = be_irq, .arg = dm };
		struct stat st;

		err = open_disk(dm, cfg);
		if (err || fstat(dm->fd_buf, &st) < 0)
			return err ? err : -errno;
		dm_ide_init(&dm->ide, &be, dm->srv.guest_mem,
			    dm->srv.guest_bytes, st.st_size / DM_IDE_SECTOR);
		dm->have_disk = true;
	}
	if (cfg->tap) {
		struct dm_ne2k_backend nb = { .tx = nic_tx, .set_irq = nic_irq,
					      .arg = dm };

		dm->tap_fd = xpv_tap_open(cfg->tap, 0, NULL);
		if (dm->tap_fd < 0)
			return dm->tap_fd;
		dm_ne2k_init(&dm->nic, &nb, mac);
		dm->have_nic = true;
	}
	return 0;
}

/* The guest is gone when its end of our vCPU channel is. */
static bool guest_alive(struct dm *dm)
{
	unsigned int state;
	domid_t rd;
	evtchn_port_t rp;

	return lb_evtchn_status(dm->d, dm->srv.vcpu_port[0], &state, &rd,
				&rp) == 0 && state == 2;
}

/* 1 if something was served, 0 after an idle poll. */
static int dm_poll_once(struct dm *dm)
{
	struct pollfd p[3] = {
		{ .fd = lb_dom_event_fd(dm->d), .events = POLLIN },
		{ .fd = dm->aio ? xpv_aio_event_fd(dm->aio) : -1,
		  .events = POLLIN },
		{ .fd = dm->have_nic && dm_ne2k_can_receive(&dm->nic) ?
			dm->tap_fd : -1, .events = POLLIN },
	};
	uint64_t v;

	if (poll(p, 3, 200) <= 0)
		return 0;
	if (p[0].revents & POLLIN) {
		if (read(p[0].fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return 0;
		lb_ioreq_server_run(&dm->srv);
	}
	if (p[1].revents & POLLIN)
		xpv_aio_reap(dm->aio, aio_done);
	if (p[2].revents & POLLIN)
		tap_rx(dm);
	return 1;
}

static void dm_counters(struct dm *dm, struct dm_counters *c)
{
	struct rusage ru;

	memset(c, 0, sizeof(*c));
	c->ioreq = dm->srv.stats;
	c->ide_cmds = dm->ide.stats.cmds;
	c->ide_errors = dm->ide.stats.errors;
	c->prd_errors = dm->ide.stats.prd_errors;
	c->nic_tx = dm->nic.stats.tx;
	c->nic_rx = dm->nic.stats.rx;
	c->nic_drops = dm->nic.stats.drops;
	getrusage(RUSAGE_SELF, &ru);
	c->cpu_user_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	c->cpu_sys_s = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void dm_teardown(struct dm *dm)
{
	if (dm->aio)
		xpv_aio_free(dm->aio);
	if (dm->fd_aio >= 0)
		close(dm->fd_aio);
	if (dm->fd_buf >= 0)
		close(dm->fd_buf);
	if (dm->tap_fd >= 0)
		close(dm->tap_fd);
	if (dm->d) {
		lb_ioreq_server_destroy(&dm->srv);
		lb_dom_leave(dm->d);
	}
}

int dm_run(const struct dm_cfg *cfg, volatile sig_atomic_t *stop,
	   struct dm_counters *out)
{
	struct dm *dm = calloc(1, sizeof(*dm));
	unsigned int n = 0;
	int err;

	if (!dm)
		return -ENOMEM;
	err = dm_setup(dm, cfg);
	while (!err && !*stop) {
		/* Look for a vanished guest when idle, and now and then. */
		if ((!dm_poll_once(dm) || ++n % 4096 == 0) && !guest_alive(dm))
			break;
	}
	if (!err && out)
		dm_counters(dm, out);
	dm_teardown(dm);
	free(dm);
	return err;
}
