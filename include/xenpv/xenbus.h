/* SPDX-License-Identifier: MIT */
/*
 * The xenbus state machine as a pure function, the strict parser for a
 * "state" node and device path builders.
 *
 * A driver reads the other end's state node whenever its watch fires and
 * asks xpv_xenbus_step() what to do; it performs the action, writes the
 * next state if it differs, and asks again with its new state until the
 * answer is "stay, no action" (a single observation may take two steps,
 * e.g. a backend restart seen by a connected frontend: reset, then connect).
 * For any fixed other-end state this settles within XPV_XENBUS_MAX_STEPS.
 */
#ifndef XENPV_XENBUS_H
#define XENPV_XENBUS_H

#include "xenpv/os.h"

enum xpv_xenbus_role {
	XPV_XENBUS_FRONTEND,
	XPV_XENBUS_BACKEND,
};

enum xpv_xenbus_action {
	XPV_XENBUS_NONE,
	/*
	 * Frontend: allocate and grant the rings, bind the event channel,
	 * publish them.  Backend: read what the frontend published, map the
	 * rings, bind the event channel, start serving.
	 */
	XPV_XENBUS_CONNECT,
	/* Frontend only: the backend is connected; read its details, go. */
	XPV_XENBUS_READY,
	/* Tear down whatever is set up (must be idempotent). */
	XPV_XENBUS_DISCONNECT,
	/* The other end restarted: tear down and prepare to connect again. */
	XPV_XENBUS_RESET,
	/* Write the "error" node, tear down; the next state is Closing. */
	XPV_XENBUS_FAIL,
};

struct xpv_xenbus_step {
	enum xenbus_state next;
	enum xpv_xenbus_action action;
};

#define XPV_XENBUS_MAX_STEPS 3

/*
 * Next local state and action for @role in state @local when the other
 * end is in @other.  Never returns a state outside Initialising..Closed.
 * An @other out of range, or a @local this role never uses, fails the
 * device (unless it is already Closing or Closed).
 */
struct xpv_xenbus_step xpv_xenbus_step(enum xpv_xenbus_role role,
				       enum xenbus_state local,
				       enum xenbus_state other);
/* Give up on the device after an error: Closing + FAIL (once). */
struct xpv_xenbus_step xpv_xenbus_fail(enum xenbus_state local);
/* Orderly close (unplug, driver unload): Closing + DISCONNECT (once). */
struct xpv_xenbus_step xpv_xenbus_close(enum xenbus_state local);

/* True for a state this role may hold (Initialising..Closed subset). */
bool xpv_xenbus_state_valid(enum xpv_xenbus_role role, enum xenbus_state s);
/* "Connected" etc.; "invalid" for a value outside the enum. */
const char *xpv_xenbus_state_name(enum xenbus_state s);
const char *xpv_xenbus_action_name(enum xpv_xenbus_action a);

/*
 * Parse a state node's value, @len bytes at @s (as xenstore returned it):
 * exactly one decimal digit "0".."8".  Anything else (empty, signs, blanks,
 * leading zeros, trailing junk, embedded NUL, 9 and up) is -XPV_EINVAL.
 */
int xpv_xenbus_parse_state(const char *s, size_t len, enum xenbus_state *out);

/*
 * The other end's state node at @path into *@out: 0 (a missing node is
 * Unknown: an end whose directory is gone is gone), -XPV_EINVAL for a value
 * that is not a state (*@out stays Unknown), or the read's own error when
 * the store did not answer: then nothing is known and the caller should
 * do nothing.
 */
int xpv_xenbus_read_state(const char *path, enum xenbus_state *out);

/*
 * Path builders.  Each returns the length written or -XPV_E2BIG when @buf
 * is too small (the buffer then holds a truncated string, not to be used),
 * -XPV_EINVAL for a device type that is empty, too long or not made of
 * [a-z0-9_-].
 */
#define XPV_XENBUS_TYPE_MAX 32
/* "device/<type>/<devid>", relative to the frontend domain's home. */
int xpv_xenbus_frontend_path(char *buf, size_t size, const char *type,
			     unsigned int devid);
/* "/local/domain/<domid>/device/<type>/<devid>" */
int xpv_xenbus_frontend_abs_path(char *buf, size_t size, domid_t domid,
				 const char *type, unsigned int devid);
/* "/local/domain/<backend>/backend/<type>/<frontend>/<devid>" */
int xpv_xenbus_backend_path(char *buf, size_t size, domid_t backend,
			    const char *type, domid_t frontend,
			    unsigned int devid);
/* "<dir>/<node>"; @node must be non-empty and hold no '/'. */
int xpv_xenbus_join(char *buf, size_t size, const char *dir, const char *node);

#endif
