#!/usr/bin/env bats
# sid-ctl: exit codes and their one stderr line, idempotent commands,
# every command letter's visible effect, -w/-T, wait, status (human,
# JSON, the whole scan dir), name resolution and history.

load helper

setup_file() {
	export BATS_TEST_TIMEOUT=60
	if [ ! -x "$SID_ROOT/sid-ctl" ] || [ ! -x "$SID_ROOT/sid-supervise" ]; then
		echo "build first: make sid-ctl sid-supervise" >&2
		return 1
	fi
}

setup() {
	export SID_SCANDIR="$BATS_TEST_TMPDIR/svc"
	mkdir -p "$SID_SCANDIR"
}

# now_ms: wall time in milliseconds.
now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $(( t / 1000 ))
}

# one_error GLOB: the stderr of the last run is exactly one line, and it
# is "sid-ctl: " followed by something matching GLOB.
one_error() {
	if [ "${#stderr_lines[@]}" -ne 1 ] || [[ $stderr != "sid-ctl: "$1 ]]
	then
		printf 'stderr (%d lines): %s\nwanted one line: sid-ctl: %s\n' \
			"${#stderr_lines[@]}" "$stderr" "$1" >&2
		return 1
	fi
}

# quiet: the last run printed nothing, on stdout or on stderr.
quiet() {
	[ -z "$output" ] || { echo "stdout: $output" >&2; return 1; }
	[ -z "$stderr" ] || { echo "stderr: $stderr" >&2; return 1; }
}

# events_has DIR TEXT: some line of DIR/supervise/events ends in TEXT.
events_has() {
	grep -q -- " $2\$" "$1/supervise/events"
}

# gone PID: PID has exited and been reaped.
gone() {
	! kill -0 "$1" 2>/dev/null
}

# --- exit codes ---------------------------------------------------------

@test "exit 0: -u on a running service keeps its pid, changes no status, notes control: u" {
	dir=$(service foo 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	before=$(cat "$dir/supervise/status")
	pid=$(field "$dir" pid)

	run -0 --separate-stderr sid-ctl -u foo
	quiet
	wait_for 5 events_has "$dir" 'up -> up control: u'
	[ "$(field "$dir" pid)" = "$pid" ]
	[ "$(cat "$dir/supervise/status")" = "$before" ]
	kill -0 "$pid"

	run -0 --separate-stderr sid-ctl -w -u foo
	quiet
	[ "$(field "$dir" pid)" = "$pid" ]
}

@test "exit 0: -d on a stopped service changes nothing but notes control: d" {
	dir=$(service foo 'exec sleep 1000')
	touch "$dir/down"
	start_supervise "$dir"
	field_is "$dir" state down
	before=$(cat "$dir/supervise/status")

	run -0 --separate-stderr sid-ctl -d foo
	quiet
	wait_for 5 events_has "$dir" 'down -> down control: d'
	[ "$(cat "$dir/supervise/status")" = "$before" ]
	[ "$(tail -n 1 "$dir/supervise/events" | cut -d' ' -f2-)" = \
		"down -> down control: d" ]

	run -0 --separate-stderr sid-ctl -w -T 5 -d foo
	quiet
	[ "$(cat "$dir/supervise/status")" = "$before" ]
}

@test "exit 1: wait -u -T 0.2 on a down service times out after about 0.2 s" {
	dir=$(service foo 'exec sleep 1000')
	touch "$dir/down"
	start_supervise "$dir"

	t0=$(now_ms)
	run -1 --separate-stderr sid-ctl wait -u -T 0.2 foo
	elapsed=$(( $(now_ms) - t0 ))
	[ -z "$output" ]
	one_error 'foo: timed out, state is down'
	(( elapsed >= 200 && elapsed < 1500 )) || {
		echo "took ${elapsed} ms" >&2
		false
	}
}

@test "exit 1: -w -T 0.2 -u times out while the service is not ready, naming its state" {
	dir=$(service foo 'exec sleep 1000' 'notification-fd = 3')
	touch "$dir/down"
	start_supervise "$dir"

	t0=$(now_ms)
	run -1 --separate-stderr sid-ctl -w -T 0.2 -u foo
	elapsed=$(( $(now_ms) - t0 ))
	[ -z "$output" ]
	one_error 'foo: timed out, state is starting'
	(( elapsed >= 200 && elapsed < 1500 ))
	field_is "$dir" state starting
}

@test "exit 1: status of a failed service (run missing) prints its line once, on stdout" {
	dir=$(service foo 'exec sleep 1000')
	rm "$dir/run"
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state failed

	run -1 --separate-stderr sid-ctl status foo
	[ "$(normalise <<<"$output")" = \
		"failed: foo: Ns, normally up; restarts 0, last exit none; error: run_missing: ./run: No such file or directory" ]
	[ -z "$stderr" ]
}

@test "exit 1: -w -u on a run-missing service returns at once, well before -T 5" {
	dir=$(service foo 'exec sleep 1000')
	rm "$dir/run"
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state failed

	t0=$(now_ms)
	run -1 --separate-stderr sid-ctl -w -T 5 -u foo
	elapsed=$(( $(now_ms) - t0 ))
	[ -z "$output" ]
	one_error 'foo: failed: run_missing: ./run: No such file or directory'
	(( elapsed < 2000 )) || { echo "took ${elapsed} ms" >&2; false; }
	events_has "$dir" 'failed -> starting control: u'
	events_has "$dir" 'starting -> failed run_missing: ./run: No such file or directory'
}

@test "exit 2: no sid-supervise was ever started" {
	dir=$(service foo 'exec sleep 1000')

	for args in "-u foo" "-w -d foo" "-t foo" "status foo" "status -j foo" \
		"wait -u foo"; do
		# shellcheck disable=SC2086
		run -2 --separate-stderr sid-ctl $args
		[ -z "$output" ]
		one_error "foo: no sid-supervise is running for $dir"
	done
	run -2 --separate-stderr sid-ctl history foo
	[ -z "$output" ]
	one_error "foo: unable to read $dir/supervise/events: No such file or directory"
	[ ! -e "$dir/supervise" ]
}

@test "exit 2 after -x: -w -x returns when sid-supervise has exited, and the service with it" {
	# a child that takes a while to stop, so that returning early shows
	dir=$(service foo '
trap "sleep 0.2; exit 7" TERM
: >trapped
while :; do sleep 0.05; done')
	start_supervise "$dir"
	wait_for 5 test -e "$dir/trapped"
	sup=${SUPERVISE_PIDS[0]}
	child=$(field "$dir" pid)

	run -0 --separate-stderr sid-ctl -w -T 5 -x foo
	quiet
	# no waiting here: -w -x returned, so nobody reads the FIFO any more
	run -2 --separate-stderr sid-ctl -u foo
	[ -z "$output" ]
	one_error "foo: no sid-supervise is running for $dir"
	gone "$child"
	field_is "$dir" state down
	field_is "$dir" pid 0
	field_is "$dir" last_exit "exit 7"
	wait_for 5 gone "$sup"
	wait "$sup"			# and it exited 0

	run -2 --separate-stderr sid-ctl status foo
	[ -z "$output" ]
	one_error "foo: no sid-supervise is running for $dir"
}

@test "exit 3: no such service, by name and by path" {
	run -3 --separate-stderr sid-ctl -u nosuch
	[ -z "$output" ]
	one_error "nosuch: no such service: $SID_SCANDIR/nosuch: No such file or directory"

	for args in "status nosuch" "wait -d nosuch" "history nosuch" "-w -d nosuch"; do
		# shellcheck disable=SC2086
		run -3 --separate-stderr sid-ctl $args
		[ -z "$output" ]
		one_error "nosuch: no such service: $SID_SCANDIR/nosuch: *"
	done

	run -3 --separate-stderr sid-ctl status "$BATS_TEST_TMPDIR/nowhere"
	one_error "$BATS_TEST_TMPDIR/nowhere: no such service: $BATS_TEST_TMPDIR/nowhere: *"

	touch "$SID_SCANDIR/afile"
	run -3 --separate-stderr sid-ctl -d afile
	one_error "afile: no such service: $SID_SCANDIR/afile is not a directory"
}

@test "exit 3: with an invalid conf, -u/-o/-r send nothing (a running service keeps its pid); -d still works" {
	dir=$(service foo 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	pid=$(field "$dir" pid)
	echo 'restart = sometimes' >>"$dir/conf"

	for cmd in -u -o -r "-w -r"; do
		# shellcheck disable=SC2086
		run -3 --separate-stderr sid-ctl $cmd foo
		[ -z "$output" ]
		one_error "foo: config_invalid: $dir/conf:3: *restart*"
	done
	run -1 grep -E 'control: [uor]$' "$dir/supervise/events"
	field_is "$dir" state up
	field_is "$dir" pid "$pid"
	field_is "$dir" want up

	run -0 --separate-stderr sid-ctl -w -d foo
	[ -z "$stderr" ]
	field_is "$dir" state down
}

@test "exit 3: status of a service failed with config_invalid" {
	dir=$(service foo 'exec sleep 1000' 'restart = sometimes')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state failed

	run -3 --separate-stderr sid-ctl status foo
	[[ $(normalise <<<"$output") == "failed: foo: Ns, normally up; restarts 0, last exit none; error: config_invalid: $dir/conf:3: "*restart* ]]
	[ -z "$stderr" ]

	# Fixed since, but still failed: says the old error, still 3.
	sed -i '$d' "$dir/conf"
	run -3 --separate-stderr sid-ctl status foo
	[[ $output == *"; error: config_invalid: "*conf:3:*restart* ]]
	[ -z "$stderr" ]

	# Now -u may go out, and clears it.
	run -0 --separate-stderr sid-ctl -w -T 5 -u foo
	[ -z "$stderr" ]
	run -0 --separate-stderr sid-ctl status foo
	[ "$(normalise <<<"$output")" = "up: foo: pid P, Ns; restarts 0, last exit none" ]
}

@test "exit 64: usage errors print one line naming what is wrong" {
	dir=$(service foo 'exec sleep 1000')
	start_supervise "$dir"
	check() {	# check GLOB ARGS...: exit 64, no stdout, one line
		local glob=$1
		shift
		run -64 --separate-stderr sid-ctl "$@"
		[ -z "$output" ]
		one_error "$glob; usage: sid-ctl *"
	}
	check 'no command'
	check 'unknown command foo' foo
	check 'unknown command foo' -w foo
	check 'no service after -u' -u
	check 'no service after -d' -w -T 1 -d
	check 'unknown option -z' -z foo
	check 'unknown option -Z' -u -Z foo
	check '-T needs a value' -w -T
	check 'unknown option -j before status' -j status
	check 'unknown option -z before restart' -z restart foo
	check 'unknown option --bogus' --bogus foo
	check 'status: unknown option --bogus' status --bogus
	check '-T takes a number of seconds, not abc' -w -T abc -u foo
	check '-T takes a number of seconds, not -1' -w -T -1 -u foo
	check '-T takes a number of seconds, not 2s' -w -T 2s -u foo
	check 'unknown command frobnicate' frobnicate foo
	check 'status: unknown option -x' status -x foo
	check 'wait: -u, -d or -R needed' wait foo
	check 'wait: -u, -d or -R needed' wait -T 1 foo
	check 'wait: no service' wait -u
	check 'wait: unknown option -x' wait -u -x foo
	check '-T takes a number of seconds, not soon' wait -u -T soon foo
	check 'history: one service needed' history
	check 'history: one service needed' history foo foo
	check 'history: -n takes a number of lines, not x' history -n x foo
	check 'restart: no service' restart
	check 'restart: unknown option -x' restart -x foo
	# nothing reached the supervisor
	run -1 grep 'control:' "$dir/supervise/events"
}

@test "exit 64: -T nan is a bad -T, not an instant timeout" {
	dir=$(service foo 'exec sleep 1000')
	touch "$dir/down"
	start_supervise "$dir"

	run -64 --separate-stderr sid-ctl wait -u -T nan foo
	[ -z "$output" ]
	one_error '-T takes a number of seconds, not nan; usage: sid-ctl *'
	run -64 --separate-stderr sid-ctl -w -T nan -u foo
	one_error '-T takes a number of seconds, not nan; usage: sid-ctl *'
}

@test "several SERVICEs: each is handled, the exit code is the highest" {
	a=$(service a 'exec sleep 1000')
	b=$(service b 'exec sleep 1000')
	start_supervise "$a"
	start_supervise "$b"
	wait_for 5 field_is "$a" state up
	wait_for 5 field_is "$b" state up

	run -0 --separate-stderr sid-ctl -w -T 5 -d a b
	[ -z "$stderr" ]
	field_is "$a" state down
	field_is "$b" state down

	run -3 --separate-stderr sid-ctl -w -T 5 -u a nosuch b
	one_error 'nosuch: no such service: *'
	field_is "$a" state up
	field_is "$b" state up

	run -3 --separate-stderr sid-ctl status a nosuch b
	[ "${#lines[@]}" -eq 2 ]
	[ "$(normalise <<<"${lines[0]}")" = "up: a: pid P, Ns; restarts 0, last exit signal TERM" ]
	[ "$(normalise <<<"${lines[1]}")" = "up: b: pid P, Ns; restarts 0, last exit signal TERM" ]
	one_error 'nosuch: no such service: *'
}

# --- every command letter -----------------------------------------------

@test "-t -h -a -i -q -1 -2 reach the child as TERM HUP ALRM INT QUIT USR1 USR2" {
	dir=$(service foo '
for s in TERM HUP ALRM INT QUIT USR1 USR2; do
	trap "echo $s >>caught" $s
done
: >trapped
while :; do sleep 0.05; done')
	start_supervise "$dir"
	wait_for 5 test -e "$dir/trapped"
	pid=$(field "$dir" pid)

	last_caught() { [ "$(tail -n 1 "$dir/caught" 2>/dev/null)" = "$1" ]; }
	for pair in t:TERM h:HUP a:ALRM i:INT q:QUIT 1:USR1 2:USR2; do
		run -0 --separate-stderr sid-ctl "-${pair%%:*}" foo
		quiet
		wait_for 5 last_caught "${pair#*:}"
	done
	[ "$(cat "$dir/caught")" = "$(printf '%s\n' TERM HUP ALRM INT QUIT USR1 USR2)" ]
	field_is "$dir" pid "$pid"
	field_is "$dir" state up
	field_is "$dir" restarts 0
	grep -q 'up -> up control: 2$' "$dir/supervise/events"
}

@test "-k kills the child; it is restarted with a new pid" {
	dir=$(service foo 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	pid=$(field "$dir" pid)

	run -0 --separate-stderr sid-ctl -k foo
	quiet
	wait_for 5 field_is "$dir" last_exit "signal KILL"
	wait_for 5 field_is "$dir" state up
	[ "$(field "$dir" pid)" != "$pid" ]
	field_is "$dir" restarts 1
	run -0 sid-ctl status foo
	[ "$(normalise <<<"$output")" = "up: foo: pid P, Ns; restarts 1, last exit signal KILL" ]
}

@test "-p pauses and -c continues the child, in status and in fact" {
	dir=$(service foo 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	pid=$(field "$dir" pid)

	run -0 --separate-stderr sid-ctl -w -T 5 -p foo
	quiet
	field_is "$dir" paused yes
	wait_for 5 paused "$pid"
	run -0 sid-ctl status foo
	[ "$(normalise <<<"$output")" = "up: foo: pid P, Ns, paused; restarts 0, last exit none" ]
	run -0 sid-ctl status -j foo
	[ "$(jq -c .paused <<<"$output")" = true ]

	run -0 --separate-stderr sid-ctl -w -T 5 -c foo
	quiet
	field_is "$dir" paused no
	wait_for 5 running "$pid"
	field_is "$dir" pid "$pid"
	run -0 sid-ctl status foo
	[ "$(normalise <<<"$output")" = "up: foo: pid P, Ns; restarts 0, last exit none" ]
}

@test "-o starts once and does not restart after the exit" {
	dir=$(service foo '
echo start >>starts
"$HELPERS/await" 10 test -e quit || exit 1
exit 3')
	touch "$dir/down"
	start_supervise "$dir"

	run -0 --separate-stderr sid-ctl -w -T 5 -o foo
	quiet
	field_is "$dir" state up
	field_is "$dir" want once
	run -0 sid-ctl status foo
	[ "$(normalise <<<"$output")" = "up: foo: pid P, Ns, normally down, once; restarts 0, last exit none" ]

	touch "$dir/quit"
	wait_for 5 field_is "$dir" state down
	field_is "$dir" last_exit "exit 3"
	field_is "$dir" restarts 0
	field_is "$dir" pid 0
	[ "$(wc -l <"$dir/starts")" -eq 1 ]
	run -1 grep 'backoff' "$dir/supervise/events"
	run -0 sid-ctl status foo
	[ "$(normalise <<<"$output")" = "down: foo: Ns, once; restarts 0, last exit 3" ]
}

@test "-w -r returns with the new pid already in status" {
	dir=$(service foo 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	old=$(field "$dir" pid)

	for i in 1 2 3; do
		run -0 --separate-stderr sid-ctl -w -T 5 -r foo
		quiet
		new=$(field "$dir" pid)		# no waiting: -w did it
		field_is "$dir" state up
		[ "$new" != 0 ]
		[ "$new" != "$old" ]
		kill -0 "$new"
		old=$new
	done
	field_is "$dir" restarts 0
	field_is "$dir" last_exit "signal TERM"
	[ "$(grep -c 'up -> stopping control: r$' "$dir/supervise/events")" -eq 3 ]
}

@test "-w -r does not take the old pid for the new one (supervisor frozen: times out)" {
	dir=$(service foo 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	sup=${SUPERVISE_PIDS[0]}
	old=$(field "$dir" pid)

	# A stopped sid-supervise still holds the FIFO open, so r goes out,
	# but nothing can change until it continues.
	kill -STOP "$sup"
	run --separate-stderr sid-ctl -w -T 0.3 -r foo
	kill -CONT "$sup"
	[ "$status" -eq 1 ]
	one_error 'foo: timed out, state is up'

	# once it runs again, the queued r is done
	wait_for 5 eval '! field_is "$dir" pid "$old" && field_is "$dir" state up'
}

@test "-x through sid-ctl: the supervisor exits 0 and the FIFO has no reader" {
	dir=$(service foo 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	sup=${SUPERVISE_PIDS[0]}

	run -0 --separate-stderr sid-ctl -x foo		# no -w: just sent
	quiet
	wait_for 5 gone "$sup"
	wait "$sup"
	field_is "$dir" state down
	events_has "$dir" 'up -> stopping control: x'
	[ -p "$dir/supervise/control" ]
	run -2 --separate-stderr sid-ctl -w -x foo
	one_error "foo: no sid-supervise is running for $dir"
}

# --- wait ---------------------------------------------------------------

@test "wait -R: times out before the service is ready, succeeds after (notification-fd)" {
	dir=$(service foo '
"$HELPERS/await" 30 test -e go || exit 1
echo >&3
exec sleep 1000' 'notification-fd = 3')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state starting

	run -1 --separate-stderr sid-ctl wait -R -T 0.3 foo
	[ -z "$output" ]
	one_error 'foo: timed out, state is starting'
	run -0 sid-ctl status foo
	[ "$(normalise <<<"$output")" = "starting: foo: pid P, Ns, not ready; restarts 0, last exit none" ]

	touch "$dir/go"
	run -0 --separate-stderr sid-ctl wait -R -T 5 foo
	quiet
	field_is "$dir" state up
	field_is "$dir" ready yes
	run -0 sid-ctl status foo
	[ "$(normalise <<<"$output")" = "up: foo: pid P, Ns, ready; restarts 0, last exit none" ]
	run -0 sid-ctl wait -u -T 1 foo
}

@test "wait -R: a ready-port service is ready once it listens" {
	command -v python3 >/dev/null || skip "python3 needed for a listener"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	dir=$(service foo "
\"$HELPERS/await\" 30 test -e go || exit 1
exec python3 -c 'import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"127.0.0.1\", $port)); s.listen(5); time.sleep(1000)'" \
		"ready-port = $port" 'ready-timeout = 30s')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state starting

	run -1 --separate-stderr sid-ctl wait -R -T 0.3 foo
	one_error 'foo: timed out, state is starting'

	touch "$dir/go"
	run -0 --separate-stderr sid-ctl wait -R -T 10 foo
	quiet
	field_is "$dir" ready yes
}

@test "wait -R: up but never ready (ready-timeout over) is not ready" {
	dir=$(service foo 'exec sleep 1000' 'notification-fd = 3' \
		'ready-timeout = 100ms')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	field_is "$dir" ready no

	run -0 --separate-stderr sid-ctl wait -u -T 1 foo
	[ -z "$stderr" ]
	run -1 --separate-stderr sid-ctl wait -R -T 0.2 foo
	[ -z "$output" ]
	one_error 'foo: timed out, state is up: started_but_unbound: no readiness notification on fd 3 after 100ms'
	run -0 sid-ctl status foo
	[ "$(normalise <<<"$output")" = "up: foo: pid P, Ns, not ready; restarts 0, last exit none; error: started_but_unbound: no readiness notification on fd 3 after 100ms" ]
}

@test "wait -d and wait -u follow the service" {
	dir=$(service foo 'exec sleep 1000')
	start_supervise "$dir"
	run -0 --separate-stderr sid-ctl wait -u -T 5 foo
	[ -z "$stderr" ]
	field_is "$dir" state up
	run -1 --separate-stderr sid-ctl wait -d -T 0.1 foo
	one_error 'foo: timed out, state is up'
	sid-ctl -d foo
	run -0 --separate-stderr sid-ctl wait -d -T 5 foo
	[ -z "$stderr" ]
	field_is "$dir" state down
}

# --- status -------------------------------------------------------------

@test "human status lines: up, down, after a stop, in backoff" {
	up=$(service up 'exec sleep 1000')
	down=$(service down 'exec sleep 1000')
	touch "$down/down"
	crash=$(service crash 'exit 1' 'backoff-initial = 30s')
	start_supervise "$up"
	start_supervise "$down"
	start_supervise "$crash"
	wait_for 5 field_is "$up" state up
	wait_for 5 field_is "$crash" state backoff

	run -0 --separate-stderr sid-ctl status up
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == "up: up: pid $(field "$up" pid), "[0-9]*"s; restarts 0, last exit none" ]]
	run -0 sid-ctl status down
	[ "$(normalise <<<"$output")" = "down: down: Ns; restarts 0, last exit none" ]
	run -0 sid-ctl status crash
	[[ $(normalise <<<"$output") == "backoff: crash: Ns; restarts 1, last exit 1; next start in "*s ]]
	# The time left, for people, counts down from 30s.
	[[ $output =~ next\ start\ in\ (30s|2[0-9](\.[0-9])?s)$ ]]

	sid-ctl -w -T 5 -d up
	run -0 sid-ctl status up
	[ "$(normalise <<<"$output")" = "down: up: Ns, normally up; restarts 0, last exit signal TERM" ]

	# uptime counts from the last transition
	field_is "$down" state down
	since=$(field "$down" since)
	wait_for 5 eval '(( $(now_ms) / 1000 - ${since%.*} >= 2 ))'
	run -0 sid-ctl status down
	[[ $output =~ ^down:\ down:\ ([0-9]+)s\; ]]
	(( BASH_REMATCH[1] >= 1 ))
}

@test "status -j: JSON Lines with every key, typed" {
	a=$(service a 'exec sleep 1000')
	b=$(service 'b "q"' 'exit 1' 'backoff-initial = 30s')
	start_supervise "$a"
	start_supervise "$b"
	wait_for 5 field_is "$a" state up
	wait_for 5 field_is "$b" state backoff

	run -0 --separate-stderr sid-ctl status -j a "$b"
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	for i in 0 1; do
		line=${lines[$i]}
		jq -e . >/dev/null <<<"$line"
		[ "$(jq -c 'keys_unsorted' <<<"$line")" = \
			'["name","state","want","pid","since","ready","paused","restarts","attempt","last_exit","backoff_ms","error","waiting","health","notice"]' ]
		jq -e '(.restarts|type)=="number" and (.since|type)=="number" and
			(.attempt|type)=="number" and (.backoff_ms|type)=="number" and
			(.paused|type)=="boolean" and (.waiting|type)=="array" and
			([.name,.state,.want,.ready,.health] | all(type=="string"))' \
			<<<"$line"
		[[ $line =~ \"since\":[0-9]+\.[0-9]{3}, ]]
	done

	run jq -c '[.name,.state,.want,.pid,.ready,.paused,.restarts,.last_exit,.backoff_ms,.error,.waiting,.health,.notice]' <<<"${lines[0]}"
	[ "$output" = "[\"a\",\"up\",\"up\",$(field "$a" pid),\"n/a\",false,0,null,0,null,[],\"n/a\",null]" ]
	run -0 sid-ctl status -j a
	[[ $output == *"\"since\":$(field "$a" since),"* ]]
	run -0 sid-ctl status -j "$b"
	[ "$(jq -r .name <<<"$output")" = "$b" ]
	run jq -c '[.state,.want,.pid,.restarts,.last_exit,.backoff_ms]' <<<"$output"
	[ "$output" = '["backoff","up",null,1,{"code":1},30000]' ]

	# Killed by a signal: {"signal":"TERM"}.
	sid-ctl -w -T 5 -d a
	run -0 sid-ctl status -j a
	[ "$(jq -c .last_exit <<<"$output")" = '{"signal":"TERM"}' ]
	[ "$(jq -c .pid <<<"$output")" = null ]
}

@test "status -j: a failed service's error, and exit 1" {
	dir=$(service foo 'exec sleep 1000')
	rm "$dir/run"
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state failed
	run -1 --separate-stderr sid-ctl status -j foo
	[ -z "$stderr" ]
	[ "$(jq -r '.state + " " + .error.code + " " + .error.message' \
		<<<"$output")" = "failed run_missing ./run: No such file or directory" ]
}

# table: the last run's output (the status table) with its columns
# squeezed to one space, pids as P and uptimes as Ns.
table() {
	awk 'NR > 1 && $3 ~ /^[1-9][0-9]*$/ { $3 = "P" }
		NR > 1 && $4 ~ /^[0-9]+s$/ { $4 = "Ns" }
		{ sub(/next start in [0-9.]+m?s$/, "next start in S") }
		{ $1 = $1; print }' <<<"$output"
}

# table_aligned: in every line of the last run's output, the second
# column starts where the header's STATE does.
table_aligned() {
	local prefix=${lines[0]%%STATE*} line
	[ "${#prefix}" -ge 5 ] || return
	for line in "${lines[@]}"; do
		[[ ${line:0:${#prefix}} == [^\ ]*" " && ${line:${#prefix}:1} != " " ]] || {
			echo "not aligned: '$line'" >&2
			return 1
		}
	done
}

# table_pid N: the pid printed in line N of the last run's output.
table_pid() {
	awk '{ print $3 }' <<<"${lines[$1]}"
}

@test "status with no SERVICE: a table of every service directory of the scan dir, sorted, with NAME/log" {
	zeta=$(service zeta 'exec sleep 1000')
	zlog=$(service zeta/log 'exec sleep 1000')
	alpha=$(service alpha 'exit 1' 'backoff-initial = 30s')
	mkdir "$SID_SCANDIR/.hidden"		# not a service: hidden
	touch "$SID_SCANDIR/README"		# not a service: a file
	mkdir -p "$BATS_TEST_TMPDIR/real"	# a symlink to a service is one
	mv "$(service mid 'exec sleep 1000')" "$BATS_TEST_TMPDIR/real/mid"
	ln -s ../real/mid "$SID_SCANDIR/mid"
	for d in "$zeta" "$zlog" "$BATS_TEST_TMPDIR/real/mid"; do
		start_supervise "$d"
		wait_for 5 field_is "$d" state up
	done
	start_supervise "$alpha"
	wait_for 5 field_is "$alpha" state backoff

	run -0 --separate-stderr sid-ctl status
	[ -z "$stderr" ]
	[ "$(table)" = "$(printf '%s\n' \
		"NAME STATE PID UPTIME READY RESTARTS LAST-EXIT NOTES" \
		"alpha backoff - Ns n/a 1 exit 1 next start in S" \
		"mid up P Ns n/a 0 none -" \
		"zeta up P Ns n/a 0 none -" \
		"zeta/log up P Ns n/a 0 none -")" ]
	table_aligned
	[ "$(table_pid 2)" = "$(field "$BATS_TEST_TMPDIR/real/mid" pid)" ]
	[ "$(table_pid 3)" = "$(field "$zeta" pid)" ]
	[ "$(table_pid 4)" = "$(field "$zlog" pid)" ]

	run -0 --separate-stderr sid-ctl status -j
	[ -z "$stderr" ]
	[ "$(jq -r .name <<<"$output" | paste -sd' ')" = "alpha mid zeta zeta/log" ]
	[ "$(jq -r .state <<<"$output" | paste -sd' ')" = "backoff up up up" ]
}

@test "status with no SERVICE: an unsupervised service is a row too; no scan dir is 3" {
	a=$(service a 'exec sleep 1000')
	service b 'exec sleep 1000' >/dev/null
	start_supervise "$a"
	wait_for 5 field_is "$a" state up

	run -0 --separate-stderr sid-ctl status
	[ -z "$stderr" ]
	[ "$(table)" = "$(printf '%s\n' \
		"NAME STATE PID UPTIME READY RESTARTS LAST-EXIT NOTES" \
		"a up P Ns n/a 0 none -" \
		"b unsupervised - - - - - -")" ]
	table_aligned

	# JSON lists b too, as the table does: state unsupervised, keys null.
	run -0 --separate-stderr sid-ctl status -j
	[ -z "$stderr" ]
	[ "$(jq -r .name <<<"$output" | paste -sd' ')" = "a b" ]
	[ "$(jq -r .state <<<"$output" | paste -sd' ')" = "up unsupervised" ]
	[ "$(jq -c 'select(.name == "b") | [.pid, .since, .error]' \
		<<<"$output")" = "[null,null,null]" ]

	SID_SCANDIR="$BATS_TEST_TMPDIR/noscan" run -3 --separate-stderr sid-ctl status
	[ -z "$output" ]
	one_error "unable to read the scan directory $BATS_TEST_TMPDIR/noscan: No such file or directory"
	SID_SCANDIR="$BATS_TEST_TMPDIR/noscan" run -3 --separate-stderr sid-ctl status -j
	[ -z "$output" ]
	one_error "unable to read the scan directory $BATS_TEST_TMPDIR/noscan: *"
}

@test "SERVICE: a bare name is under \$SID_SCANDIR, anything with / (or .) is a path, printed as given" {
	dir=$(service foo 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	mkdir -p "$BATS_TEST_TMPDIR/elsewhere/foo"
	cd "$BATS_TEST_TMPDIR/elsewhere"

	run -0 sid-ctl status foo
	[ "$(normalise <<<"$output")" = "up: foo: pid P, Ns; restarts 0, last exit none" ]
	run -2 --separate-stderr sid-ctl status ./foo
	one_error "./foo: no sid-supervise is running for ./foo"
	run -0 sid-ctl status "$dir"
	[ "$(normalise <<<"$output")" = "up: $dir: pid P, Ns; restarts 0, last exit none" ]
	run -0 sid-ctl status ../svc/foo
	[ "$(normalise <<<"$output")" = "up: ../svc/foo: pid P, Ns; restarts 0, last exit none" ]
	(cd "$dir" && sid-ctl status .) >"$BATS_TEST_TMPDIR/dot"
	[ "$(normalise <"$BATS_TEST_TMPDIR/dot")" = "up: .: pid P, Ns; restarts 0, last exit none" ]

	SID_SCANDIR="$BATS_TEST_TMPDIR/elsewhere" run -2 --separate-stderr sid-ctl status foo
	one_error "foo: no sid-supervise is running for $BATS_TEST_TMPDIR/elsewhere/foo"

	# a command through a relative path reaches the same supervisor
	pid=$(field "$dir" pid)
	run -0 sid-ctl -w -T 5 -r ../svc/foo
	[ "$(field "$dir" pid)" != "$pid" ]

	# Not under the scan directory, but here: the path here.
	SID_SCANDIR="$BATS_TEST_TMPDIR/none" run -2 --separate-stderr sid-ctl status foo
	one_error "foo: no sid-supervise is running for foo"
	if [ ! -e /etc/sid/service/foo ]; then
		cd /
		SID_SCANDIR= run -3 --separate-stderr sid-ctl status foo
		one_error "foo: no such service: /etc/sid/service/foo: *"
		run -3 --separate-stderr env -u SID_SCANDIR sid-ctl status foo
		one_error "foo: no such service: /etc/sid/service/foo: *"
	fi
}

# --- history ------------------------------------------------------------

@test "history: local times for people, -r the raw unix time" {
	dir=$(service foo 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	raw=$(tail -n 1 "$dir/supervise/events")
	when=${raw%% *}
	want="$(TZ=UTC0 date -d "@${when%.*}" '+%Y-%m-%d %H:%M:%S').${when#*.} ${raw#* }"

	TZ=UTC0 run -0 --separate-stderr sid-ctl history -n 1 foo
	[ -z "$stderr" ]
	[ "$output" = "$want" ]
	TZ=UTC0 run -0 sid-ctl history -n 1 -r foo
	[ "$output" = "$raw" ]
}

@test "history -n 2 prints exactly the last 2 lines; the default is 10" {
	dir=$(service foo 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	sid-ctl -w -T 5 -d foo
	sid-ctl -p foo				# no child: a note
	sid-ctl -d foo
	wait_for 5 events_has "$dir" 'down -> down control: d'

	run -0 --separate-stderr sid-ctl history -r -n 2 foo
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$output" = "$(tail -n 2 "$dir/supervise/events")" ]
	[ "$(cut -d' ' -f2- <<<"$output")" = "$(printf '%s\n' \
		'down -> down control: p (no child)' \
		'down -> down control: d')" ]
	[[ ${lines[0]} =~ ^[0-9]+\.[0-9]{3}\  ]]

	for i in 1 2 3 4 5 6 7 8 9 10; do
		sid-ctl -d foo
		wait_for 5 eval "[ \$(grep -c 'down -> down control: d\$' '$dir/supervise/events') -eq $(( i + 1 )) ]"
	done
	total=$(wc -l <"$dir/supervise/events")
	(( total > 10 ))
	run -0 sid-ctl history -r foo
	[ "${#lines[@]}" -eq 10 ]
	[ "$output" = "$(tail -n 10 "$dir/supervise/events")" ]
	run -0 sid-ctl history -r -n 1000 "$dir"
	[ "${#lines[@]}" -eq "$total" ]
	[ "$output" = "$(cat "$dir/supervise/events")" ]
	[[ ${lines[0]} == *" down -> starting sid-supervise started" ]]
}
