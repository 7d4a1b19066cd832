# The man pages and --help list the same options, for every program; every
# page has the sections a user looks for. Sourced by tests/run-tests.sh.

help_opts() { # the options a program's --help lists, one per line, sorted
	"$TOP/bin/$1" --help | grep -E '^  +-' | grep -oE '(^| )--?[A-Za-z][A-Za-z-]*' | tr -d ' ' | sort -u
}
man_opts() { # the options of the OPTIONS section of a man page
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$TOP/man/$1" | grep -A1 '^\.TP' | grep -v '^\.TP\|^--$' |
		sed 's/\\-/-/g; s/\\f[BIR]//g' | grep -oE '(^| )--?[A-Za-z][A-Za-z-]*' | tr -d ' ' | sort -u
}
for p in rp-latency-check rp-email-check robopager rp-heartbeat rp-status rp-silence rp-ping; do
	h=$(help_opts "$p" | tr '\n' ' ')
	m=$(man_opts "$p.1" | tr '\n' ' ')
	expect "docs: $p --help and $p(1) list the same options" "$h" "$m"
	expect_match "docs: $p --help lists options at all" '--help' "$h"
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' FILES EXAMPLES; do
		expect "docs: $p(1) has $s" 1 "$(grep -c "^\.SH $s\$" "$TOP/man/$p.1")"
	done
done
for f in robopager.cfg.5 robopager-checklist.5; do
	for s in NAME SYNOPSIS OPTIONS 'EXIT STATUS' FILES EXAMPLES; do
		expect "docs: $f has $s" 1 "$(grep -c "^\.SH $s\$" "$TOP/man/$f")"
	done
done
# Every key etl.cfg accepts is in robopager.cfg(5).
for k in $(grep -oE '^\s*\{"[a-z_]+", "[a-z_]+", K_' "$TOP/lib/config.c" | cut -d'"' -f4 | sort -u); do
	expect "docs: robopager.cfg(5) describes $k" 1 "$(grep -cE "(\.BR? |, \"? ?)$k\b|^\.BR? .*\b$k\b" "$TOP/man/robopager.cfg.5" | sed 's/^[1-9][0-9]*$/1/')"
done
if command -v man >/dev/null; then
	for f in "$TOP"/man/*.[15]; do
		expect "docs: $(basename "$f") formats without warnings" "" \
			"$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)"
	done
fi
# README's list of the packages make deps installs is tests/deps.sh's.
readme_pkgs=$(sed -n '/^Both install, when they are missing, /,/`/{p;/^[a-z].*` (`make deps`/q}' "$TOP/README.md" |
	tr '\n' ' ' | sed -E 's/.*missing, `([^`]*)`.*/\1/' | tr ' ' '\n' | grep . | sort | tr '\n' ' ')
deps_pkgs=$(sed -n '/^PKGS="/,/"$/p' "$TOP/tests/deps.sh" | sed '/"$/q' | tr -d '"' | sed 's/^PKGS=//' |
	tr ' ' '\n' | grep . | sort | tr '\n' ' ')
expect "docs: README names the packages make deps installs" "$deps_pkgs" "$readme_pkgs"
