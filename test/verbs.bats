#!/usr/bin/env bats
# sid-ctl as people use it: every verb sends its letter and prints one
# result line (ok:, timeout:, fail:), start/stop/restart wait, several
# services and "all" (under a real sid-svscan, loggers first on the way
# up and last on the way down), how names resolve, --help and usage
# errors, the marks of the status table and its colour, the types of
# status -j, escaped names (status, table, scan report), history's
# local time and the durations in the events.
#
# No fixed sleeps: every wait polls with a deadline (wait_for), and what
# is asserted of a line that may be printed mid-transition is only what
# holds whatever the scheduling.

load helper
load svscan-helper

setup_file() {
	export BATS_TEST_TIMEOUT=90
	need_built
}

setup() {
	T=$BATS_TEST_TMPDIR
	export SID_SCANDIR="$T/svc"
	mkdir -p "$SID_SCANDIR"
	SVSCAN_BIN="$SID_ROOT/sid-svscan"
	SVSCAN_PID=
	SVSCAN_PIDS=()
}

teardown() {
	local pid
	for pid in "${SUPERVISE_PIDS[@]}"; do
		kill -CONT "$pid" 2>/dev/null || true
	done
	stop_supervisors
	stop_svscan
}

# --- helpers ------------------------------------------------------------

# events_has DIR TEXT: some line of DIR/supervise/events ends in TEXT.
events_has() {
	grep -q -- " $2\$" "$1/supervise/events" 2>/dev/null
}

# is DIR KEY VALUE: field_is, quiet while there is no status yet.
is() {
	[ "$(field "$1" "$2" 2>/dev/null)" = "$3" ]
}

# gone PID: PID has exited.
gone() {
	! kill -0 "$1" 2>/dev/null
}

# free_port: a TCP port of 127.0.0.1 nobody listens on (just now).
free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ok_line STATES NAME: the last run printed one result line, "ok: "
# and a status line of NAME whose state is one of STATES (a regex
# alternation), with no stderr.  For verbs that do not wait, whose line
# may show the service before, during or after the change.
ok_line() {
	local re="^ok: ($1): $2: (pid [0-9]+, )?[0-9]+s(, [^;]+)?; restarts [0-9]+, last exit [^;]+(; .+)?\$"
	[ "${#lines[@]}" -eq 1 ] && [[ $output =~ $re ]] && [ -z "$stderr" ] || {
		printf 'stdout: %s\nstderr: %s\nwanted one line matching: %s\n' \
			"$output" "$stderr" "$re" >&2
		return 1
	}
}

# row NAME: the row of NAME in the last run's table.
row() {
	local line
	for line in "${lines[@]:1}"; do
		[ "${line%% *}" != "$1" ] || { echo "$line"; return 0; }
	done
	echo "no row for $1 in: $output" >&2
	return 1
}

# col N LINE: the Nth blank-separated column of LINE.
col() {
	awk -v n="$1" '{ print $n }' <<<"$2"
}

# notes LINE: the NOTES column of a row of the last run's table (it
# starts where the header's NOTES does).
notes() {
	local head=${lines[0]%%NOTES*}
	echo "${1:${#head}}"
}

# link_in NAME...: link $T/svc/NAME into the scan dir $T/scan.
link_in() {
	local name
	for name in "$@"; do
		ln -s "$T/svc/$name" "$T/scan/$name"
	done
}

# under_svscan: the scan dir is $T/scan, of links to $T/svc/NAME.
under_svscan() {
	export SID_SCANDIR="$T/scan"
	mkdir -p "$SID_SCANDIR"
}

# --- 1. every verb: its letter, its effect, one result line --------------

@test "term hup alarm interrupt quit usr1 usr2: the letter, the signal in the child, one ok: line, exit 0" {
	dir=$(service web '
for s in TERM HUP ALRM INT QUIT USR1 USR2; do
	trap "echo $s >>caught" $s
done
: >trapped
while :; do sleep 0.05; done')
	start_supervise "$dir"
	wait_for 5 test -e "$dir/trapped"
	pid=$(field "$dir" pid)

	last_caught() { [ "$(tail -n 1 "$dir/caught" 2>/dev/null)" = "$1" ]; }
	for v in term:t:TERM hup:h:HUP alarm:a:ALRM interrupt:i:INT \
		quit:q:QUIT usr1:1:USR1 usr2:2:USR2; do
		IFS=: read -r verb letter sig <<<"$v"
		run -0 --separate-stderr sid-ctl "$verb" web
		# The child traps it and lives on: the line is exact.
		[ "$(normalise <<<"$output")" = \
			"ok: up: web: pid P, Ns; restarts 0, last exit none" ]
		[[ $output == "ok: up: web: pid $pid, "* ]]
		[ -z "$stderr" ]
		events_has "$dir" "up -> up control: $letter"
		wait_for 5 last_caught "$sig"
	done
	[ "$(cat "$dir/caught")" = \
		"$(printf '%s\n' TERM HUP ALRM INT QUIT USR1 USR2)" ]
	field_is "$dir" pid "$pid"
	field_is "$dir" restarts 0
}

@test "kill: k is sent, the child dies of KILL and comes back with a new pid; one ok: line" {
	dir=$(service web 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 is "$dir" state up
	pid=$(field "$dir" pid)

	run -0 --separate-stderr sid-ctl kill web
	ok_line 'up|backoff|starting' web
	events_has "$dir" 'up -> up control: k'
	wait_for 5 is "$dir" last_exit 'signal KILL'
	wait_for 5 is "$dir" state up
	[ "$(field "$dir" pid)" != "$pid" ]
	gone "$pid"
	run -0 sid-ctl status web
	[ "$(normalise <<<"$output")" = \
		"up: web: pid P, Ns; restarts 1, last exit signal KILL" ]
}

@test "up, down, once: the letter, the state it leads to, one ok: line each, nothing on stderr" {
	dir=$(service web 'exec sleep 1000')
	touch "$dir/down"
	start_supervise "$dir"
	field_is "$dir" state down

	run -0 --separate-stderr sid-ctl up web
	ok_line 'down|starting|up' web
	events_has "$dir" 'down -> starting control: u'
	wait_for 5 is "$dir" state up
	field_is "$dir" want up
	pid=$(field "$dir" pid)

	run -0 --separate-stderr sid-ctl down web
	ok_line 'up|stopping|down' web
	events_has "$dir" 'up -> stopping control: d'
	wait_for 5 is "$dir" state down
	field_is "$dir" pid 0
	field_is "$dir" want down
	gone "$pid"

	run -0 --separate-stderr sid-ctl once web
	ok_line 'down|starting|up' web
	events_has "$dir" 'down -> starting control: o'
	wait_for 5 is "$dir" state up
	field_is "$dir" want once
	run -0 sid-ctl status web
	[ "$(normalise <<<"$output")" = \
		"up: web: pid P, Ns, normally down, once; restarts 0, last exit signal TERM" ]
}

@test "pause and cont: p and c, the child stopped and continued, paused=yes then no; one ok: line each" {
	dir=$(service web 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 is "$dir" state up
	pid=$(field "$dir" pid)

	run -0 --separate-stderr sid-ctl pause web
	ok_line up web
	[[ $output == "ok: up: web: pid $pid, "* ]]
	events_has "$dir" 'up -> up control: p'
	wait_for 5 is "$dir" paused yes
	wait_for 5 paused "$pid"
	run -0 sid-ctl status web
	[ "$(normalise <<<"$output")" = \
		"up: web: pid P, Ns, paused; restarts 0, last exit none" ]

	run -0 --separate-stderr sid-ctl cont web
	ok_line up web
	[[ $output == "ok: up: web: pid $pid, "* ]]
	events_has "$dir" 'up -> up control: c'
	wait_for 5 is "$dir" paused no
	wait_for 5 running "$pid"
	field_is "$dir" pid "$pid"
}

@test "exit: x is sent, the service stops and sid-supervise exits 0; one ok: line" {
	dir=$(service web 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 is "$dir" state up
	sup=${SUPERVISE_PIDS[0]}
	pid=$(field "$dir" pid)

	run -0 --separate-stderr sid-ctl exit web
	ok_line 'up|stopping|down' web
	events_has "$dir" 'up -> stopping control: x'
	wait_for 5 gone "$sup"
	wait "$sup"			# exit 0
	gone "$pid"
	field_is "$dir" state down
	run -2 --separate-stderr sid-ctl status web
	[ "$stderr" = "sid-ctl: web: no sid-supervise is running for $dir" ]
}

@test "start, stop, restart wait: the line shows the state reached, restart a new pid" {
	dir=$(service web 'exec sleep 1000')
	touch "$dir/down"
	start_supervise "$dir"

	run -0 --separate-stderr sid-ctl start web
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 1 ]
	# No waiting here: start returned once it was up.
	field_is "$dir" state up
	old=$(field "$dir" pid)
	[ "$(normalise <<<"$output")" = \
		"ok: up: web: pid P, Ns, normally down; restarts 0, last exit none" ]
	[[ $output == "ok: up: web: pid $old, "* ]]

	run -0 --separate-stderr sid-ctl restart web
	[ -z "$stderr" ]
	field_is "$dir" state up
	new=$(field "$dir" pid)
	[ "$new" != "$old" ]
	gone "$old"
	[[ $output == "ok: up: web: pid $new, "* ]]
	[ "$(normalise <<<"$output")" = \
		"ok: up: web: pid P, Ns, normally down; restarts 0, last exit signal TERM" ]
	events_has "$dir" 'up -> stopping control: r'

	run -0 --separate-stderr sid-ctl stop web
	[ -z "$stderr" ]
	field_is "$dir" state down
	field_is "$dir" pid 0
	gone "$new"
	[ "$(normalise <<<"$output")" = \
		"ok: down: web: Ns; restarts 0, last exit signal TERM" ]
}

@test "start of a run that exits 3 at once: one fail: line on stdout, nothing on stderr, exit 1" {
	dir=$(service f 'exit 3')
	touch "$dir/down"
	start_supervise "$dir"

	run -1 --separate-stderr sid-ctl start f
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == "fail: f: ended before it was up: exit 3"* ]]
	[ -z "$stderr" ]
	events_has "$dir" 'down -> starting control: u'
}

@test "a wait that times out (-T 0.3, ready-port never bound): one timeout: line with the state, exit 1" {
	command -v python3 >/dev/null || skip "python3 needed to find a free port"
	port=$(free_port)
	dir=$(service x 'exec sleep 1000' "ready-port = $port" \
		'ready-timeout = 60s')
	touch "$dir/down"
	start_supervise "$dir"

	t0=${EPOCHREALTIME/./}
	run -1 --separate-stderr sid-ctl -T 0.3 start x
	elapsed=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(normalise <<<"$output")" = \
		"timeout: starting: x: pid P, Ns, not ready, normally down; restarts 0, last exit none" ]
	[[ $output == "timeout: starting: x: pid $(field "$dir" pid), "* ]]
	(( elapsed >= 300 )) || { echo "took ${elapsed} ms" >&2; false; }
	field_is "$dir" state starting
	field_is "$dir" ready no
}

@test "several services: one result line each, in order; the exit code is the worst" {
	a=$(service a 'exec sleep 1000')
	# restart = never: after its exit f stays down, so that what stop
	# finds does not depend on where a restart loop stands.
	f=$(service f 'exit 3' 'restart = never')
	touch "$f/down"
	start_supervise "$a"
	start_supervise "$f"
	wait_for 5 is "$a" state up

	run -3 --separate-stderr sid-ctl start a f nosuch
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(normalise <<<"${lines[0]}")" = \
		"ok: up: a: pid P, Ns; restarts 0, last exit none" ]
	[[ ${lines[1]} == "fail: f: ended before it was up: exit 3"* ]]
	[ "${lines[2]}" = \
		"fail: nosuch: no such service: $SID_SCANDIR/nosuch: No such file or directory" ]

	run -1 --separate-stderr sid-ctl restart a f
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == "ok: up: a: pid $(field "$a" pid), "* ]]
	[[ ${lines[1]} == "fail: f: "* ]]

	run -0 --separate-stderr sid-ctl stop a f
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(normalise <<<"${lines[0]}")" = \
		'ok: down: a: Ns, normally up; restarts 0, last exit signal TERM' ]
	[ "$(normalise <<<"${lines[1]}")" = \
		'ok: down: f: Ns; restarts 0, last exit 3' ]
	field_is "$a" state down
	wait_for 5 is "$f" want down
	field_is "$f" state down
}

@test "-v with letters (-v -d, -v -u) prints the same ok: lines as stop and start; a failure is one fail: line, not on stderr" {
	dir=$(service web 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 is "$dir" state up

	run -0 --separate-stderr sid-ctl -v -d web
	[ -z "$stderr" ]
	field_is "$dir" state down
	vd=$(normalise <<<"$output")
	[ "$vd" = "ok: down: web: Ns, normally up; restarts 0, last exit signal TERM" ]

	run -0 --separate-stderr sid-ctl -v -u web
	[ -z "$stderr" ]
	field_is "$dir" state up
	[[ $output == "ok: up: web: pid $(field "$dir" pid), "* ]]
	vu=$(normalise <<<"$output")
	[ "$vu" = "ok: up: web: pid P, Ns; restarts 0, last exit signal TERM" ]

	run -0 --separate-stderr sid-ctl stop web
	[ "$(normalise <<<"$output")" = "$vd" ]
	run -0 --separate-stderr sid-ctl start web
	[ "$(normalise <<<"$output")" = "$vu" ]
	run -0 --separate-stderr sid-ctl -v -w -d web
	[ "$(normalise <<<"$output")" = "$vd" ]

	# Failures: the line on stdout, said once.
	run -3 --separate-stderr sid-ctl -v -d nosuch
	[ "$output" = \
		"fail: nosuch: no such service: $SID_SCANDIR/nosuch: No such file or directory" ]
	[ -z "$stderr" ]
	run -3 --separate-stderr sid-ctl stop nosuch
	[ "$output" = \
		"fail: nosuch: no such service: $SID_SCANDIR/nosuch: No such file or directory" ]
	[ -z "$stderr" ]
	# Without -v, a letter prints nothing on stdout and one line on stderr.
	run -3 --separate-stderr sid-ctl -d nosuch
	[ -z "$output" ]
	[ "$stderr" = \
		"sid-ctl: nosuch: no such service: $SID_SCANDIR/nosuch: No such file or directory" ]
}

# A one-letter verb returns once sid-supervise took the letter, and
# sid-supervise writes its status before the events line sid-ctl waits
# for: the line shows the state after the command, never the one before
# it (ten rounds, so that a race would show).
@test "the ok: line of up, down, pause, cont shows the state after the command" {
	dir=$(service web 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 is "$dir" state up
	bad=()
	for i in 1 2 3 4 5 6 7 8 9 10; do
		run -0 --separate-stderr sid-ctl down web
		[[ $output == "ok: down: web: "* || $output == "ok: stopping: web: "* ]] ||
			bad+=("down -> $output")
		wait_for 5 is "$dir" state down
		run -0 --separate-stderr sid-ctl up web
		[[ $output == "ok: up: web: pid "* || $output == "ok: starting: web: "* ]] ||
			bad+=("up -> $output")
		wait_for 5 is "$dir" state up
		run -0 --separate-stderr sid-ctl pause web
		[[ $output == *", paused; "* ]] || bad+=("pause -> $output")
		wait_for 5 is "$dir" paused yes
		run -0 --separate-stderr sid-ctl cont web
		[[ $output != *paused* ]] || bad+=("cont -> $output")
		wait_for 5 is "$dir" paused no
	done
	[ "${#bad[@]}" -eq 0 ] || {
		printf '%s\n' "lines that do not show the effect:" "${bad[@]}" >&2
		false
	}
}

# A supervisor that does not take the letter within -T: the line is the
# status with "timeout:", as runit's sv says it.
@test "a verb whose supervisor does not answer within -T prints timeout:, not fail:" {
	dir=$(service web 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 is "$dir" state up
	sup=${SUPERVISE_PIDS[0]}
	pid=$(field "$dir" pid)

	# A stopped sid-supervise holds the FIFO open: the d goes out, and
	# nothing is logged until it continues.
	kill -STOP "$sup"
	run --separate-stderr sid-ctl -T 0.3 stop web
	kill -CONT "$sup"
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == "timeout: up: web: pid $pid, "* ]] || {
		echo "got: $output" >&2; false; }
	wait_for 5 is "$dir" state down	# the queued d is done
}

# --- 2. all -------------------------------------------------------------

@test "all under sid-svscan: stop all (loggers last), start all (loggers first), status all; a file and a .hidden dir are skipped" {
	under_svscan
	service web 'exec sleep 1000' >/dev/null
	service web/log 'exec cat >/dev/null' >/dev/null
	service db 'exec sleep 1000' >/dev/null
	link_in web db
	mkdir "$SID_SCANDIR/.hidden"
	printf '#!/bin/sh\nexec sleep 1000\n' >"$SID_SCANDIR/.hidden/run"
	chmod +x "$SID_SCANDIR/.hidden/run"
	echo 'not a service' >"$SID_SCANDIR/README"
	start_svscan "$SID_SCANDIR"
	for d in web web/log db; do
		wait_for 10 is "$T/svc/$d" state up
	done

	run -0 --separate-stderr sid-ctl stop all
	[ -z "$stderr" ]
	[ "$(normalise <<<"$output")" = "$(printf '%s\n' \
		'ok: down: db: Ns, normally up; restarts 0, last exit signal TERM' \
		'ok: down: web: Ns, normally up; restarts 0, last exit signal TERM' \
		'ok: down: web/log: Ns, normally up; restarts 0, last exit signal TERM')" ] || {
		echo "got: $output" >&2; false; }
	for d in web web/log db; do
		field_is "$T/svc/$d" state down
	done
	[ ! -e "$SID_SCANDIR/.hidden/supervise" ]

	run -0 --separate-stderr sid-ctl start all
	[ -z "$stderr" ]
	[ "$(normalise <<<"$output")" = "$(printf '%s\n' \
		'ok: up: web/log: pid P, Ns; restarts 0, last exit signal TERM' \
		'ok: up: db: pid P, Ns; restarts 0, last exit signal TERM' \
		'ok: up: web: pid P, Ns; restarts 0, last exit signal TERM')" ] || {
		echo "got: $output" >&2; false; }
	[[ ${lines[0]} == "ok: up: web/log: pid $(field "$T/svc/web/log" pid), "* ]]
	[[ ${lines[2]} == "ok: up: web: pid $(field "$T/svc/web" pid), "* ]]

	run -0 --separate-stderr sid-ctl status all
	[ -z "$stderr" ]
	[ "$(normalise <<<"$output")" = "$(printf '%s\n' \
		'up: db: pid P, Ns; restarts 0, last exit signal TERM' \
		'up: web: pid P, Ns; restarts 0, last exit signal TERM' \
		'up: web/log: pid P, Ns; restarts 0, last exit signal TERM')" ]
	[ ! -e "$SID_SCANDIR/.hidden/supervise" ]
}

# --- 3. names -----------------------------------------------------------

@test "names: web/log from / is under the scan dir; ./x and absolute paths are paths; a name only in the cwd is that path" {
	web=$(service web 'exec sleep 1000')
	wlog=$(service web/log 'exec sleep 1000')
	other=$(service other 'exec sleep 1000')
	mkdir -p "$T/cwd"
	mv "$other" "$T/cwd/other"
	other="$T/cwd/other"
	mkdir -p "$T/cwd/web"		# here too, but no service
	for d in "$web" "$wlog" "$other"; do
		start_supervise "$d"
		wait_for 5 is "$d" state up
	done

	cd /
	[ ! -e /web/log ]
	run -0 --separate-stderr sid-ctl status web/log
	[ -z "$stderr" ]
	[[ $output == "up: web/log: pid $(field "$wlog" pid), "* ]]
	old=$(field "$wlog" pid)
	run -0 --separate-stderr sid-ctl restart web/log
	[[ $output == "ok: up: web/log: pid $(field "$wlog" pid), "* ]]
	[ "$(field "$wlog" pid)" != "$old" ]

	cd "$T/cwd"
	# Under the scan dir first, though ./web exists here.
	run -0 sid-ctl status web
	[[ $output == "up: web: pid $(field "$web" pid), "* ]]
	run -2 --separate-stderr sid-ctl status ./web
	[ "$stderr" = "sid-ctl: ./web: no sid-supervise is running for ./web" ]
	# Not under the scan dir, but here: this path.
	run -0 --separate-stderr sid-ctl status other
	[[ $output == "up: other: pid $(field "$other" pid), "* ]]
	run -0 sid-ctl status ./other
	[[ $output == "up: ./other: pid $(field "$other" pid), "* ]]
	run -0 sid-ctl status "$other"
	[[ $output == "up: $other: pid $(field "$other" pid), "* ]]
	old=$(field "$other" pid)
	run -0 --separate-stderr sid-ctl restart ./other
	[ "$(field "$other" pid)" != "$old" ]
	[[ $output == "ok: up: ./other: pid $(field "$other" pid), "* ]]
	# From elsewhere, "other" is no service.
	cd /
	run -3 --separate-stderr sid-ctl status other
	[ "$stderr" = \
		"sid-ctl: other: no such service: $SID_SCANDIR/other: No such file or directory" ]
}

# --- 4. --help and usage ------------------------------------------------

@test "--help: exit 0, usage on stdout, stderr empty, no line over 80 columns, every verb and command named" {
	run -0 --separate-stderr sid-ctl --help
	[ -z "$stderr" ]
	[[ ${lines[0]} == "usage: sid-ctl "* ]]
	for line in "${lines[@]}"; do
		(( ${#line} <= 80 )) || { echo "too long: '$line'" >&2; false; }
	done
	[[ $output != *$'\t'* ]]
	# One option a line: no second option column.
	! grep -E '^ +-[^ ]+ .* {2,}-[a-zA-Z0-9]' <<<"$output"
	for word in up down once term kill hup alarm interrupt quit usr1 usr2 \
		pause cont exit start stop restart status wait history log scan \
		all; do
		grep -qw -- "$word" <<<"$output" || {
			echo "--help does not name $word" >&2
			false
		}
	done
}

@test "usage errors: -j before status is exit 64, one stderr line naming it, nothing on stdout" {
	dir=$(service web 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 is "$dir" state up

	run -64 --separate-stderr sid-ctl -j status
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "sid-ctl: unknown option -j before status"* ]]

	run -64 --separate-stderr sid-ctl -j restart web
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "sid-ctl: unknown option -j before restart"* ]]

	run -64 --separate-stderr sid-ctl stop
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "sid-ctl: stop: no service"* ]]
	# nothing reached the supervisor
	run -1 grep 'control:' "$dir/supervise/events"
}

# --- 5. the status table --------------------------------------------------

@test "table: NOTES normally up, paused, retry_cap, next start in; PID - without a child; no ESC when not a terminal" {
	dn=$(service dn 'exec sleep 1000')
	pz=$(service pz 'exec sleep 1000')
	fl=$(service fl 'exit 1' 'max-restarts = 1/60s')
	bo=$(service bo 'exit 1' 'backoff-initial = 30s')
	for d in "$dn" "$pz" "$fl" "$bo"; do
		start_supervise "$d"
	done
	wait_for 5 is "$dn" state up
	wait_for 5 is "$pz" state up
	wait_for 5 is "$fl" state failed
	wait_for 5 is "$bo" state backoff
	sid-ctl -w -T 5 -d dn
	sid-ctl -w -T 5 -p pz

	run -0 --separate-stderr sid-ctl status
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 5 ]
	[ "$(col 1 "${lines[0]}")" = NAME ]
	[[ ${lines[0]} == *" NOTES" ]]
	[[ $output != *$'\e'* ]]

	r=$(row dn)
	[ "$(col 2 "$r")" = down ]
	[ "$(col 3 "$r")" = - ]
	[ "$(notes "$r")" = "normally up" ]

	r=$(row pz)
	[ "$(col 2 "$r")" = up ]
	[ "$(col 3 "$r")" = "$(field "$pz" pid)" ]
	[ "$(notes "$r")" = paused ]

	r=$(row fl)
	[ "$(col 2 "$r")" = failed ]
	[ "$(col 3 "$r")" = - ]
	[[ $(notes "$r") =~ (^|, )retry_cap(,|$) ]] || {
		echo "row: $r" >&2; false; }

	r=$(row bo)
	[ "$(col 2 "$r")" = backoff ]
	[ "$(col 3 "$r")" = - ]
	# The time left, for people, counting down from 30s.
	[[ $(notes "$r") =~ ^next\ start\ in\ (30s|[12][0-9](\.[0-9])?s)$ ]] || {
		echo "row: $r" >&2; false; }
}

@test "table colour: on a terminal (script) the state is coloured, green up; NO_COLOR=1 none" {
	command -v script >/dev/null ||
		skip "no script(1) on this system (util-linux) to run on a terminal"
	script --version 2>/dev/null | grep -q util-linux ||
		skip "script(1) here is not util-linux's (needs -q -e -c)"
	up=$(service up 'exec sleep 1000')
	fl=$(service fl 'exec sleep 1000')
	rm "$fl/run"
	start_supervise "$up"
	start_supervise "$fl"
	wait_for 5 is "$up" state up
	wait_for 5 is "$fl" state failed

	run -0 script -qec 'sid-ctl status' /dev/null </dev/null
	[[ $output == *$'\e[32mup\e[0m'* ]] || {
		od -c <<<"$output" | head -20 >&2; false; }
	[[ $output == *$'\e[31mfailed\e[0m'* ]]
	# The name column is not coloured.
	[[ $output == *$'\nup '* ]]

	NO_COLOR=1 run -0 script -qec 'sid-ctl status' /dev/null </dev/null
	[[ $output == *up* ]]
	[[ $output != *$'\e'* ]] || { od -c <<<"$output" | head -20 >&2; false; }

	# And not on a pipe.
	run -0 sid-ctl status
	[[ $output != *$'\e'* ]]
}

# --- 6. status -j -------------------------------------------------------

# json_types NAMES: every line of the last run's stdout is a JSON object
# of the typed keys, and their names are NAMES (space separated), in order.
json_types() {
	local line
	for line in "${lines[@]}"; do
		python3 -m json.tool <<<"$line" >/dev/null || {
			echo "not JSON: $line" >&2
			return 1
		}
	done
	python3 -c '
import json, sys
keys = ["name", "state", "want", "pid", "since", "ready", "paused",
        "restarts", "attempt", "last_exit", "backoff_ms", "error",
        "waiting", "health", "notice"]
def integer(v):
    return type(v) is int
bad, names = [], []
for line in sys.stdin.read().splitlines():
    o = json.loads(line)
    names.append(o.get("name"))
    def need(ok, key):
        if not ok:
            bad.append("%s: %s = %r" % (o.get("name"), key, o.get(key)))
    need(list(o) == keys, "keys")
    for k in ("name", "state", "want", "ready", "health"):
        need(type(o[k]) is str, k)
    need(o["pid"] is None or (integer(o["pid"]) and o["pid"] > 0), "pid")
    need(type(o["since"]) is float, "since")
    need(type(o["paused"]) is bool, "paused")
    for k in ("restarts", "attempt", "backoff_ms"):
        need(integer(o[k]) and o[k] >= 0, k)
    e = o["last_exit"]
    need(e is None or (type(e) is dict and (
        (list(e) == ["code"] and integer(e["code"])) or
        (list(e) == ["signal"] and type(e["signal"]) is str))), "last_exit")
    e = o["error"]
    need(e is None or (type(e) is dict and list(e) == ["code", "message"]
        and type(e["code"]) is str and type(e["message"]) is str), "error")
    need(type(o["waiting"]) is list and
         all(type(w) is str for w in o["waiting"]), "waiting")
    need(o["notice"] is None or type(o["notice"]) is str, "notice")
if " ".join(names) != sys.argv[1]:
    bad.append("names: %s, wanted %s" % (" ".join(names), sys.argv[1]))
if bad:
    sys.exit("\n".join(bad))
' "$1" <<<"$output"
}

# jfield NAME EXPR: python EXPR of the object o of NAME in the last
# run's JSON lines, printed as JSON.
jfield() {
	python3 -c '
import json, sys
for line in sys.stdin.read().splitlines():
    o = json.loads(line)
    if o["name"] == sys.argv[1]:
        print(json.dumps(eval(sys.argv[2]), separators=(",", ":")))
' "$1" "$2" <<<"$output"
}

@test "status -j: one object per line, typed (python), every service of the scan dir and its loggers" {
	command -v python3 >/dev/null || skip "python3 needed to check JSON types"
	a=$(service a 'exec sleep 1000')
	alog=$(service a/log 'exec sleep 1000')
	dn=$(service dn 'exec sleep 1000')
	fl=$(service fl 'exit 1' 'max-restarts = 1/60s')
	bo=$(service bo 'exit 1' 'backoff-initial = 30s')
	pz=$(service pz 'exec sleep 1000')
	for d in "$a" "$alog" "$dn" "$fl" "$bo" "$pz"; do
		start_supervise "$d"
	done
	for d in "$a" "$alog" "$dn" "$pz"; do
		wait_for 5 is "$d" state up
	done
	wait_for 5 is "$fl" state failed
	wait_for 5 is "$bo" state backoff
	sid-ctl -w -T 5 -d dn
	sid-ctl -w -T 5 -p pz

	run -0 --separate-stderr sid-ctl status -j
	[ -z "$stderr" ]
	json_types "a a/log bo dn fl pz"
	[ "$(jfield a 'o["pid"]')" = "$(field "$a" pid)" ]
	[ "$(jfield a/log 'o["pid"]')" = "$(field "$alog" pid)" ]
	[ "$(jfield a '[o["state"], o["last_exit"], o["error"], o["paused"]]')" = \
		'["up",null,null,false]' ]
	[ "$(jfield dn '[o["state"], o["pid"], o["last_exit"]]')" = \
		'["down",null,{"signal":"TERM"}]' ]
	[ "$(jfield fl '[o["state"], o["pid"], o["last_exit"], o["error"]["code"]]')" = \
		'["failed",null,{"code":1},"retry_cap"]' ]
	[[ $(jfield fl 'o["error"]["message"]') == '"more than 1 restarts within '* ]]
	[ "$(jfield bo '[o["state"], o["pid"], o["backoff_ms"], o["last_exit"]]')" = \
		'["backoff",null,30000,{"code":1}]' ]
	[ "$(jfield pz '[o["paused"], o["pid"]]')" = "[true,$(field "$pz" pid)]" ]

	# Named services: the same objects, one line each; failed is exit 1.
	run -1 --separate-stderr sid-ctl status -j a fl a/log
	[ -z "$stderr" ]
	json_types "a fl a/log"
}

# Between taking supervise/lock and writing its first supervise/status,
# a service still has its line in "status -j" (state "unknown"); a lock
# holder stands for that moment, for good.
@test "status -j with no service has a line for a service whose sid-supervise has not written its status yet" {
	command -v python3 >/dev/null || skip "python3 needed to hold a lock"
	b=$(service b 'exec sleep 1000')
	start_supervise "$b"
	wait_for 5 is "$b" state up
	mkdir -p "$SID_SCANDIR/a/supervise"
	python3 -c '
import fcntl, os, subprocess, sys
fd = os.open(sys.argv[1] + "/a/supervise/lock", os.O_WRONLY | os.O_CREAT, 0o644)
fcntl.lockf(fd, fcntl.LOCK_EX)
r = subprocess.run(["sid-ctl", "status", "-j"], capture_output=True)
open(sys.argv[2] + "/out", "wb").write(r.stdout)
open(sys.argv[2] + "/err", "wb").write(r.stderr)
sys.exit(r.returncode)
' "$SID_SCANDIR" "$T"
	[ "$(cat "$T/err")" = "" ] || { echo "stderr: $(cat "$T/err")" >&2; false; }
	[ "$(jq -r .name <"$T/out" | paste -sd' ')" = "a b" ] || {
		echo "stdout: $(cat "$T/out")" >&2; false; }
}

# --- 7. escaped names ---------------------------------------------------

EVIL=$'evil\nremoved web'
ESCNAME=$'esc\e[2J\e[31mred'

@test "names with a newline or ESC: result lines, status lines and the table are escaped, one line each" {
	a=$(service "$EVIL" 'exec sleep 1000')
	b=$(service "$ESCNAME" 'exec sleep 1000')
	start_supervise "$a"
	start_supervise "$b"
	wait_for 5 is "$a" state up
	wait_for 5 is "$b" state up

	run -0 --separate-stderr sid-ctl restart "$EVIL" "$ESCNAME"
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == "ok: up: evil\\nremoved web: pid $(field "$a" pid), "* ]]
	[[ ${lines[1]} == "ok: up: esc\\x1b[2J\\x1b[31mred: pid $(field "$b" pid), "* ]]
	no_raw_control

	run -0 --separate-stderr sid-ctl status "$EVIL" "$ESCNAME"
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == "up: evil\\nremoved web: pid $(field "$a" pid), "* ]]
	[[ ${lines[1]} == "up: esc\\x1b[2J\\x1b[31mred: pid $(field "$b" pid), "* ]]
	no_raw_control

	run -0 --separate-stderr sid-ctl status
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[1]} == 'esc\x1b[2J\x1b[31mred up '* ]]
	[[ ${lines[2]} == 'evil\nremoved web '*' up '* ]]
	no_raw_control

	run -3 --separate-stderr sid-ctl stop "$ESCNAME/x"
	[ -z "$stderr" ]
	[[ $output == 'fail: esc\x1b[2J\x1b[31mred/x: no such service: '* ]]
	[ "${#lines[@]}" -eq 1 ]
	no_raw_control
}

@test "scan under sid-svscan: adding a service named with ESC, the report line 'added esc\\x1b...' is escaped" {
	under_svscan
	service web 'exec sleep 1000' >/dev/null
	link_in web
	start_svscan "$SID_SCANDIR"
	wait_for 10 is "$T/svc/web" state up
	run -0 --separate-stderr sid-ctl scan	# the report so far
	[ -z "$stderr" ]

	# Made aside, then moved in whole.
	mkdir -p "$T/stage/$ESCNAME"
	printf '#!/bin/sh\nexec sleep 1000\n' >"$T/stage/$ESCNAME/run"
	chmod +x "$T/stage/$ESCNAME/run"
	echo 'stop-grace = 300ms' >"$T/stage/$ESCNAME/conf"
	mv "$T/stage/$ESCNAME" "$SID_SCANDIR/"

	run -0 --separate-stderr sid-ctl scan
	[ -z "$stderr" ]
	[ "$output" = "$(printf '%s\n' 'added esc\x1b[2J\x1b[31mred' 'unchanged 1')" ] || {
		echo "got: $output" >&2; false; }
	no_raw_control

	wait_for 10 is "$SID_SCANDIR/$ESCNAME" state up
	run -0 --separate-stderr sid-ctl status
	[[ ${lines[1]} == 'esc\x1b[2J\x1b[31mred up '* ]]
	no_raw_control
	run -0 --separate-stderr sid-ctl stop "$ESCNAME"
	[[ $output == 'ok: down: esc\x1b[2J\x1b[31mred: '* ]]
	no_raw_control
}

# --- 8. history and the durations of events --------------------------------

@test "history: local time (TZ) derived from the raw unix time, -r the raw lines" {
	dir=$(service web 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 is "$dir" state up
	sid-ctl -w -T 5 -d web
	sid-ctl -w -T 5 -u web
	mapfile -t raw < <(tail -n 4 "$dir/supervise/events")
	[ "${#raw[@]}" -eq 4 ]

	for tz in UTC0 JST-9; do
		TZ=$tz run -0 --separate-stderr sid-ctl history -n 4 web
		[ -z "$stderr" ]
		[ "${#lines[@]}" -eq 4 ]
		for i in 0 1 2 3; do
			when=${raw[$i]%% *}
			want="$(TZ=$tz date -d "@${when%.*}" '+%Y-%m-%d %H:%M:%S').${when#*.} ${raw[$i]#* }"
			[ "${lines[$i]}" = "$want" ] || {
				printf 'TZ=%s got:  %s\nwanted: %s\n' "$tz" \
					"${lines[$i]}" "$want" >&2
				false
			}
			[[ ${lines[$i]} =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\  ]]
		done
	done

	TZ=UTC0 run -0 --separate-stderr sid-ctl history -r -n 4 web
	[ "$output" = "$(printf '%s\n' "${raw[@]}")" ]
	[[ ${lines[0]} =~ ^[0-9]+\.[0-9]{3}\  ]]
}

@test "events and history: a backoff reads 'next start in 100ms', then 200ms" {
	dir=$(service web 'exit 1' 'backoff-initial = 100ms')
	start_supervise "$dir"
	wait_for 5 events_has "$dir" 'backoff exit 1 (next start in 200ms)'
	events_has "$dir" 'backoff exit 1 (next start in 100ms)'

	run -0 --separate-stderr sid-ctl history -n 1000 web
	[ -z "$stderr" ]
	grep -qE '^[0-9-]+ [0-9:.]+ (starting|up) -> backoff exit 1 \(next start in 100ms\)$' <<<"$output"
	grep -qE '^[0-9-]+ [0-9:.]+ (starting|up) -> backoff exit 1 \(next start in 200ms\)$' <<<"$output"
}

# Durations in events read as people read them: "1.5s", not "1500ms".
@test "events and history: a backoff of 1500ms reads 'next start in 1.5s', then 3s" {
	dir=$(service web 'exit 1' 'backoff-initial = 1500ms')
	start_supervise "$dir"
	wait_for 5 grep -q -- '-> backoff exit 1 (next start in' "$dir/supervise/events"
	run -0 --separate-stderr sid-ctl history -n 1000 web
	grep -qE '^[0-9-]+ [0-9:.]+ (starting|up) -> backoff exit 1 \(next start in 1\.5s\)$' <<<"$output" || {
		echo "history: $output" >&2; false; }
	wait_for 10 events_has "$dir" 'backoff exit 1 (next start in 3s)'
}
