#!/usr/bin/env bash
# The Debian kernel the modules are built for and the Xen guests boot: the
# newest -amd64 release that has headers (KVER overrides).
set -euo pipefail
if [ -n "${KVER:-}" ]; then
	echo "$KVER"
	exit 0
fi
{
	for d in /lib/modules/*-amd64; do
		[ -d "$d/build" ] && basename "$d"
	done
	for d in /usr/src/linux-headers-*-amd64; do
		[ -d "$d" ] && echo "${d#/usr/src/linux-headers-}"
	done
} 2>/dev/null | sort -uV | tail -n 1
