# sid: process supervision.  POSIX make; tested with GNU make.
.POSIX:

PREFIX   = /usr/local
MANDIR   = $(PREFIX)/share/man
CC       = cc
WARN     = -std=c11 -Wall -Wextra -Werror -Wshadow -Wvla \
           -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   = $(WARN) -O2 -g
# Test helpers that report a process's state are never sanitized: the
# ASan runtime changes the signal dispositions they report.
HCFLAGS  = $(WARN) -O2
CPPFLAGS = -D_POSIX_C_SOURCE=200809L -Ilib $(SCAN)
# SCAN = -DSID_NO_INOTIFY: sid-svscan polls the directory even on Linux.
# -DSID_NO_SIGNALFD: signals come through the self-pipe even on Linux.
SCAN     =
LDFLAGS  =
# The programs are linked statically where the C library allows it
# (glibc's libc.a, musl): sid-supervise runs once per service, and
# without the loader and a shared library's relocated pages of its own it
# keeps about 70 kB private memory instead of 115 kB with glibc; every
# program also execs faster.  Where static linking fails a program is
# linked dynamically, with a line saying so; STATIC= links dynamically.
STATIC   = -static
# LINK: the recipe that links cmd/$@.o with libsid.a, as STATIC says.
LINK     = if [ -n "$(STATIC)" ] && $(CC) $(LDFLAGS) $(STATIC) -o $@ \
               cmd/$@.o libsid.a 2>/dev/null; then \
               echo "$(CC) $(LDFLAGS) $(STATIC) -o $@ cmd/$@.o libsid.a"; \
           else \
               [ -z "$(STATIC)" ] || echo "$@: linked dynamically (no static C library)"; \
               echo "$(CC) $(LDFLAGS) -o $@ cmd/$@.o libsid.a"; \
               $(CC) $(LDFLAGS) -o $@ cmd/$@.o libsid.a; \
           fi
SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all \
           -fno-omit-frame-pointer

BIN     = sid-svscan sid-supervise sid-ctl sid-log
LIBOBJ  = lib/cgroup.o lib/clock.o lib/conf.o lib/ctl.o lib/envdir.o lib/escape.o lib/fingerprint.o lib/fmt.o lib/io.o lib/lines.o lib/logline.o lib/msg.o lib/notify.o \
          lib/parse.o lib/port.o lib/proc.o lib/report.o lib/selfpipe.o lib/show.o lib/status.o lib/sv.o lib/svcheck.o lib/tree.o
UNIT    = test/unit/sv_test test/unit/conf_test test/unit/parse_test \
          test/unit/status_test test/unit/escape_test test/unit/report_test \
          test/unit/sv_regress_test test/unit/fuzz_sv_replay \
          test/unit/port_test test/unit/fmt_test test/unit/show_test \
          test/unit/lines_test test/unit/tree_test test/unit/logline_test \
          test/unit/fingerprint_test
HELPERS = test/helpers/probe-child test/helpers/fdcount test/helpers/linelog \
          test/helpers/rootsleep \
          test/helpers/sid-svscan-poll test/helpers/drip test/helpers/contcheck
HDR     = lib/cgroup.h lib/clock.h lib/conf.h lib/ctl.h lib/envdir.h lib/escape.h lib/fingerprint.h lib/fmt.h lib/io.h lib/lines.h lib/logline.h lib/msg.h lib/notify.h \
          lib/parse.h lib/port.h lib/proc.h lib/report.h lib/selfpipe.h lib/show.h lib/status.h lib/sv.h lib/svcheck.h lib/tree.h

all: $(BIN)

.SUFFIXES: .c .o
.c.o:
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBOBJ): $(HDR)

libsid.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

sid-svscan: cmd/sid-svscan.o libsid.a
	@$(LINK)
sid-supervise: cmd/sid-supervise.o libsid.a
	@$(LINK)
sid-log: cmd/sid-log.o libsid.a
	@$(LINK)
sid-ctl: cmd/sid-ctl.o libsid.a
	@$(LINK)
cmd/sid-svscan.o cmd/sid-supervise.o cmd/sid-ctl.o cmd/sid-log.o: $(HDR)

test/unit/sv_test: test/unit/sv_test.o libsid.a
	$(CC) $(LDFLAGS) -o $@ test/unit/sv_test.o libsid.a
test/unit/conf_test: test/unit/conf_test.o libsid.a
	$(CC) $(LDFLAGS) -o $@ test/unit/conf_test.o libsid.a
test/unit/parse_test: test/unit/parse_test.o libsid.a
	$(CC) $(LDFLAGS) -o $@ test/unit/parse_test.o libsid.a
test/unit/status_test: test/unit/status_test.o libsid.a
	$(CC) $(LDFLAGS) -o $@ test/unit/status_test.o libsid.a
test/unit/escape_test: test/unit/escape_test.o libsid.a
	$(CC) $(LDFLAGS) -o $@ test/unit/escape_test.o libsid.a
test/unit/report_test: test/unit/report_test.o libsid.a
	$(CC) $(LDFLAGS) -o $@ test/unit/report_test.o libsid.a
test/unit/tree_test: test/unit/tree_test.o libsid.a
	$(CC) $(LDFLAGS) -o $@ test/unit/tree_test.o libsid.a
test/unit/fmt_test: test/unit/fmt_test.o libsid.a
	$(CC) $(LDFLAGS) -o $@ test/unit/fmt_test.o libsid.a
test/unit/fingerprint_test: test/unit/fingerprint_test.o libsid.a
	$(CC) $(LDFLAGS) -o $@ test/unit/fingerprint_test.o libsid.a
test/unit/show_test: test/unit/show_test.o libsid.a
	$(CC) $(LDFLAGS) -o $@ test/unit/show_test.o libsid.a
test/unit/lines_test: test/unit/lines_test.o libsid.a
	$(CC) $(LDFLAGS) -o $@ test/unit/lines_test.o libsid.a
test/unit/logline_test: test/unit/logline_test.o libsid.a
	$(CC) $(LDFLAGS) -o $@ test/unit/logline_test.o libsid.a
test/unit/port_test: test/unit/port_test.o libsid.a
	$(CC) $(LDFLAGS) -o $@ test/unit/port_test.o libsid.a
test/unit/sv_regress_test: test/unit/sv_regress_test.o libsid.a
	$(CC) $(LDFLAGS) -o $@ test/unit/sv_regress_test.o libsid.a
# The inputs that once crashed test/fuzz/fuzz_sv.c, replayed without libFuzzer.
test/unit/fuzz_sv_replay: test/fuzz/replay.c test/fuzz/fuzz_sv.c libsid.a $(HDR)
	$(CC) $(CPPFLAGS) -DREPLAY_DIR='"test/fuzz/regress/sv"' $(CFLAGS) \
	    $(LDFLAGS) -o $@ test/fuzz/replay.c test/fuzz/fuzz_sv.c libsid.a
$(UNIT:=.o): $(HDR) test/unit/check.h

test/helpers/probe-child: test/helpers/probe-child.c
	$(CC) $(CPPFLAGS) $(HCFLAGS) -o $@ test/helpers/probe-child.c
test/helpers/linelog: test/helpers/linelog.c
	$(CC) $(CPPFLAGS) $(HCFLAGS) -o $@ test/helpers/linelog.c
# sid-svscan built without inotify and without signalfd, to test the
# portable polling scan and the self-pipe (its lib/selfpipe.c comes
# before libsid.a's).
test/helpers/sid-svscan-poll: cmd/sid-svscan.c lib/selfpipe.c libsid.a $(HDR)
	$(CC) $(CPPFLAGS) -DSID_NO_INOTIFY -DSID_NO_SIGNALFD $(CFLAGS) \
	    $(LDFLAGS) -o $@ cmd/sid-svscan.c lib/selfpipe.c libsid.a
test/helpers/rootsleep: test/helpers/rootsleep.c
	$(CC) $(CPPFLAGS) $(HCFLAGS) -o $@ test/helpers/rootsleep.c
test/helpers/fdcount: test/helpers/fdcount.c
	$(CC) $(CPPFLAGS) $(HCFLAGS) -o $@ test/helpers/fdcount.c
test/helpers/drip: test/helpers/drip.c
	$(CC) $(CPPFLAGS) $(HCFLAGS) -o $@ test/helpers/drip.c
test/helpers/contcheck: test/helpers/contcheck.c
	$(CC) $(CPPFLAGS) $(HCFLAGS) -o $@ test/helpers/contcheck.c

test: $(BIN) $(UNIT) $(HELPERS)
	sh test/run $(UNIT)

# libFuzzer targets (clang), built in test/fuzz/build/, each run for
# FUZZ_SECONDS; not part of test.  test/fuzz/run -m merges new inputs
# into test/fuzz/corpus/.
FUZZ_SECONDS = 60
fuzz:
	sh test/fuzz/run $(FUZZ_SECONDS)

# check: static analysis, valgrind, then the whole suite under ASan and
# UBSan.  Each part runs alone too; a failed one does not keep the others
# from running, and a last line names the parts that failed.
check:
	@failed=; for part in cppcheck valgrind sanitize; do \
	    $(MAKE) $$part || failed="$$failed $$part"; \
	done; \
	[ -z "$$failed" ] || { echo "make check failed:$$failed"; exit 1; }

sanitize:
	$(MAKE) clean
	$(MAKE) test CFLAGS="$(CFLAGS) -O1 $(SAN)" LDFLAGS="$(SAN)" STATIC=

# valgrind: memcheck of the unit tests and of one sid-supervise lifecycle
# (test/valgrind.sh), built without sanitizers from a copy of the sources
# in $(VGDIR), whatever flags the objects here were built with.
VGDIR    = .valgrind
VGCFLAGS = $(WARN) -O1 -g
valgrind:
	rm -rf $(VGDIR)
	mkdir -p $(VGDIR)/lib $(VGDIR)/cmd $(VGDIR)/test/unit $(VGDIR)/test/fuzz
	cp Makefile $(VGDIR)/
	cp lib/*.c lib/*.h $(VGDIR)/lib/
	cp cmd/*.c $(VGDIR)/cmd/
	cp test/unit/*.c test/unit/*.h $(VGDIR)/test/unit/
	cp test/fuzz/*.c $(VGDIR)/test/fuzz/
	cp -R test/fuzz/regress $(VGDIR)/test/fuzz/
	cd $(VGDIR) && $(MAKE) sid-supervise $(UNIT) \
	    CFLAGS="$(VGCFLAGS)" LDFLAGS= STATIC=
	cd $(VGDIR) && sh ../test/valgrind.sh unit $(UNIT)
	sh test/valgrind.sh lifecycle $(VGDIR)/sid-supervise

# cppcheck: no finding, in the POSIX build and in the Linux one.  An
# inline "cppcheck-suppress ID" needs a comment saying why beside it.
CPPCHECK = cppcheck -q --enable=warning,portability --error-exitcode=1 \
           --inline-suppr --std=c11 -D_POSIX_C_SOURCE=200809L -Ilib
cppcheck:
	$(CPPCHECK) lib cmd
	$(CPPCHECK) -D__linux__ lib cmd

# A static build of every program against musl (Debian: musl-tools):
# about 40 kB private memory per sid-supervise.
static:
	$(MAKE) clean
	$(MAKE) all CC=musl-gcc STATIC=-static

# test-static: the whole suite against the musl build (make static).
test-static:
	$(MAKE) clean
	$(MAKE) test CC=musl-gcc STATIC=-static

run: $(BIN)
	sh service/run-example

bench: $(BIN) $(HELPERS)
	python3 bench/bench.py

install: $(BIN)
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man7
	cp -f $(BIN) $(DESTDIR)$(PREFIX)/bin/
	cp -f man/*.8 $(DESTDIR)$(MANDIR)/man8/
	cp -f man/sid.7 $(DESTDIR)$(MANDIR)/man7/

uninstall:
	for f in $(BIN); do rm -f $(DESTDIR)$(PREFIX)/bin/$$f; done
	for f in $(BIN); do rm -f $(DESTDIR)$(MANDIR)/man8/$$f.8; done
	rm -f $(DESTDIR)$(MANDIR)/man7/sid.7

# lint-man: mandoc -T lint on every page; any message fails.  Without
# mandoc it says so and succeeds: it installs nothing.  (.POSIX runs
# recipes with sh -e: mandoc's exit status is caught, not fatal.)
lint-man:
	@if ! command -v mandoc >/dev/null 2>&1; then \
	    echo "lint-man: mandoc not found, manual pages not checked"; \
	    exit 0; \
	fi; \
	rc=0; out=$$(mandoc -T lint -W style man/*.8 man/*.7 2>&1) || rc=$$?; \
	if [ -n "$$out" ] || [ $$rc -ne 0 ]; then \
	    printf '%s\n' "$$out"; \
	    echo "lint-man: mandoc -T lint found problems (exit $$rc)"; \
	    exit 1; \
	fi

clean:
	rm -f $(BIN) libsid.a lib/*.o cmd/*.o $(UNIT) test/unit/*.o $(HELPERS)
	rm -rf $(VGDIR)

.PHONY: all test check sanitize valgrind cppcheck static test-static run bench install uninstall clean
.PHONY: lint-man
.PHONY: fuzz
