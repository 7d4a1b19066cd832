#!/usr/bin/env bash
# Checks a built robopager .deb: unpacked into a throwaway root (dpkg -x),
# it holds the programs, their man pages, the units (whose timers the
# maintainer scripts do not enable) and the examples, and the programs run
# from there. Usage: tests/deb.sh PACKAGE.deb
set -euo pipefail
deb=$1
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg -x "$deb" "$root"
fail=0
check() { if eval "$2"; then echo "  ok   $1"; else echo "  FAIL $1"; fail=1; fi; }
for p in rp-latency-check rp-email-check rp-heartbeat rp-status rp-silence robopager rp-ping; do
	check "$p installed in /usr/bin" "test -x '$root/usr/bin/$p'"
	check "$p(1) installed" "test -e '$root/usr/share/man/man1/$p.1.gz' -o -e '$root/usr/share/man/man1/$p.1'"
done
for f in robopager.cfg robopager-checklist; do
	check "$f(5) installed" "test -e '$root/usr/share/man/man5/$f.5.gz' -o -e '$root/usr/share/man/man5/$f.5'"
done
for u in rp-latency-check rp-email-check rp-heartbeat; do
	check "$u.service and .timer installed" "test -e '$root/lib/systemd/system/$u.service' -a -e '$root/lib/systemd/system/$u.timer'"
	check "$u.service runs /usr/bin/$u" "grep -q '^ExecStart=/usr/bin/$u ' '$root/lib/systemd/system/$u.service'"
done
check "/etc/robopager/etl.cfg, mode 600" "test \"\$(stat -c %a '$root/etc/robopager/etl.cfg')\" = 600"
check "/etc/robopager/checklist.yaml, mode 640" "test \"\$(stat -c %a '$root/etc/robopager/checklist.yaml')\" = 640"
check "the cron.d example names /usr/bin" "grep -q ' /usr/bin/rp-latency-check ' '$root/usr/share/robopager/cron.d-robopager'"
ctrl=$(mktemp -d)
dpkg -e "$deb" "$ctrl"
check "postinst adds the robopager system user" "grep -q 'adduser --system' '$ctrl/postinst'"
# dh_installsystemd --no-enable --no-start: a timer is enabled again only
# if the administrator had enabled it (was-enabled), and nothing is started.
check "no timer is enabled or started by the maintainer scripts" \
	"[ \"\$(grep -c 'deb-systemd-helper enable' '$ctrl/postinst')\" = \"\$(grep -c 'was-enabled' '$ctrl/postinst')\" ] && ! grep -q 'deb-systemd-invoke start' '$ctrl/postinst'"
rm -rf "$ctrl"
v=$("$root/usr/bin/rp-latency-check" --version)
echo "  $root/usr/bin/rp-latency-check --version: $v"
check "rp-latency-check --version runs from the unpacked root" "test '$v' = 'rp-latency-check 0.1.0'"
[ $fail -eq 0 ] && echo "deb: $(basename "$deb") ok" || { echo "deb: FAILED"; exit 1; }
