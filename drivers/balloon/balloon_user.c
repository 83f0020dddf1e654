// SPDX-License-Identifier: MIT
/*
 * The balloon's userspace host: one thread per balloon calls work() while
 * it asks to be called, sleeps for the back-off it returns, and otherwise
 * until kicked (a watch fired or a target was set).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "drivers/balloon/balloon_user.h"

struct xpv_balloon_user {
	struct xpv_balloon b;
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool kicked, stop, started;
	unsigned long long steps;
};

static void host_kick(void *arg)
{
	struct xpv_balloon_user *u = arg;

	pthread_mutex_lock(&u->mu);
	u->kicked = true;
	pthread_cond_signal(&u->cv);
	pthread_mutex_unlock(&u->mu);
}

/* Sleeps until kicked, stopped or @ns pass (0: no limit). */
static void nap(struct xpv_balloon_user *u, uint64_t ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ns / 1000000000ull;
	ts.tv_nsec += ns % 1000000000ull;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&u->mu);
	while (!u->kicked && !u->stop) {
		if (!ns)
			pthread_cond_wait(&u->cv, &u->mu);
		else if (pthread_cond_timedwait(&u->cv, &u->mu, &ts) ==
			 ETIMEDOUT)
			break;
	}
	u->kicked = false;
	pthread_mutex_unlock(&u->mu);
}

static void *balloon_thread(void *arg)
{
	struct xpv_balloon_user *u = arg;

	while (!__atomic_load_n(&u->stop, __ATOMIC_ACQUIRE)) {
		uint64_t next = xpv_balloon_work(&u->b);

		__atomic_fetch_add(&u->steps, 1, __ATOMIC_RELAXED);
		if (next != XPV_BALLOON_NOW)
			nap(u, next);
	}
	return NULL;
}

struct xpv_balloon_user *
xpv_balloon_user_start(const struct xpv_balloon_cfg *cfg, int *err)
{
	struct xpv_balloon_user *u = calloc(1, sizeof(*u));
	struct xpv_balloon_cfg c = *cfg;
	pthread_condattr_t a;

	*err = -ENOMEM;
	if (!u)
		return NULL;
	pthread_mutex_init(&u->mu, NULL);
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&u->cv, &a);
	pthread_condattr_destroy(&a);
	c.kick = host_kick;
	c.kick_arg = u;
	*err = xpv_balloon_init(&u->b, &c);
	if (!*err) {
		*err = -pthread_create(&u->tid, NULL, balloon_thread, u);
		u->started = !*err;
	}
	if (!*err)
		*err = xpv_balloon_xs_start(&u->b);
	if (*err) {
		xpv_balloon_user_stop(u);
		return NULL;
	}
	return u;
}

void xpv_balloon_user_stop(struct xpv_balloon_user *u)
{
	if (!u)
		return;
	xpv_balloon_xs_stop(&u->b);
	if (u->started) {
		pthread_mutex_lock(&u->mu);
		__atomic_store_n(&u->stop, true, __ATOMIC_RELEASE);
		pthread_cond_signal(&u->cv);
		pthread_mutex_unlock(&u->mu);
		pthread_join(u->tid, NULL);
	}
	if (u->b.lock)
		xpv_balloon_destroy(&u->b);
	pthread_cond_destroy(&u->cv);
	pthread_mutex_destroy(&u->mu);
	free(u);
}

struct xpv_balloon *xpv_balloon_user_dev(struct xpv_balloon_user *u)
{
	return &u->b;
}

unsigned long long xpv_balloon_user_steps(struct xpv_balloon_user *u)
{
	return __atomic_load_n(&u->steps, __ATOMIC_RELAXED);
}
