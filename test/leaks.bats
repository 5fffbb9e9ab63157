#!/usr/bin/env bats
# Leaks: 1000 crash-restarts leave sid-supervise and sid-svscan with the
# descriptors and the resident memory they had before.  Both are
# measured at rest (each run waiting at a gate: no restart going on, and
# no command sent, so that only automatic restarts come in between),
# once after a warm-up (so that pages touched lazily by the first
# restarts and the first trim of events count in both), and again after
# the 1000 restarts.
#
# Resident memory is compared without the stack, whose resident part is
# its high-water mark: a signal handler's frame landing on a deep call
# raises it by a page now and then, once for good; it may grow by at
# most two pages.  (Explicit starts are kept out on purpose: each one
# reads conf into a 64 KiB buffer and builds the environment anew, and
# where malloc places those moves the heap's top by a page now and then
# for the first few of them; valgrind finds nothing lost.)

load helper

# sanitized: the tools are built with AddressSanitizer (make check).
sanitized() {
	grep -qa __asan_init "$SID_ROOT/sid-supervise"
}

setup_file() {
	export BATS_TEST_TIMEOUT=180
	need_built
}

setup() {
	T=$BATS_TEST_TMPDIR
	S=$T/scan
	export SID_SCANDIR=$S
	mkdir -p "$S"
	SVSCAN_PID=
}

teardown() {
	local pid
	if [ -n "$SVSCAN_PID" ]; then
		kill -TERM "$SVSCAN_PID" 2>/dev/null || true
		wait_for 15 eval '! kill -0 "$SVSCAN_PID" 2>/dev/null' ||
			kill -KILL "$SVSCAN_PID" 2>/dev/null || true
		wait "$SVSCAN_PID" 2>/dev/null || true
	fi
	# What a killed sid-svscan may have left: the test's supervisors.
	for pid in $(pgrep -x sid-supervise || true); do
		[[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == "$T"/* ]] &&
			kill -TERM "$pid" 2>/dev/null || true
	done
}

# sup_of DIR: the pid of the sid-supervise working in DIR.
sup_of() {
	local d p
	d=$(readlink -f "$1")
	for p in $(pgrep -x sid-supervise); do
		[ "$(readlink "/proc/$p/cwd" 2>/dev/null)" != "$d" ] || echo "$p"
	done
}

# usage PID: "FDS RSS STACK" of PID: its open descriptors, its resident
# memory but the stack's, and the resident part of its stack, in kB.
usage() {
	local fds rss stack
	fds=$(ls "/proc/$1/fd" | wc -l)
	rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status")
	stack=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { s = $6 == "[stack]" }
		s && $1 == "Rss:" { print $2 }' "/proc/$1/smaps")
	echo "$fds $(( rss - stack )) $stack"
}

# restarts_ge DIR N: DIR was restarted at least N times since the
# last explicit start (restarts= counts automatic restarts).
restarts_ge() {
	local v
	v=$(field "$1" restarts 2>/dev/null)
	[ -n "$v" ] && [ "$v" -ge "$2" ]
}

# resting DIR: DIR's run waits at the gate: up, its pid the gate sleeper.
resting() {
	local pid
	field_is "$1" state up || return 1
	pid=$(field "$1" pid)
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" = \
		"$T/gate-sleep 1000 " ]
}

# rest: close the gate, and wait until both services wait at it.
rest() {
	touch "$T/gate"
	wait_for 30 resting "$S/crash"
	wait_for 30 resting "$S/crashlog"
}

# unrest: open the gate, and end the runs waiting at it (an exit by
# signal: an automatic restart follows, as after any crash).
unrest() {
	rm "$T/gate"
	kill -TERM "$(field "$S/crash" pid)" "$(field "$S/crashlog" pid)"
}

# measure: "NAME FDS RSS STACK" for both sid-supervise processes and
# sid-svscan.
measure() {
	echo "crash $(usage "$CRASH_SUP")"
	echo "crashlog $(usage "$CRASHLOG_SUP")"
	echo "svscan $(usage "$SVSCAN_PID")"
}

@test "1000 crash-restarts: sid-supervise and sid-svscan keep their descriptors and resident memory" {
	local d r1 r2
	# Two services that exit 1 at once, restarted at once (no command
	# in between: automatic restarts only), one writing to sid-svscan
	# (-p: through a pipe it reads, a line at a time), the other to its
	# sid-log.  At rest, run waits at a gate instead.
	cp "$(command -v sleep)" "$T/gate-sleep"
	for d in crash crashlog; do
		mkdir -p "$S/$d"
		cat >"$S/$d/run" <<-EOF
			#!/bin/sh
			[ ! -e "$T/gate" ] || exec "$T/gate-sleep" 1000
			echo "start \$\$"
			echo "oops \$\$" >&2
			exit 1
		EOF
		chmod +x "$S/$d/run"
		printf 'backoff-initial = 0\nstop-grace = 300ms\n' >"$S/$d/conf"
	done
	# events just under its bound, as a long-lived service has it: its
	# trims (a 32 KiB buffer that malloc keeps once freed) start in the
	# warm-up, not in the measured restarts.
	for d in crash crashlog; do
		mkdir -p "$S/$d/supervise"
		yes '1700000000.000 up -> backoff exit 1 (next start in 0ms) old' |
			head -n 1100 >"$S/$d/supervise/events"
	done
	mkdir -p "$S/crashlog/log"
	printf '#!/bin/sh\nexec sid-log main\n' >"$S/crashlog/log/run"
	chmod +x "$S/crashlog/log/run"

	sid-svscan -p "$S" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- \
		>"$T/svscan.out" 2>"$T/svscan.err" &
	SVSCAN_PID=$!
	# The warm-up: 300 restarts each, through at least one trim of
	# events while running (each restart adds about 170 bytes).
	wait_for 60 restarts_ge "$S/crash" 300
	wait_for 60 restarts_ge "$S/crashlog" 300
	CRASH_SUP=$(sup_of "$S/crash")
	CRASHLOG_SUP=$(sup_of "$S/crashlog")
	[ -n "$CRASH_SUP" ] && [ -n "$CRASHLOG_SUP" ]
	rest
	measure >"$T/before"
	r1=$(field "$S/crash" restarts)
	r2=$(field "$S/crashlog" restarts)

	unrest
	wait_for 120 restarts_ge "$S/crash" $(( r1 + 1000 ))
	wait_for 120 restarts_ge "$S/crashlog" $(( r2 + 1000 ))
	rest
	measure >"$T/after"
	# Under the same supervisors, and the lines came through.
	[ "$(sup_of "$S/crash")" = "$CRASH_SUP" ]
	[ "$(sup_of "$S/crashlog")" = "$CRASHLOG_SUP" ]
	kill -0 "$SVSCAN_PID"
	[ "$(grep -c '^crash: start ' "$T/svscan.out")" -gt 1000 ]
	[ "$(grep -c '^start ' "$S/crashlog/log/main/current")" -gt 1000 ]

	echo "name fds rss-kB-but-stack stack-kB, before and after:"
	paste "$T/before" "$T/after"
	# Descriptors and memory the same; the stack's resident part is its
	# high-water mark, which a signal handler's frame pushed onto a deep
	# call (a SIGCHLD during a trim of events) may raise by a page or
	# two, once: more would be a stack that grows.
	if sanitized; then
		# ASan keeps freed memory in quarantine: RSS tells nothing.
		diff <(cut -d' ' -f1-2 "$T/before") <(cut -d' ' -f1-2 "$T/after")
		return 0
	fi
	diff <(cut -d' ' -f1-3 "$T/before") <(cut -d' ' -f1-3 "$T/after")
	paste -d' ' "$T/before" "$T/after" | while read -r n _ _ s1 _ _ _ s2; do
		(( s2 - s1 <= 8 )) || { echo "$n: stack grew by $(( s2 - s1 )) kB"; false; }
	done
}
