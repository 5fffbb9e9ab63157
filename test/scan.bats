#!/usr/bin/env bats
# sid-ctl scan and its report (issue 8): lines sorted by name, loggers
# as NAME/log like any service, "invalid NAME: FILE:LINE: what" for a
# unit whose conf or env/ does not load now, "unchanged N" last; with
# -r exactly the valid changed units restarted, an invalid one never
# touched (same pid, still up), and exit 3 while any is invalid.
#
# Every process of a test works under $BATS_TEST_TMPDIR, which teardown
# empties of processes (test/svscan-helper.bash).  No fixed sleeps: a
# report is written before sid-ctl scan returns, and what it says of a
# unit depends only on files, never on when a scan ran.

load helper
load svscan-helper

setup_file() {
	export BATS_TEST_TIMEOUT=120
	need_built
}

setup() {
	T=$BATS_TEST_TMPDIR
	export SID_SCANDIR="$T/scan"
	mkdir -p "$SID_SCANDIR" "$T/svc"
	SVSCAN_BIN="$SID_ROOT/sid-svscan"
	SVSCAN_PID=
	SVSCAN_PIDS=()
}

teardown() {
	stop_svscan
}

# --- helpers ------------------------------------------------------------

# link_in NAME...: link $T/svc/NAME into the scan dir.
link_in() {
	local name
	for name in "$@"; do
		ln -s "$T/svc/$name" "$SID_SCANDIR/$name"
	done
}

# logger NAME: give $T/svc/NAME a log/ (a run that reads its input
# away, and no conf).
logger() {
	mkdir -p "$T/svc/$1/log"
	printf '#!/bin/sh\nexec cat >/dev/null\n' >"$T/svc/$1/log/run"
	chmod +x "$T/svc/$1/log/run"
}

# is_up DIR [NOT-PID]: DIR is up, with a pid other than NOT-PID.
is_up() {
	[ "$(field "$1" state 2>/dev/null)" = up ] || return 1
	[ -z "$2" ] || [ "$(field "$1" pid)" != "$2" ]
}

# pid NAME: the pid of $T/svc/NAME (NAME may be m/log).
pid() {
	field "$T/svc/$1" pid
}

# report_is CODE [-r] LINE...: sid-ctl scan [-r] exits CODE and prints
# exactly these lines, in this order.
report_is() {
	local code=$1 want opt=()
	shift
	[ "$1" != -r ] || { opt=(-r); shift; }
	run "-$code" --separate-stderr sid-ctl scan "${opt[@]}"
	want=$(printf '%s\n' "$@")
	[ "$output" = "$want" ] || {
		printf 'sid-ctl scan %s printed:\n%s\nwanted:\n%s\n' \
			"${opt[*]}" "$output" "$want" >&2
		return 1
	}
}

# untouched NAME PID: $T/svc/NAME still runs PID, up, not config_invalid, and
# its sid-supervise never got r.  The c sent first goes through the same
# FIFO after anything sid-svscan wrote to it, so once "control: c" is in
# the events, any r would be there before it.
untouched() {
	local dir="$T/svc/$1" events="$T/svc/$1/supervise/events"
	sid-ctl -c "$dir"
	wait_for 5 grep -q 'control: c$' "$events" || {
		echo "$1 did not take c:" >&2
		cat "$events" >&2
		return 1
	}
	! grep -q 'control: r$' "$events" || {
		echo "$1 got r:" >&2
		cat "$events" >&2
		return 1
	}
	[ "$(field "$dir" pid)" = "$2" ]
	[ "$(field "$dir" state)" = up ]
	[[ $(field "$dir" error) != config_invalid* ]]
}

# all_up NAME...: wait until each $T/svc/NAME is up.
all_up() {
	local name
	for name in "$@"; do
		wait_for 5 is_up "$T/svc/$name"
	done
}

# --- the two bugs of issue 8 ----------------------------------------------

@test "scan -r with a typo in a running service's conf: invalid w: w/conf:1: ..., w is not touched (same pid, still up), exit 3 with one line on stderr" {
	w=$(service w 'exec sleep 1000')
	v=$(service v 'exec sleep 1000')
	link_in w v
	start_svscan "$SID_SCANDIR"
	all_up w v
	report_is 0 'added v' 'added w' 'unchanged 0'
	w_pid=$(pid w)
	v_pid=$(pid v)
	cp "$w/conf" "$T/w.conf"

	echo 'restrat = always' >"$w/conf"
	echo 'finish-timeout = 2s' >>"$v/conf"
	report_is 3 -r 'changed v: conf' 'restarted v' \
		'invalid w: w/conf:1: restrat: unknown key' 'unchanged 0'
	[ "$stderr" = 'sid-ctl: scan: invalid w: w/conf:1: restrat: unknown key' ]
	wait_for 10 is_up "$v" "$v_pid"
	untouched w "$w_pid"

	# Still invalid, so still said (and never as changed), still 3.
	report_is 3 'invalid w: w/conf:1: restrat: unknown key' 'unchanged 1'
	# Put back as it was: nothing to say, and 0.
	cp "$T/w.conf" "$w/conf"
	report_is 0 'unchanged 2'
	untouched w "$w_pid"
}

@test "a logger is reported and restarted like any service: m/log's run edited, its conf added" {
	m=$(service m 'while :; do echo tick; sleep 0.2; done')
	logger m
	link_in m
	start_svscan "$SID_SCANDIR"
	all_up m m/log
	report_is 0 'added m' 'unchanged 0'
	report_is 0 'unchanged 2'
	m_pid=$(pid m)
	log_pid=$(pid m/log)

	echo '# edited' >>"$m/log/run"
	report_is 0 'changed m/log: run' 'unchanged 1'
	echo 'stop-grace = 300ms' >"$m/log/conf"
	report_is 0 'changed m/log: run conf' 'unchanged 1'

	report_is 0 -r 'changed m/log: run conf' 'restarted m/log' 'unchanged 1'
	wait_for 10 is_up "$m/log" "$log_pid"
	[ "$(pid m)" = "$m_pid" ]
	report_is 0 'unchanged 2'
}

# --- the report of a tree -------------------------------------------------

@test "a tree: the first report lists what was started, sorted; then added, removed, changed run/conf/env, a logger, invalid, a conflict, unchanged N; -r restarts exactly the valid changed ones, exit 3" {
	for name in a b c e q; do
		service "$name" 'exec sleep 1000' >/dev/null
	done
	echo 'ready-port = 1' >>"$T/svc/q/conf"
	echo 'ready-timeout = 100ms' >>"$T/svc/q/conf"
	service m 'while :; do echo tick; sleep 0.2; done' >/dev/null
	logger m
	link_in q m e c b a
	start_svscan "$SID_SCANDIR"
	all_up a b c e m m/log q
	report_is 0 'added a' 'added b' 'added c' 'added e' 'added m' 'added q' \
		'unchanged 0'
	report_is 0 'unchanged 7'
	declare -A old
	for name in a c e m m/log q; do
		old[$name]=$(pid "$name")
	done

	# One of each: added (and in conflict with q), removed, run, conf,
	# env/, a logger's run, and an invalid conf with a changed run.
	service d 'exec sleep 1000' 'ready-port = 1' 'ready-timeout = 100ms' \
		>/dev/null
	link_in d
	rm "$SID_SCANDIR/b"
	echo '# edited' >>"$T/svc/a/run"
	echo 'finish-timeout = 2s' >>"$T/svc/c/conf"
	mkdir "$T/svc/m/env"
	echo bar >"$T/svc/m/env/FOO"
	echo '# edited' >>"$T/svc/m/log/run"
	cp "$T/svc/e/conf" "$T/e.conf"
	echo 'restrat = always' >>"$T/svc/e/conf"
	echo '# edited' >>"$T/svc/e/run"
	all_up d
	invalid_e='invalid e: e/conf:3: restrat: unknown key'
	report_is 3 \
		'changed a: run' \
		'removed b' \
		'changed c: conf' \
		'added d' \
		"$invalid_e" \
		'changed m: env' \
		'changed m/log: run' \
		'conflict port 1: d q' \
		'unchanged 1'
	[ "$stderr" = "sid-ctl: scan: $invalid_e" ]
	# A report without -r restarted nothing.
	for name in a c e m m/log q; do
		[ "$(pid "$name")" = "${old[$name]}" ]
	done

	report_is 3 -r \
		'changed a: run' 'restarted a' \
		'changed c: conf' 'restarted c' \
		"$invalid_e" \
		'changed m: env' 'restarted m' \
		'changed m/log: run' 'restarted m/log' \
		'conflict port 1: d q' \
		'unchanged 2'
	[ "$stderr" = "sid-ctl: scan: $invalid_e" ]
	for name in a c m m/log; do
		wait_for 10 is_up "$T/svc/$name" "${old[$name]}"
	done
	untouched e "${old[e]}"
	untouched q "${old[q]}"
	report_is 3 "$invalid_e" 'conflict port 1: d q' 'unchanged 6'

	# e's conf put back: now valid, and changed by its run alone.
	cp "$T/e.conf" "$T/svc/e/conf"
	report_is 0 -r 'changed e: run' 'restarted e' 'conflict port 1: d q' \
		'unchanged 6'
	wait_for 10 is_up "$T/svc/e" "${old[e]}"
	report_is 0 'conflict port 1: d q' 'unchanged 7'
}

@test "invalid env/ and an invalid logger: said with their file, never restarted; a new invalid service is added and invalid; two invalid: one line on stderr" {
	service s 'exec sleep 1000' >/dev/null
	logger s
	link_in s
	start_svscan "$SID_SCANDIR"
	all_up s s/log
	report_is 0 'added s' 'unchanged 0'
	log_pid=$(pid s/log)

	# A logger whose env/ does not load, and whose run changed.
	mkdir "$T/svc/s/log/env"
	echo 1 >"$T/svc/s/log/env/BAD=1"
	echo '# edited' >>"$T/svc/s/log/run"
	# A new service whose conf does not load: it is added, and invalid.
	service n 'exec sleep 1000' 'bogus = 1' >/dev/null
	link_in n
	report_is 3 -r \
		'added n' \
		"invalid n: n/conf:3: bogus: unknown key" \
		"invalid s/log: s/log/env/BAD=1: '=' in a variable name" \
		'unchanged 1'
	[ "$stderr" = 'sid-ctl: scan: invalid n: n/conf:3: bogus: unknown key (and 1 more invalid)' ]
	untouched s/log "$log_pid"

	rm -r "$T/svc/s/log/env"
	report_is 3 -r \
		"invalid n: n/conf:3: bogus: unknown key" \
		'changed s/log: run' 'restarted s/log' \
		'unchanged 1'
	wait_for 10 is_up "$T/svc/s/log" "$log_pid"
}

@test "an empty tree reports unchanged 0; without sid-svscan: exit 2, one line" {
	start_svscan "$SID_SCANDIR"
	report_is 0 'unchanged 0'
	report_is 0 -r 'unchanged 0'
	stop_svscan
	run -2 --separate-stderr sid-ctl scan
	[ -z "$output" ]
	[[ $stderr == "sid-ctl: no sid-svscan is running on $SID_SCANDIR"* ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
}
