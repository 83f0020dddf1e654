#!/usr/bin/env bash
# `make test`'s way into the real-Xen HVM harness (the same as
# `make xen-hvm-test`): the harness's packages, our programs and modules, one
# boot of Xen in QEMU with an HVM guest.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${XENPV_BUILD:-$top/build}
fail() {
	echo "xen-hvm-test: $*"
	echo "0 passed, 1 failed"
	exit 1
}
bash "$top/tests/xen/deps.sh" || fail "installing the harness's packages"
make -C "$top" --no-print-directory BUILD="$build" \
	$(printf "$build/rel/bin/%s " xenpv-iobench xenpv-xtcount \
		xenpv-blkback xenpv-netback xenpv-attach) ||
	fail "building the guest and dom0 programs"
make -C "$top" --no-print-directory modules || fail "make modules"
exec bash "$top/tests/xen/hvm/run.sh" "$build"
