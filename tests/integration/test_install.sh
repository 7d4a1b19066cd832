# make install and make uninstall into a throwaway DESTDIR: every program,
# man page, unit and example where PREFIX, BINDIR, MANDIR, SYSCONFDIR and
# SYSTEMDDIR say; an etl.cfg that is there is never overwritten; the units
# name the installed programs and rate 2.0 or better in systemd-analyze
# security. Sourced by tests/run-tests.sh.

DEST="$WORK/destdir"
mk() { make -s -C "$TOP" "$@" >"$WORK/make.out" 2>&1; RC=$?; }
set +e
mk install DESTDIR="$DEST" PREFIX=/opt/rp SYSCONFDIR=/etc/rp-test
set -e
expect "install: exit 0" 0 "$RC"
for p in rp-latency-check rp-email-check rp-heartbeat rp-status rp-silence robopager rp-ping; do
	expect "install: $p in BINDIR" 1 "$([ -x "$DEST/opt/rp/bin/$p" ] && echo 1 || echo 0)"
	expect "install: $p(1) in MANDIR" 1 "$([ -f "$DEST/opt/rp/share/man/man1/$p.1" ] && echo 1 || echo 0)"
done
expect "install: robopager.cfg(5)" 1 "$([ -f "$DEST/opt/rp/share/man/man5/robopager.cfg.5" ] && echo 1 || echo 0)"
expect "install: the checklist cache's directory, the user's alone" 700 "$(stat -c %a "$DEST/var/cache/robopager" 2>&1)"
expect "install: etl.cfg under SYSCONFDIR, mode 600" 600 "$(stat -c %a "$DEST/etc/rp-test/robopager/etl.cfg")"
expect "install: checklist.yaml under SYSCONFDIR" 1 "$([ -f "$DEST/etc/rp-test/robopager/checklist.yaml" ] && echo 1 || echo 0)"
expect "install: checklist.yaml mode 640 (its integration keys let anyone open incidents)" 640 "$(stat -c %a "$DEST/etc/rp-test/robopager/checklist.yaml")"
expect "install: units name the installed program and config" \
	"ExecStart=/opt/rp/bin/rp-latency-check -q -f /etc/rp-test/robopager/etl.cfg" \
	"$(grep '^ExecStart=' "$DEST/opt/rp/lib/systemd/system/rp-latency-check.service")"
expect_match "install: the cron.d file names them too" '^\*/5 +\* +\* +\* +\* +robopager +/opt/rp/bin/rp-heartbeat -q -f /etc/rp-test/robopager/etl.cfg$' \
	"$(cat "$DEST/opt/rp/share/robopager/cron.d-robopager")"
# The examples under the names README and the man pages give them.
for f in $(grep -ohE 'share/robopager/[A-Za-z][A-Za-z.-]*[a-z]' "$TOP/README.md" "$TOP"/man/*.[15] | sort -u); do
	expect "install: $f, as the documentation names it" 1 "$([ -f "$DEST/opt/rp/$f" ] && echo 1 || echo 0)"
done
expect "install: the three examples" "checklist.yaml.example cron.d-robopager etl.cfg.example" \
	"$(ls "$DEST/opt/rp/share/robopager" | tr '\n' ' ' | sed 's/ $//')"
expect "install: no make target the files name is missing" "" \
	"$(grep -ohwE 'make [a-z][a-z-]*' "$TOP/cron/robopager.in" "$TOP/README.md" | sed 's/^make //' |
		grep -vx it | sort -u | while read -r t; do grep -qE "^$t:" "$TOP/Makefile" || echo "$t"; done)"
set +e
mk install-cron DESTDIR="$DEST" PREFIX=/opt/rp SYSCONFDIR=/etc/rp-test
set -e
expect "install-cron: exit 0" 0 "$RC"
expect "install-cron: /etc/cron.d/robopager, mode 644" 644 "$(stat -c %a "$DEST/etc/cron.d/robopager" 2>&1)"
expect "install-cron: the same file as the example" "" \
	"$(diff "$DEST/etc/cron.d/robopager" "$DEST/opt/rp/share/robopager/cron.d-robopager" 2>&1)"
echo "; edited by the admin" >>"$DEST/etc/rp-test/robopager/etl.cfg"
set +e
mk install DESTDIR="$DEST" PREFIX=/opt/rp SYSCONFDIR=/etc/rp-test
set -e
expect "install again: an existing etl.cfg is kept" "; edited by the admin" "$(tail -n 1 "$DEST/etc/rp-test/robopager/etl.cfg")"
expect_match "install again: and says so" 'kept .*/etc/rp-test/robopager/etl.cfg' "$(cat "$WORK/make.out")"
expect "install: the programs run" "rp-status 0.1.0" "$("$DEST/opt/rp/bin/rp-status" --version)"
if command -v systemd-analyze >/dev/null; then
	for u in rp-latency-check rp-email-check rp-heartbeat; do
		score=$(systemd-analyze security --offline=true "$DEST/opt/rp/lib/systemd/system/$u.service" 2>&1 |
			sed -nE 's/.*Overall exposure level for [^:]*: ([0-9.]+).*/\1/p')
		expect "systemd: $u.service exposure $score is 2.0 or better" 1 \
			"$(python3 -c "import sys; print(1 if sys.argv[1] and float(sys.argv[1]) <= 2.0 else 0)" "$score")"
		expect_match "systemd: $u.timer is a timer with OnCalendar and Persistent" 'OnCalendar=.*Persistent=true' \
			"$(tr '\n' ' ' <"$DEST/opt/rp/lib/systemd/system/$u.timer")"
	done
fi
set +e
mk uninstall DESTDIR="$DEST" PREFIX=/opt/rp SYSCONFDIR=/etc/rp-test
set -e
expect "uninstall: exit 0" 0 "$RC"
expect "uninstall: programs, pages and units gone" "" \
	"$(find "$DEST/opt" -type f | sort)"
expect "uninstall: the cache gone" 0 "$([ -e "$DEST/var/cache/robopager" ] && echo 1 || echo 0)"
expect "uninstall: the cron.d file gone" 0 "$([ -e "$DEST/etc/cron.d/robopager" ] && echo 1 || echo 0)"
expect "uninstall: etl.cfg and checklist.yaml left" "checklist.yaml etl.cfg" "$(ls "$DEST/etc/rp-test/robopager" | tr '\n' ' ' | sed 's/ $//')"
