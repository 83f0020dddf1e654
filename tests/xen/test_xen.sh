#!/usr/bin/env bash
# `make test`'s way into the real-Xen harness (the same as `make xen-test`):
# the harness's packages, the modules, one boot of Xen in QEMU.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${XENPV_BUILD:-$top/build}
fail() {
	echo "xen-test: $*"
	echo "0 passed, 1 failed"
	exit 1
}
bash "$top/tests/xen/deps.sh" || fail "installing the harness's packages"
make -C "$top" --no-print-directory modules || fail "make modules"
make -C "$top" --no-print-directory kernel || fail "make kernel"
exec bash "$top/tests/xen/run.sh" "$build"
