#!/usr/bin/env bash
# Installs what xenpv needs on Debian 12, only when something is missing.
set -euo pipefail
. "$(dirname "$0")/apt.sh"
apt_install_missing deps build-essential libxen-dev libaio-dev \
	libcunit1-dev clang libclang-rt-14-dev xenstore-utils iproute2 python3 \
	binutils-ia64-linux-gnu iputils-ping iperf3
