# Robopager. `make` builds, `make check` installs what the tests need (as
# root, on Debian) and runs every test against real servers.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
DATADIR  ?= $(PREFIX)/share
LOCALSTATEDIR ?= /var
CRONDIR  ?= /etc/cron.d

CC       ?= cc
CFLAGS   ?= -O2 -g
PKGS      = libcurl yaml-0.1 hiredis inih jansson libcrypto
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wcast-qual -Wformat=2 -Wundef -Wvla -Wwrite-strings
# CI (CI=true) builds with -Werror.
ifneq ($(CI),)
WARN     += -Werror
endif
REQ_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -DRP_VERSION='"$(VERSION)"' \
             -Ilib $(WARN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS      = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

LIB_SRC  = $(wildcard lib/*.c)
LIB_OBJ  = $(LIB_SRC:.c=.o)
PROGS    = rp-latency-check rp-email-check robopager rp-silence rp-status rp-heartbeat rp-ping
BINS     = $(addprefix bin/,$(PROGS))
UNIT_SRC = $(wildcard tests/unit/check_*.c)
UNITS    = $(UNIT_SRC:.c=)

all: $(BINS)

lib/librp.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

lib/%.o: lib/%.c $(wildcard lib/*.h)
	$(CC) $(REQ_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

bin/%: bin/%.c lib/librp.a
	$(CC) $(REQ_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/librp.a $(LIBS)

tests/unit/%: tests/unit/%.c lib/librp.a
	$(CC) $(REQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/librp.a $(LIBS) $(CHECK_LIBS)

# Installs the Debian packages the build and the tests need (root only; it
# says what to run otherwise), then builds.
deps:
	@tests/deps.sh

check: deps
	$(MAKE) all units
	tests/run-tests.sh
	tests/run-faults.sh

# The fault suite alone: PagerDuty, Redis and the sources failing; prints
# the table of pages expected, sent, duplicated and lost.
faults: deps
	$(MAKE) all
	tests/run-faults.sh

units: $(UNITS)

# The whole of make check under AddressSanitizer (leaks included) and
# UndefinedBehaviorSanitizer; any report fails the run. Rebuilds from clean
# before and after, so the normal build is never left sanitized.
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
asan:
	$(MAKE) clean
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(MAKE) check CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)"
	$(MAKE) clean

deps-dev:
	@tests/deps.sh dev

# Speed and memory against curl floors measured in the same run on the same
# servers (tests/bench.sh); BENCH_RUNS, BENCH_DELAY_MS. Root, for Dovecot.
bench: deps
	@tests/deps.sh bench
	$(MAKE) all
	tests/bench.sh

# The story of README's first command: private servers, a late email and a
# late workflow paged and resolved, what PagerDuty received. Root, for
# Dovecot's throwaway mailbox.
demo: deps
	$(MAKE) all
	tests/demo.sh

# A Debian package (dist/robopager_*.deb), checked by tests/deb.sh: unpacked
# in a throwaway root, its programs run from there.
deb: deps-dev
	dpkg-buildpackage -us -uc -b
	mkdir -p dist
	mv ../robopager_$(VERSION)_*.deb ../robopager_$(VERSION)_*.changes \
	    ../robopager_$(VERSION)_*.buildinfo dist/
	-mv ../robopager-dbgsym_$(VERSION)_*.deb dist/ 2>/dev/null
	tests/deb.sh dist/robopager_$(VERSION)_*.deb

# make install [PREFIX=/usr/local] [DESTDIR=] [BINDIR= MANDIR= SYSCONFDIR=
# SYSTEMDDIR=]: the programs, their man pages, the systemd units (not
# enabled), the cron.d file as an example, and etl.cfg and checklist.yaml
# under $(SYSCONFDIR)/robopager unless they are there already.
MAN1     = $(addprefix man/,$(addsuffix .1,$(PROGS)))
MAN5     = man/robopager.cfg.5 man/robopager-checklist.5
SCHEDULED = rp-latency-check rp-email-check rp-heartbeat
SUBST    = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'
ETC      = $(DESTDIR)$(SYSCONFDIR)/robopager

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(DATADIR)/robopager $(ETC)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	for p in $(SCHEDULED); do \
	    $(SUBST) systemd/$$p.service.in >$(DESTDIR)$(SYSTEMDDIR)/$$p.service && \
	    chmod 644 $(DESTDIR)$(SYSTEMDDIR)/$$p.service && \
	    install -m 644 systemd/$$p.timer $(DESTDIR)$(SYSTEMDDIR)/ || exit 1; \
	done
	$(SUBST) cron/robopager.in >$(DESTDIR)$(DATADIR)/robopager/cron.d-robopager
	chmod 644 $(DESTDIR)$(DATADIR)/robopager/cron.d-robopager
	install -m 644 examples/etl.cfg $(DESTDIR)$(DATADIR)/robopager/etl.cfg.example
	install -m 644 examples/checklist.yaml $(DESTDIR)$(DATADIR)/robopager/checklist.yaml.example
	@if [ -e $(ETC)/etl.cfg ]; then echo "kept $(ETC)/etl.cfg"; \
	 else install -m 600 examples/etl.cfg $(ETC)/etl.cfg; fi
	@if [ -e $(ETC)/checklist.yaml ]; then echo "kept $(ETC)/checklist.yaml"; \
	 else install -m 640 examples/checklist.yaml $(ETC)/checklist.yaml; fi
	@# The parsed checklist's cache ([robopager] cache_dir): the service
	@# user's alone when there is one (the systemd units make it so too).
	install -d -m 700 $(DESTDIR)$(LOCALSTATEDIR)/cache/robopager
	@if id robopager >/dev/null 2>&1; then \
	 chown robopager:robopager $(DESTDIR)$(LOCALSTATEDIR)/cache/robopager; fi

# make install-cron: the cron.d file, as make install substitutes it, in
# $(DESTDIR)$(CRONDIR)/robopager (mode 644), for those who schedule with
# cron rather than the systemd timers (not both).
install-cron:
	install -d $(DESTDIR)$(CRONDIR)
	$(SUBST) cron/robopager.in >$(DESTDIR)$(CRONDIR)/robopager
	chmod 644 $(DESTDIR)$(CRONDIR)/robopager

# Removes what make install and make install-cron put in place, except
# etl.cfg and checklist.yaml (they are yours now).
uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(PROGS))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5)))
	rm -f $(foreach p,$(SCHEDULED),$(DESTDIR)$(SYSTEMDDIR)/$(p).service $(DESTDIR)$(SYSTEMDDIR)/$(p).timer)
	rm -rf $(DESTDIR)$(DATADIR)/robopager
	rm -f $(DESTDIR)$(CRONDIR)/robopager
	rm -rf $(DESTDIR)$(LOCALSTATEDIR)/cache/robopager
	@echo "left $(ETC)/etl.cfg and checklist.yaml in place"

# libFuzzer harnesses, one per parser (fuzz/fuzz_*.c), built with clang and
# ASan + UBSan in fuzz/build/. Each starts from its seeds in fuzz/corpus/
# (crashes found become seeds there, so they are run again every time) and
# runs FUZZ_SECONDS; any crash, leak or sanitizer report fails.
FUZZ_SECONDS ?= 60
FUZZERS   = config checklist clcache batchy imap dates mime cron airflow jsonptr mailmemo sinks spill
FUZZ_SAN  = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_OBJ  = $(patsubst lib/%.c,fuzz/build/%.o,$(LIB_SRC))
FUZZ_BINS = $(addprefix fuzz/build/fuzz_,$(FUZZERS))

fuzz/build/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p fuzz/build
	clang $(REQ_CFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

fuzz/build/librp.a: $(FUZZ_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

fuzz/build/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h fuzz/build/librp.a
	clang $(REQ_CFLAGS) -U_POSIX_C_SOURCE $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    fuzz/build/librp.a $(LIBS)

fuzz: deps-dev
	$(MAKE) $(FUZZ_BINS)
	@set -e; for f in $(FUZZERS); do \
	    mkdir -p fuzz/build/corpus/$$f; \
	    echo "== fuzz_$$f ($(FUZZ_SECONDS) s)"; \
	    ASAN_OPTIONS=detect_leaks=1 fuzz/build/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) \
	        -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
	        -artifact_prefix=fuzz/build/crash-$$f- $$(test -f fuzz/$$f.dict && echo -dict=fuzz/$$f.dict) \
	        fuzz/build/corpus/$$f fuzz/corpus/$$f 2>fuzz/build/$$f.log || \
	        { tail -n 40 fuzz/build/$$f.log; echo "fuzz_$$f: FAILED (inputs in fuzz/build/crash-$$f-*)"; exit 1; }; \
	    grep -E '^stat::number_of_executed_units|^#[0-9]+[[:space:]]+DONE' fuzz/build/$$f.log | \
	        sed "s/^/  /"; \
	done

# The integration tests with every program run under valgrind (memcheck):
# any invalid access, use of uninitialised memory or definite leak exits 97
# and fails the test that ran it.
VALGRIND = valgrind -q --error-exitcode=97 --leak-check=full \
           --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
valgrind: deps-dev
	$(MAKE) all units
	@d=$$(mktemp -d); \
	RP_WRAP="$(VALGRIND) --log-file=$$d/vg.%q{RP_RUNS}.%p" tests/run-tests.sh; rc=$$?; \
	for f in $$d/vg.*; do [ -s "$$f" ] && { cat "$$f"; rc=1; }; done; \
	echo "valgrind: $$(ls $$d | wc -l) program runs checked, $$(find $$d -type f -size +0 | wc -l) with a report"; \
	rm -rf "$$d"; exit $$rc

# The banned functions of STYLE.md, cppcheck, and gcc's static analyzer.
BANNED = sprintf|vsprintf|strcpy|strcat|strncpy|strncat|strtok|atoi|atol|atoll|atof|gets|tmpnam|mktemp
lint: deps-dev
	@! grep -nwE '($(BANNED))' lib/*.c lib/*.h bin/*.c fuzz/*.c fuzz/*.h tests/unit/*.c tests/unit/*.h | \
	    grep -vE '^\S+:[0-9]+:\s*(/?\*|//)' || { echo "lint: banned functions above (STYLE.md)"; exit 1; }
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	    --inline-suppr --std=c11 -D_POSIX_C_SOURCE=200809L -Ilib lib bin
	@for f in $(LIB_SRC) $(wildcard bin/*.c); do \
	    $(CC) $(REQ_CFLAGS) -fanalyzer -Werror -c -o /dev/null $$f || exit 1; \
	done
	@echo "lint: clean (banned functions, cppcheck, gcc -fanalyzer)"

clean:
	rm -f lib/*.o lib/librp.a $(BINS) $(UNITS)
	rm -rf fuzz/build dist

.PHONY: all deps deps-dev check faults units asan fuzz lint valgrind install install-cron uninstall demo deb bench clean
