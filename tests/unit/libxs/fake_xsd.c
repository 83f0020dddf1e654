// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <xenstore.h>
#include <CUnit/CUnit.h>

#include "tests/unit/libxs/fake_xsd.h"

void fake_fail(struct fake_xsd *f, const char *what, int line)
{
	if (!f->failures)
		snprintf(f->why, sizeof(f->why), "line %d: %s", line, what);
	f->failures++;
	fprintf(stderr, "fake xenstored: check failed at line %d: %s\n", line,
		what);
}

static void *fake_main(void *arg)
{
	struct fake_xsd *f = arg;

	f->fd = accept(f->lfd, NULL, NULL);
	if (f->fd < 0) {
		fake_fail(f, "accept", __LINE__);
		return NULL;
	}
	f->script(f);
	fake_hangup(f);
	return NULL;
}

int fake_start(struct fake_xsd *f, fake_script_t script, void *arg)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->script = script;
	f->arg = arg;
	snprintf(f->dir, sizeof(f->dir), "/tmp/libxs-test.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/socket", f->dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->lfd < 0 ||
	    bind(f->lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(f->lfd, 4) < 0)
		return -1;
	setenv("XENSTORED_PATH", f->path, 1);
	if (pthread_create(&f->thread, NULL, fake_main, f))
		return -1;
	return 0;
}

int fake_finish(struct fake_xsd *f)
{
	pthread_join(f->thread, NULL);
	close(f->lfd);
	unlink(f->path);
	rmdir(f->dir);
	unsetenv("XENSTORED_PATH");
	return f->failures;
}

void fake_hangup(struct fake_xsd *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static bool fake_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool fake_recv(struct fake_xsd *f, struct xpv_xs_msg *m)
{
	if (f->fd < 0 || !fake_read_full(f->fd, &m->hdr, sizeof(m->hdr)))
		return false;
	if (m->hdr.len > XENSTORE_PAYLOAD_MAX) {
		fake_fail(f, "client sent an oversized request", __LINE__);
		return false;
	}
	if (!fake_read_full(f->fd, m->body, m->hdr.len))
		return false;
	m->body[m->hdr.len] = '\0';
	return true;
}

void fake_send_raw(struct fake_xsd *f, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len && f->fd >= 0) {
		n = send(f->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

void fake_send(struct fake_xsd *f, uint32_t type, uint32_t req_id,
	       const void *body, uint32_t len)
{
	struct xsd_sockmsg hdr = {
		.type = type, .req_id = req_id, .tx_id = 0, .len = len,
	};
	char *buf = malloc(sizeof(hdr) + len);

	if (!buf)
		return;
	memcpy(buf, &hdr, sizeof(hdr));
	if (len)
		memcpy(buf + sizeof(hdr), body, len);
	fake_send_raw(f, buf, sizeof(hdr) + len);
	free(buf);
}

void fake_reply(struct fake_xsd *f, const struct xpv_xs_msg *req,
		uint32_t type, const char *s)
{
	fake_send(f, type, req->hdr.req_id, s, (uint32_t)strlen(s) + 1);
}

bool fake_expect(struct fake_xsd *f, uint32_t type, const void *body,
		 uint32_t len, uint32_t rtype, const char *reply)
{
	struct xpv_xs_msg m;

	if (!fake_recv(f, &m)) {
		fake_fail(f, "expected a request", __LINE__);
		return false;
	}
	FAKE_CHECK(f, m.hdr.type == type);
	FAKE_CHECK(f, m.hdr.len == len);
	FAKE_CHECK(f, m.hdr.len == len && !memcmp(m.body, body, len));
	if (reply)
		fake_reply(f, &m, rtype, reply);
	return m.hdr.type == type;
}

void fake_expect_eof(struct fake_xsd *f)
{
	struct xpv_xs_msg m;

	if (fake_recv(f, &m))
		fake_fail(f, "request after the connection broke", __LINE__);
}

struct xs_handle *fake_open(struct fake_xsd *f, fake_script_t s,
			    unsigned long flags)
{
	struct xs_handle *h;

	if (fake_start(f, s, NULL))
		return NULL;
	h = xs_open(flags);
	if (!h)
		fake_finish(f);
	return h;
}

void fake_close(struct fake_xsd *f, struct xs_handle *h)
{
	xs_close(h);
	CU_ASSERT_EQUAL(fake_finish(f), 0);
	if (f->failures)
		fprintf(stderr, "script: %s\n", f->why);
}
