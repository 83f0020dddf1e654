// SPDX-License-Identifier: MIT
/*
 * xenpv-attach: the toolstack's part of a vbd.  Writes the frontend and
 * backend nodes of a disk in one transaction, with the permissions a
 * toolstack gives them (frontend directory owned by the guest and readable
 * by the backend domain, backend directory the other way round), and on
 * detach asks for a clean close and removes the nodes once it is done.
 *
 *   xenpv-attach [--dir DIR] block --domid N --vdev V --target FILE
 *                [--mode r|w] [--backend-domid B] [--cdrom] [--removable]
 *                [--backend-type T]
 *   xenpv-attach [--dir DIR] detach block --domid N --vdev V
 *                [--backend-domid B] [--timeout SECONDS]
 *
 * --dir names a loopback directory (its xenstored.sock); without it the
 * usual xenstore of the host is used.  --backend-type puts the backend under
 * backend/T instead of backend/vbd, as a toolstack does for a userspace
 * backend (QEMU's qdisk) so that the kernel's blkback leaves it alone; the
 * frontend stays device/vbd.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "backend/netback/vif_attach.h"

#define PATH_LEN 256

struct attach {
	struct xs_handle *xs;
	unsigned int domid, vdev, be_domid;
	const char *target, *mode, *be_type;
	bool cdrom, removable, have_domid, have_vdev;
	unsigned int timeout_s;
	char fe[PATH_LEN], be[PATH_LEN];
};

static int put(struct attach *a, xs_transaction_t t, const char *dir,
	       const char *node, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int put(struct attach *a, xs_transaction_t t, const char *dir,
	       const char *node, const char *fmt, ...)
{
	char path[PATH_LEN + 64], val[PATH_LEN];
	va_list ap;

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	return xs_write(a->xs, t, path, val, strlen(val)) ? 0 : -errno;
}

/* @owner owns @path; @reader (if not the owner) may read it. */
static int own(struct attach *a, xs_transaction_t t, const char *path,
	       unsigned int owner, unsigned int reader)
{
	struct xs_permissions p[2] = {
		{ .id = owner, .perms = XS_PERM_NONE },
		{ .id = reader, .perms = XS_PERM_READ },
	};

	if (!xs_mkdir(a->xs, t, path))
		return -errno;
	return xs_set_permissions(a->xs, t, path, p, owner == reader ? 1 : 2)
		       ? 0
		       : -errno;
}

static bool exists(struct attach *a, xs_transaction_t t, const char *path)
{
	unsigned int len;
	char *v = xs_read(a->xs, t, path, &len);

	free(v);
	return v != NULL;
}

static int write_frontend(struct attach *a, xs_transaction_t t)
{
	char path[PATH_LEN];
	int err = 0;

	snprintf(path, sizeof(path), "/local/domain/%u", a->domid);
	if (!exists(a, t, path))
		err = own(a, t, path, 0, a->domid);
	snprintf(path, sizeof(path), "/local/domain/%u/device", a->domid);
	if (!err && !exists(a, t, path))
		err = own(a, t, path, a->domid, a->domid);
	snprintf(path, sizeof(path), "/local/domain/%u/device/vbd", a->domid);
	if (!err && !exists(a, t, path))
		err = own(a, t, path, a->domid, a->domid);
	/* Children created below inherit the directory's permissions. */
	err = err ? err : own(a, t, a->fe, a->domid, a->be_domid);
	err = err ? err : put(a, t, a->fe, "backend", "%s", a->be);
	err = err ? err : put(a, t, a->fe, "backend-id", "%u", a->be_domid);
	err = err ? err : put(a, t, a->fe, "virtual-device", "%u", a->vdev);
	err = err ? err : put(a, t, a->fe, "device-type", "%s",
			      a->cdrom ? "cdrom" : "disk");
	return err ? err : put(a, t, a->fe, "state", "1");
}

static int write_backend(struct attach *a, xs_transaction_t t)
{
	int err = own(a, t, a->be, a->be_domid, a->domid);

	err = err ? err : put(a, t, a->be, "frontend", "%s", a->fe);
	err = err ? err : put(a, t, a->be, "frontend-id", "%u", a->domid);
	err = err ? err : put(a, t, a->be, "params", "%s", a->target);
	err = err ? err : put(a, t, a->be, "physical-device-path", "%s",
			      a->target);
	err = err ? err : put(a, t, a->be, "mode", "%s", a->mode);
	err = err ? err : put(a, t, a->be, "type", "file");
	err = err ? err : put(a, t, a->be, "removable", "%d", a->removable);
	err = err ? err : put(a, t, a->be, "device-type", "%s",
			      a->cdrom ? "cdrom" : "disk");
	err = err ? err : put(a, t, a->be, "online", "1");
	return err ? err : put(a, t, a->be, "state", "1");
}

/* Runs @fn in a transaction, again while xenstored says it conflicted. */
static int in_txn(struct attach *a, int (*fn)(struct attach *a,
					       xs_transaction_t t))
{
	int tries, err = -EAGAIN;

	for (tries = 0; tries < 32 && err == -EAGAIN; tries++) {
		xs_transaction_t t = xs_transaction_start(a->xs);

		if (t == XBT_NULL)
			return -errno;
		err = fn(a, t);
		if (!xs_transaction_end(a->xs, t, err != 0) && !err)
			err = -errno;
	}
	return err;
}

static int do_attach(struct attach *a, xs_transaction_t t)
{
	int err;

	if (exists(a, t, a->fe) || exists(a, t, a->be))
		return -EEXIST;
	err = write_frontend(a, t);
	return err ? err : write_backend(a, t);
}

static int ask_close(struct attach *a, xs_transaction_t t)
{
	int err;

	if (!exists(a, t, a->be))
		return -ENOENT;
	err = put(a, t, a->be, "online", "0");
	return err ? err : put(a, t, a->be, "state", "5");
}

static int remove_nodes(struct attach *a, xs_transaction_t t)
{
	xs_rm(a->xs, t, a->fe);
	return xs_rm(a->xs, t, a->be) || errno == ENOENT ? 0 : -errno;
}

static int backend_state(struct attach *a)
{
	char path[PATH_LEN + 8], *v;
	unsigned int len;
	int st;

	snprintf(path, sizeof(path), "%s/state", a->be);
	v = xs_read(a->xs, XBT_NULL, path, &len);
	st = v ? atoi(v) : -1;
	free(v);
	return st;
}

static int do_detach(struct attach *a)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	unsigned int waited_ms = 0;
	int err = in_txn(a, ask_close);

	if (err)
		return err;
	/* The backend says Closed once the frontend closed or is gone. */
	while (backend_state(a) != 6) {
		if (waited_ms >= a->timeout_s * 1000) {
			fprintf(stderr, "xenpv-attach: %s did not close in %us, "
				"removing it anyway\n", a->be, a->timeout_s);
			break;
		}
		nanosleep(&nap, NULL);
		waited_ms += 20;
	}
	return in_txn(a, remove_nodes);
}

static int usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: xenpv-attach [--dir DIR] block --domid N --vdev V "
		"--target FILE\n"
		"           [--mode r|w] [--backend-domid B] [--cdrom] "
		"[--removable] [--backend-type T]\n"
		"       xenpv-attach [--dir DIR] detach block --domid N "
		"--vdev V [--timeout S] [--backend-type T]\n");
	return rc;
}

static bool num(const char *s, unsigned long max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v > max)
		return false;
	*out = v;
	return true;
}

static int parse(struct attach *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "domid", required_argument, NULL, 'n' },
		{ "vdev", required_argument, NULL, 'v' },
		{ "target", required_argument, NULL, 't' },
		{ "mode", required_argument, NULL, 'm' },
		{ "backend-domid", required_argument, NULL, 'b' },
		{ "cdrom", no_argument, NULL, 'c' },
		{ "removable", no_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "backend-type", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char sock[PATH_LEN + 32];
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		bool ok = true;

		switch (c) {
		case 'd':
			snprintf(sock, sizeof(sock), "%s/xenstored.sock",
				 optarg);
			setenv("XENSTORED_PATH", sock, 1);
			break;
		case 'n': ok = a->have_domid = num(optarg, 0x7fef, &a->domid); break;
		case 'v': ok = a->have_vdev = num(optarg, UINT32_MAX, &a->vdev); break;
		case 't': a->target = optarg; break;
		case 'm': a->mode = optarg; break;
		case 'b': ok = num(optarg, 0x7fef, &a->be_domid); break;
		case 'c': a->cdrom = true; break;
		case 'r': a->removable = true; break;
		case 'T': ok = num(optarg, 3600, &a->timeout_s); break;
		case 'B':
			a->be_type = optarg;
			ok = *optarg && !strchr(optarg, '/') &&
			     strlen(optarg) <= 32;
			break;
		case 'h': return usage(0) - 1;
		default: ok = false;
		}
		if (!ok)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct attach a = { .mode = "w", .timeout_s = 10, .be_type = "vbd" };
	bool detach;
	int err;

	if (xpv_vif_wants(argc, argv))
		return xpv_vif_main(argc, argv);
	if (parse(&a, argc, argv))
		return usage(2);
	detach = optind < argc && !strcmp(argv[optind], "detach");
	if (detach)
		optind++;
	if (optind + 1 != argc || strcmp(argv[optind], "block") ||
	    !a.have_domid || !a.have_vdev || (!detach && !a.target) ||
	    (strcmp(a.mode, "r") && strcmp(a.mode, "w")))
		return usage(2);
	snprintf(a.fe, sizeof(a.fe), "/local/domain/%u/device/vbd/%u", a.domid,
		 a.vdev);
	snprintf(a.be, sizeof(a.be), "/local/domain/%u/backend/%s/%u/%u",
		 a.be_domid, a.be_type, a.domid, a.vdev);
	a.xs = xs_open(0);
	if (!a.xs) {
		perror("xenpv-attach: xenstore");
		return 1;
	}
	err = detach ? do_detach(&a) : in_txn(&a, do_attach);
	xs_close(a.xs);
	if (err) {
		fprintf(stderr, "xenpv-attach: %s: %s\n", detach ? a.be : a.fe,
			strerror(-err));
		return 1;
	}
	return 0;
}
