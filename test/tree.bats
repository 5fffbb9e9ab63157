#!/usr/bin/env bats
# sid-svscan and needs: cycles in the scan report and on stderr (once
# each), and the order of a shutdown: dependents stopped and gone before
# what they need, unrelated services together, loggers after every
# service.  The order is seen through each unit's ./finish, which
# appends its name to one file: a finish runs once its ./run is gone,
# and sid-supervise exits after it, so the lines are in the order the
# units were stopped.  A service that stops slowly (its TERM trap takes
# a while) would come last if all were stopped at once.

load helper
load svscan-helper

setup_file() {
	export BATS_TEST_TIMEOUT=120
	need_built
}

setup() {
	T=$BATS_TEST_TMPDIR
	export SID_SCANDIR="$T/scan"
	mkdir -p "$SID_SCANDIR"
	SVSCAN_BIN=${TREE_SVSCAN_BIN:-$SID_ROOT/sid-svscan}
	SVSCAN_PID=
	SVSCAN_PIDS=()
	ORDER="$T/order"
	: >"$ORDER"
}

teardown() {
	stop_svscan
}

state() {
	sed -n 's/^state=//p' "$1/supervise/status" 2>/dev/null
}

is_up() {
	[ "$(state "$1")" = up ]
}

gone() {
	! kill -0 "$1" 2>/dev/null
}

# unit DIR NAME [TERMWORK] [NEEDS]: a run that idles until TERM (then
# runs TERMWORK, e.g. a slow stop), a finish that appends NAME to
# $ORDER, and needs = NEEDS when given.
unit() {
	local dir=$1 name=$2 work=${3:-:} needs=$4
	mkdir -p "$dir"
	cat >"$dir/run" <<-EOF
		#!/bin/sh
		exec 2>/dev/null
		trap '$work; exit 0' TERM
		while :; do sleep 1 & wait \$!; done
	EOF
	printf '#!/bin/sh\necho %s >>"%s"\n' "$name" "$ORDER" >"$dir/finish"
	chmod +x "$dir/run" "$dir/finish"
	printf 'stop-grace = 5s\n' >"$dir/conf"
	[ -z "$needs" ] || printf 'needs = %s\n' "$needs" >>"$dir/conf"
}

# logger NAME: NAME/log reads its input to the end; its finish says NAME/log.
logger() {
	local dir="$SID_SCANDIR/$1/log"
	mkdir -p "$dir"
	printf '#!/bin/sh\nexec cat >/dev/null\n' >"$dir/run"
	printf '#!/bin/sh\necho %s/log >>"%s"\n' "$1" "$ORDER" >"$dir/finish"
	chmod +x "$dir/run" "$dir/finish"
}

# line NAME: the line number of NAME in $ORDER.
line() {
	grep -nx "$1" "$ORDER" | cut -d: -f1
}

# before A B: A's finish line came before B's.
before() {
	local a b
	a=$(line "$1")
	b=$(line "$2")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || {
		echo "expected $1 before $2 in:" >&2
		cat "$ORDER" >&2
		return 1
	}
}

# stop_now: SIGTERM to sid-svscan; it exits 0 within 15 s.
stop_now() {
	local rc=0
	kill -TERM "$SVSCAN_PID"
	wait_for 15 gone "$SVSCAN_PID"
	wait "$SVSCAN_PID" || rc=$?
	SVSCAN_PIDS=()
	[ "$rc" -eq 0 ]
}

@test "needs in a cycle: 'cycle a -> b -> a' in sid-ctl scan, one line on stderr, shutdown still ends" {
	unit "$SID_SCANDIR/a" a : b
	unit "$SID_SCANDIR/b" b : a
	unit "$SID_SCANDIR/c" c : a
	start_svscan "$SID_SCANDIR"
	wait_for 5 grep -q 'cycle' "$T/svscan.err"
	run -0 sid-ctl scan
	printf '%s\n' "$output"
	[ "$output" = $'added a\ncycle a -> b -> a\nadded b\nadded c\nunchanged 0' ]
	run -0 sid-ctl scan
	[ "$output" = $'cycle a -> b -> a\nunchanged 3' ]
	cat "$T/svscan.err"
	[ "$(grep -c cycle "$T/svscan.err")" -eq 1 ]
	grep -qx 'sid-svscan: cycle a -> b -> a: these services wait for each other' \
		"$T/svscan.err"
	stop_now
}

@test "two cycles, each from its smallest name, sorted among the other lines" {
	unit "$SID_SCANDIR/m" m : p
	unit "$SID_SCANDIR/p" p : q
	unit "$SID_SCANDIR/q" q : p
	unit "$SID_SCANDIR/x" x : z
	unit "$SID_SCANDIR/y" y : x
	unit "$SID_SCANDIR/z" z : y
	unit "$SID_SCANDIR/solo" solo : ghost
	start_svscan "$SID_SCANDIR"
	wait_for 5 eval '[ "$(grep -c cycle "$T/svscan.err")" -eq 2 ]'
	run -0 sid-ctl scan
	run -0 sid-ctl scan
	printf '%s\n' "$output"
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "cycle p -> q -> p" ]
	[ "${lines[1]}" = "cycle x -> z -> y -> x" ]
	[ "${lines[2]}" = "unchanged 7" ]
	grep -qx 'sid-svscan: cycle x -> z -> y -> x: these services wait for each other' \
		"$T/svscan.err"
	# A cycle made later is said when it appears.
	printf 'needs = m\n' >"$SID_SCANDIR/solo/conf.tmp"
	mv "$SID_SCANDIR/solo/conf.tmp" "$SID_SCANDIR/solo/conf"
	printf 'needs = p, solo\n' >"$SID_SCANDIR/m/conf.tmp"
	mv "$SID_SCANDIR/m/conf.tmp" "$SID_SCANDIR/m/conf"
	run -0 sid-ctl scan
	printf '%s\n' "$output"
	[ "$(printf '%s\n' "$output" | grep '^cycle')" = $'cycle m -> solo -> m\ncycle p -> q -> p\ncycle x -> z -> y -> x' ]
	wait_for 5 eval '[ "$(grep -c cycle "$T/svscan.err")" -eq 3 ]'
	grep -qx 'sid-svscan: cycle m -> solo -> m: these services wait for each other' \
		"$T/svscan.err"
	[ "$(grep -c 'cycle p -> q -> p' "$T/svscan.err")" -eq 1 ]
	stop_now
}

@test "SIGTERM: a -> b -> c stopped in that order, the unrelated at once, loggers after every service" {
	# a and b stop slowly: stopped all at once, c would finish first.
	unit "$SID_SCANDIR/a" a 'sleep 0.6' b
	unit "$SID_SCANDIR/b" b 'sleep 0.3' c
	unit "$SID_SCANDIR/c" c
	unit "$SID_SCANDIR/u" u
	logger a
	logger c
	logger u
	start_svscan "$SID_SCANDIR"
	for d in a b c u a/log c/log u/log; do
		wait_for 5 is_up "$SID_SCANDIR/$d"
	done
	stop_now
	cat "$ORDER"
	[ "$(wc -l <"$ORDER")" -eq 7 ]
	before a b
	before b c
	# u needs nothing and nobody needs it: it does not wait for a.
	before u a
	for l in a/log c/log u/log; do
		for s in a b c u; do
			before "$s" "$l"
		done
	done
}

@test "SIGTERM with a cycle and a dependent: the dependent first, the cycle together, then what it needs" {
	# A cycle's members would wait for each other before their start:
	# they start first, and the needs come with a conf edit and a scan.
	unit "$SID_SCANDIR/x" x 'sleep 0.5'
	unit "$SID_SCANDIR/a" a
	unit "$SID_SCANDIR/b" b
	unit "$SID_SCANDIR/c" c
	start_svscan "$SID_SCANDIR"
	for d in x a b c; do
		wait_for 5 is_up "$SID_SCANDIR/$d"
	done
	echo 'needs = a' >>"$SID_SCANDIR/x/conf"
	echo 'needs = b' >>"$SID_SCANDIR/a/conf"
	echo 'needs = a, c' >>"$SID_SCANDIR/b/conf"
	run -0 sid-ctl scan
	[[ $output == *"cycle a -> b -> a"* ]]
	stop_now
	cat "$ORDER"
	before x a
	before x b
	before a c
	before b c
}

@test "a removed service's logger is still stopped after it" {
	unit "$SID_SCANDIR/r" r 'sleep 0.3'
	logger r
	start_svscan "$SID_SCANDIR"
	wait_for 5 is_up "$SID_SCANDIR/r"
	wait_for 5 is_up "$SID_SCANDIR/r/log"
	mv "$SID_SCANDIR/r" "$T/r"
	run -0 sid-ctl scan
	wait_for 10 grep -qx r/log "$ORDER"
	before r r/log
	stop_now
}
