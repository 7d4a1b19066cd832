#!/bin/sh
# Installs the Debian packages that building and testing Robopager need.
# As root it runs apt-get; otherwise it names what is missing and fails.
# "deps.sh dev" adds the tools of make fuzz, make lint, make valgrind and
# make deb (and systemd-analyze, man for the checks of the units and pages);
# "deps.sh bench" adds nginx for make bench.
set -eu

PKGS="build-essential pkg-config libcurl4-openssl-dev libyaml-dev libhiredis-dev
libinih-dev libjansson-dev libssl-dev check redis-server redis-sentinel dovecot-imapd openssl
python3 curl tzdata faketime prometheus-node-exporter prometheus-alertmanager"
if [ "${1:-}" = dev ]; then
	PKGS="$PKGS clang libclang-rt-14-dev valgrind cppcheck debhelper dpkg-dev man-db
systemd"
fi
# make bench: a real web server as the source of the large runs.
if [ "${1:-}" = bench ]; then
	PKGS="$PKGS nginx-light"
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "robopager: these Debian packages are missing:$missing" >&2
	echo "robopager: install them with: sudo apt-get install$missing" >&2
	exit 1
fi
echo "robopager: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The redis-server, redis-sentinel and prometheus-alertmanager packages start
# system services (6379, 26379, 9093); the tests start their own on private
# ports and do not need them.
apt-get install -y -qq --no-install-recommends $missing >/dev/null
