# Robopager. `make` builds, `make check` installs what the tests need (as
# root, on Debian) and runs every test against real servers.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc

CC       ?= cc
CFLAGS   ?= -O2 -g
PKGS      = libcurl yaml-0.1 hiredis inih jansson
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
PROGS    = rp-latency-check rp-email-check robopager rp-silence rp-status rp-heartbeat
BINS     = $(addprefix bin/,$(PROGS))
UNIT_SRC = $(wildcard tests/unit/check_*.c)
UNITS    = $(UNIT_SRC:.c=)

all: $(BINS)

lib/librp.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

lib/%.o: lib/%.c $(wildcard lib/*.h)
	$(CC) $(REQ_CFLAGS) $(CFLAGS) -c -o $@ $<

bin/%: bin/%.c lib/librp.a
	$(CC) $(REQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/librp.a $(LIBS)

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

clean:
	rm -f lib/*.o lib/librp.a $(BINS) $(UNITS)

.PHONY: all deps check faults units asan clean
