#!/usr/bin/env bats
# Start order: "needs" holds each start of a service (state=starting,
# pid=0, waiting=NAMES) until every named sibling is up and ready.  The
# state machine's side is tested in test/unit/sv_test.c; here real
# sid-supervise processes watch each other's supervise/status.

load helper

setup_file() {
	export BATS_TEST_TIMEOUT=60
	need_built
}

setup() {
	export SID_SCANDIR="$BATS_TEST_TMPDIR/svc"
	mkdir -p "$SID_SCANDIR"
}

# up_at DIR: the unix time of the last transition into up in DIR's
# events, digits only (seconds and milliseconds), for comparisons.
up_at() {
	sed -n 's/^\([0-9]*\)\.\([0-9]*\) [a-z]* -> up .*/\1\2/p' \
		"$1/supervise/events" | tail -n 1
}

# line_of DIR PATTERN: the number of the first events line of DIR that
# matches PATTERN (grep -E), or nothing.
line_of() {
	grep -n -E -m 1 -- "$2" "$1/supervise/events" | cut -d: -f1
}

# ready_up DIR: up, and ready yes or n/a.
ready_up() {
	field_is "$1" state up &&
		{ field_is "$1" ready yes || field_is "$1" ready n/a; }
}

@test "a chain a -> b -> c started backwards waits, then comes up in order" {
	a=$(service a 'exec sleep 1000' 'needs = b')
	b=$(service b 'exec sleep 1000' 'needs = c')
	c=$(service c 'exec sleep 1000')
	start_supervise "$a"
	start_supervise "$b"
	wait_for 5 field_is "$a" waiting b
	wait_for 5 field_is "$b" waiting c
	field_is "$a" state starting
	field_is "$a" pid 0
	field_is "$b" state starting
	field_is "$b" pid 0
	grep -q ' down -> starting sid-supervise started (waiting for b)$' \
		"$a/supervise/events"
	grep -q ' down -> starting sid-supervise started (waiting for c)$' \
		"$b/supervise/events"
	[ ! -e "$a/supervise/pid" ] || [ ! -s "$a/supervise/pid" ]

	start_supervise "$c"
	wait_for 10 field_is "$a" state up
	field_is "$b" state up
	field_is "$c" state up
	field_is "$a" waiting ""
	field_is "$b" waiting ""
	[ "$(field "$a" pid)" -gt 0 ]
	[ "$(field "$a" attempt)" = 1 ]
	# In order: c up before b, b up before a (times loosely: <=).
	[ "$(up_at "$c")" -le "$(up_at "$b")" ]
	[ "$(up_at "$b")" -le "$(up_at "$a")" ]
	# The wait, then the start, in a's history.
	w=$(line_of "$a" 'waiting for b')
	u=$(line_of "$a" ' starting -> up ')
	[ -n "$w" ] && [ -n "$u" ] && [ "$w" -lt "$u" ]
}

@test "sid-ctl status and history show the wait" {
	a=$(service a 'exec sleep 1000' 'needs = b, c')
	start_supervise "$a"
	wait_for 5 field_is "$a" waiting "b c"
	run sid-ctl status a
	[ "$status" -eq 0 ]
	[[ "$output" == "starting: a: "*"; waiting for b c" ]]
	run sid-ctl status -j a
	[ "$status" -eq 0 ]
	[[ "$output" == *'"waiting":["b","c"]'* ]]
	[[ "$output" == *'"state":"starting"'* ]]
	[[ "$output" == *'"pid":null'* ]]
	run sid-ctl history a
	[ "$status" -eq 0 ]
	[[ "$output" == *"down -> starting sid-supervise started (waiting for b c)"* ]]

	# c comes: only b is waited for now, and the history says so.
	c=$(service c 'exec sleep 1000')
	start_supervise "$c"
	wait_for 10 field_is "$a" waiting b
	run sid-ctl status -j a
	[[ "$output" == *'"waiting":["b"]'* ]]
	run sid-ctl status a
	[[ "$output" == "starting: a: "*"; waiting for b" ]]
	grep -q ' starting -> starting waiting for b$' "$a/supervise/events"
}

@test "a need made ready late: the start follows its readiness" {
	b=$(service b '"$HELPERS/await" 30 test -e go || exit 1
echo >&3
exec sleep 1000' 'notification-fd = 3' 'ready-timeout = 30s')
	a=$(service a 'exec sleep 1000' 'needs = b')
	start_supervise "$b"
	wait_for 5 field_is "$b" state starting
	start_supervise "$a"
	wait_for 5 field_is "$a" waiting b
	# b runs but is not ready: still no start of a.
	[ "$(field "$b" pid)" -gt 0 ]
	field_is "$b" ready no
	field_is "$a" state starting
	field_is "$a" pid 0

	touch "$b/go"
	wait_for 10 field_is "$a" state up
	field_is "$b" ready yes
	grep -q ' starting -> up ready$' "$b/supervise/events"
	w=$(line_of "$a" 'waiting for b')
	u=$(line_of "$a" ' starting -> up ')
	[ -n "$w" ] && [ -n "$u" ] && [ "$w" -lt "$u" ]
	[ "$(up_at "$b")" -le "$(up_at "$a")" ]
}

@test "a need that does not exist is waited for until it appears" {
	a=$(service a 'exec sleep 1000' 'needs = late')
	start_supervise "$a"
	wait_for 5 field_is "$a" waiting late
	field_is "$a" state starting
	[ ! -e "$SID_SCANDIR/late" ]

	late=$(service late 'exec sleep 1000')
	start_supervise "$late"
	wait_for 10 field_is "$a" state up
	field_is "$a" waiting ""
	[ "$(up_at "$late")" -le "$(up_at "$a")" ]
}

@test "d while waiting cancels the wait; u waits again" {
	a=$(service a 'exec sleep 1000' 'needs = b')
	start_supervise "$a"
	wait_for 5 field_is "$a" waiting b
	run sid-ctl -w -d a
	[ "$status" -eq 0 ]
	wait_for 5 field_is "$a" state down
	field_is "$a" waiting ""
	field_is "$a" want down
	grep -q ' starting -> down control: d$' "$a/supervise/events"

	sid-ctl -u a
	wait_for 5 field_is "$a" waiting b
	field_is "$a" state starting
	b=$(service b 'exec sleep 1000')
	start_supervise "$b"
	wait_for 10 field_is "$a" state up
}

@test "an automatic restart waits for the needs again; a need lost does not stop it" {
	b=$(service b 'exec sleep 1000')
	a=$(service a 'exec sleep 1000' 'needs = b')
	start_supervise "$b"
	wait_for 5 ready_up "$b"
	start_supervise "$a"
	wait_for 5 field_is "$a" state up
	! grep -q 'waiting for' "$a/supervise/events"
	pid=$(field "$a" pid)

	# b goes down: a keeps running.
	sid-ctl -w -d b
	wait_for 5 field_is "$b" state down
	field_is "$a" state up
	field_is "$a" pid "$pid"

	# a's run dies: the restart after backoff waits for b.
	kill -KILL "$pid"
	wait_for 5 field_is "$a" waiting b
	field_is "$a" state starting
	field_is "$a" pid 0
	grep -q ' backoff -> starting backoff over (waiting for b)$' \
		"$a/supervise/events"
	sid-ctl -u b
	wait_for 10 field_is "$a" state up
	[ "$(field "$a" pid)" != "$pid" ]
	[ "$(field "$a" attempt)" = 2 ]
}

@test "a service that needs itself is config_invalid" {
	a=$(service a 'exec sleep 1000' 'needs = b, a')
	start_supervise "$a"
	wait_for 5 field_is "$a" state failed
	field_is "$a" error "config_invalid: $a/conf: needs names the service itself"
	field_is "$a" attempt 0
}

@test "a status that says up, left with no sid-supervise, is no need met" {
	a=$(service a 'exec sleep 1000' 'needs = b')
	b=$(service b 'exec sleep 1000')
	mkdir "$b/supervise"
	printf '%s\n' state=up want=up pid=0 since=1.000 ready=n/a paused=no \
		restarts=0 last_exit=none backoff=0 error= attempt=1 waiting= \
		health=n/a notice= >"$b/supervise/status"
	start_supervise "$a"
	wait_for 5 field_is "$a" waiting b
	field_is "$a" state starting

	start_supervise "$b"
	wait_for 10 field_is "$a" state up
}
