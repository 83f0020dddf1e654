/* SPDX-License-Identifier: MIT */
/* Test frames for the netback suites: Ethernet + IPv4/IPv6 + TCP/UDP. */
#ifndef XENPV_TEST_NETBACK_FRAMES_H
#define XENPV_TEST_NETBACK_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/* Builds a frame with @payload bytes of data; returns its length. */
size_t nbt_frame_v4(uint8_t *buf, uint8_t proto, size_t payload);
size_t nbt_frame_v6(uint8_t *buf, uint8_t proto, size_t payload);
/* True if the TCP/UDP checksum of a frame built above verifies. */
int nbt_l4_csum_ok(const uint8_t *frame, size_t len);

/* The data-path suite's fixtures (test_netback_path.c). */
int xpv_netback_path_setup(void);
int xpv_netback_path_teardown(void);

#endif
