#!/usr/bin/env bash
# `make test`'s way into a real-Xen harness, the same as `make xen-test`
# (pv) or `make xen-hvm-test` (hvm): the harness's packages, the modules
# and our PV kernel, then one boot of Xen in QEMU.  The programs the guests
# run are in `make test`'s build already.
#
# usage: suite.sh pv|hvm
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${XENPV_BUILD:-$top/build}
case ${1:-} in
pv) run=$top/tests/xen/run.sh name=xen-test ;;
hvm) run=$top/tests/xen/hvm/run.sh name=xen-hvm-test ;;
*) echo "usage: suite.sh pv|hvm"; exit 2 ;;
esac
fail() {
	echo "$name: $*"
	echo "0 passed, 1 failed"
	exit 1
}
bash "$top/tests/xen/deps.sh" || fail "installing the harness's packages"
make -C "$top" --no-print-directory modules || fail "make modules"
make -C "$top" --no-print-directory kernel || fail "make kernel"
exec bash "$run" "$build"
