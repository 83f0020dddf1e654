#!/usr/bin/env bash
# Installs what xenpv needs on Debian 12, only when something is missing.
set -euo pipefail
pkgs=(build-essential libxen-dev libaio-dev libcunit1-dev clang
      libclang-rt-14-dev xenstore-utils iproute2 python3
      binutils-ia64-linux-gnu iputils-ping iperf3)
need=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "deps: installing ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: run as root (or install: ${need[*]})" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
