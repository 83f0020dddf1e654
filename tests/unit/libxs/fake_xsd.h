/* SPDX-License-Identifier: MIT */
/*
 * A scripted xenstored for the libxs tests: it listens on a unix socket in a
 * temporary directory (XENSTORED_PATH points there), accepts one client and
 * runs a script in its own thread that reads requests and writes whatever
 * replies the test wants, good or evil.  CUnit is not thread-safe, so the
 * script records failed checks and the test asserts on them afterwards.
 */
#ifndef XENPV_TEST_FAKE_XSD_H
#define XENPV_TEST_FAKE_XSD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "xenpv/xs_wire.h"

struct fake_xsd;
typedef void (*fake_script_t)(struct fake_xsd *f);

struct fake_xsd {
	char dir[64];
	char path[96];
	int lfd;
	int fd;
	pthread_t thread;
	fake_script_t script;
	void *arg;
	int failures;
	char why[256];
};

/* Listens, sets XENSTORED_PATH and starts @script; 0 or -1. */
int fake_start(struct fake_xsd *f, fake_script_t script, void *arg);
/* Waits for the script to end; returns the number of failed checks. */
int fake_finish(struct fake_xsd *f);

/* Script side.  fake_recv is false at EOF or on a broken message. */
bool fake_recv(struct fake_xsd *f, struct xpv_xs_msg *m);
void fake_send_raw(struct fake_xsd *f, const void *data, size_t len);
void fake_send(struct fake_xsd *f, uint32_t type, uint32_t req_id,
	       const void *body, uint32_t len);
/* Reply to @req: @type with @s and its NUL. */
void fake_reply(struct fake_xsd *f, const struct xpv_xs_msg *req,
		uint32_t type, const char *s);
/* Reads one request, checks its type and body, replies @type + @reply. */
bool fake_expect(struct fake_xsd *f, uint32_t type, const void *body,
		 uint32_t len, uint32_t rtype, const char *reply);
/* Waits for the client to hang up; a request instead is a failure. */
void fake_expect_eof(struct fake_xsd *f);
void fake_hangup(struct fake_xsd *f);
void fake_fail(struct fake_xsd *f, const char *what, int line);

/* A string literal and its size with the NUL, for message bodies. */
#define S(lit) lit, sizeof(lit)

struct xs_handle;
/* Starts the fake daemon on @s and opens a libxs handle to it (NULL: failed). */
struct xs_handle *fake_open(struct fake_xsd *f, fake_script_t s,
			    unsigned long flags);
/* Closes the handle and reports the script's verdict as a CUnit assert. */
void fake_close(struct fake_xsd *f, struct xs_handle *h);

#define FAKE_CHECK(f, cond)                                   \
	do {                                                  \
		if (!(cond))                                  \
			fake_fail((f), #cond, __LINE__);      \
	} while (0)

#endif
