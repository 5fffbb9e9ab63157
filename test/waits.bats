#!/usr/bin/env bats
# sid-ctl's waits that cannot end do not wait: a failed service, a new
# instance that ends before it is up, and a supervisor that is not there
# yet (it is waited for within -T).  And the check before -u/-o/-r
# covers env/ as well as conf.

load helper

setup_file() {
	export BATS_TEST_TIMEOUT=60
	need_built sid-ctl sid-supervise
}

setup() {
	export SID_SCANDIR="$BATS_TEST_TMPDIR/svc"
	mkdir -p "$SID_SCANDIR"
}

# sleeping PID: the process PID waits in the kernel (it has polled once).
sleeping() {
	[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = S ]
}

# one_line GLOB: stderr of the last run is one line, "sid-ctl: GLOB".
one_line() {
	[ "${#stderr_lines[@]}" -eq 1 ] && [[ $stderr == "sid-ctl: "$1 ]] || {
		echo "stderr: $stderr; wanted sid-ctl: $1" >&2
		return 1
	}
}

@test "env/ with a bad name: -r, -u and -o refuse it (exit 3) and the service keeps running" {
	local dir pid
	dir=$(service s 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	pid=$(field "$dir" pid)
	mkdir "$dir/env"
	echo x >"$dir/env/BAD=NAME"
	cd "$SID_SCANDIR"
	for cmd in -r -u -o; do
		run --separate-stderr sid-ctl "$cmd" ./s
		[ "$status" -eq 3 ]
		one_line "*: config_invalid: */env/BAD=NAME: '=' in a variable name"
	done
	field_is "$dir" state up
	field_is "$dir" pid "$pid"
	field_is "$dir" error ""
}

@test "env/ with an entry that cannot be read: -r refuses it and says why" {
	local dir pid
	dir=$(service s 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	pid=$(field "$dir" pid)
	mkdir "$dir/env"
	mkdir "$dir/env/SUB"
	run --separate-stderr sid-ctl -r s
	[ "$status" -eq 3 ]
	one_line "s: config_invalid: */env/SUB: Is a directory"
	field_is "$dir" pid "$pid"
}

@test "wait -u on a failed service ends at once with 1 and the error" {
	local dir
	dir=$(service f 'exec sleep 1000' 'restrat = always')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state failed
	# -T 60: a wait that sat it out would be killed by timeout (124).
	run --separate-stderr timeout 10 sid-ctl wait -u -T 60 f
	[ "$status" -eq 1 ]
	one_line "f: failed: config_invalid: */f/conf:3: restrat: unknown key"
	run --separate-stderr timeout 10 sid-ctl wait -R -T 60 f
	[ "$status" -eq 1 ]
	one_line "f: failed: config_invalid: *"
	# Down is what a failed service is: that wait is over.
	run timeout 10 sid-ctl wait -d -T 60 f
	[ "$status" -eq 0 ]
}

@test "wait -u on a service that failed after max-restarts ends at once" {
	local dir
	dir=$(service f 'exit 1' 'max-restarts = 1' 'backoff-initial = 1ms')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state failed
	run --separate-stderr timeout 10 sid-ctl wait -u -T 60 f
	[ "$status" -eq 1 ]
	one_line "f: failed: retry_cap: *"
}

@test "wait -R started before its sid-supervise: waits for it and returns 0 once ready" {
	local dir port waiter rc
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	dir=$(service web "exec python3 -c '
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"127.0.0.1\", $port)); s.listen(); time.sleep(1000)'" \
		"ready-port = $port")
	sid-ctl wait -R -T 20 web >"$BATS_TEST_TMPDIR/wait.out" 2>&1 &
	waiter=$!
	# It has looked once and found no supervisor: now start one.
	wait_for 5 sleeping "$waiter"
	[ ! -e "$dir/supervise" ]
	start_supervise "$dir"
	rc=0
	wait "$waiter" || rc=$?
	cat "$BATS_TEST_TMPDIR/wait.out"
	[ "$rc" -eq 0 ]
	field_is "$dir" ready yes
}

@test "wait -u with no sid-supervise at all: exit 2 after -T, one line" {
	service idle 'exec sleep 1000' >/dev/null
	run --separate-stderr sid-ctl wait -u -T 0.2 idle
	[ "$status" -eq 2 ]
	one_line "idle: no sid-supervise is running for *"
}

@test "-w -u sent before its sid-supervise: delivered once it is there" {
	local dir waiter rc
	dir=$(service late 'exec sleep 1000')
	touch "$dir/down"
	sid-ctl -w -u -T 20 late >"$BATS_TEST_TMPDIR/ctl.out" 2>&1 &
	waiter=$!
	wait_for 5 sleeping "$waiter"
	start_supervise "$dir"
	rc=0
	wait "$waiter" || rc=$?
	cat "$BATS_TEST_TMPDIR/ctl.out"
	[ "$rc" -eq 0 ]
	field_is "$dir" state up
	field_is "$dir" want up
}

@test "-w -u on a run that exits 3 at once: exit 1 naming exit 3 (restart = never)" {
	local dir
	dir=$(service e 'exit 3' 'restart = never')
	touch "$dir/down"
	start_supervise "$dir"
	run --separate-stderr sid-ctl -w -u -T 20 e
	[ "$status" -eq 1 ]
	one_line "e: ended before it was up: exit 3*"
}

@test "-w -u on a run that exits 3 at once: exit 1 naming exit 3 (restarted with backoff)" {
	local dir i
	dir=$(service e 'exit 3' 'backoff-initial = 1ms' 'backoff-max = 2ms')
	touch "$dir/down"
	start_supervise "$dir"
	for i in 1 2 3; do
		run --separate-stderr sid-ctl -w -u -T 20 e
		[ "$status" -eq 1 ]
		one_line "e: ended before it was up: exit 3*"
	done
}

@test "-w -r whose new instance exits at once: exit 1; the old one was stopped" {
	local dir old
	dir=$(service e 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	old=$(field "$dir" pid)
	printf '#!/bin/sh\nexit 3\n' >"$dir/run"
	run --separate-stderr sid-ctl -w -r -T 20 e
	[ "$status" -eq 1 ]
	one_line "e: ended before it was up: exit 3*"
	! kill -0 "$old" 2>/dev/null
}

@test "-w -u with readiness: a run that exits before it is ready gives 1" {
	local dir
	dir=$(service e 'echo starting; exit 3' 'notification-fd = 3' \
		'restart = never')
	touch "$dir/down"
	start_supervise "$dir"
	run --separate-stderr sid-ctl -w -u -T 20 e
	[ "$status" -eq 1 ]
	one_line "e: ended before it was up: exit 3*"
}

@test "-w -u with readiness: up but past ready-timeout gives 1 at once" {
	local dir
	dir=$(service e 'exec sleep 1000' 'notification-fd = 3' \
		'ready-timeout = 50ms')
	touch "$dir/down"
	start_supervise "$dir"
	run --separate-stderr timeout 10 sid-ctl -w -u -T 60 e
	[ "$status" -eq 1 ]
	one_line "e: up but not ready: started_but_unbound: *"
}

@test "-w -u and -w -r on a healthy run: 0, with readiness and without" {
	local dir ready
	dir=$(service plain 'exec sleep 1000')
	touch "$dir/down"
	start_supervise "$dir"
	run sid-ctl -w -u plain
	[ "$status" -eq 0 ]
	run sid-ctl -w -r plain
	[ "$status" -eq 0 ]
	ready=$(service notify 'echo >&3; exec sleep 1000' 'notification-fd = 3')
	touch "$ready/down"
	start_supervise "$ready"
	run sid-ctl -w -u notify
	[ "$status" -eq 0 ]
	field_is "$ready" ready yes
	run sid-ctl -w -r notify
	[ "$status" -eq 0 ]
	field_is "$ready" ready yes
}
