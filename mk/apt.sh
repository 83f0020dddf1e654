# Sourced: apt_install_missing LABEL PKG... installs, on Debian, those of
# the packages that are not installed yet (nothing, quietly, if none).
apt_install_missing() {
	local label=$1 p need=()
	shift
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'ok installed' || need+=("$p")
	done
	[ ${#need[@]} -eq 0 ] && return 0
	echo "$label: installing ${need[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "$label: run as root (or install: ${need[*]})" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}"
}
