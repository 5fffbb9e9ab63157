#!/usr/bin/env bats
# ./check, the notify socket and the watchdog with real processes.  The
# state machine's side (counts, timers, texts) is in test/unit/sv_test.c.

load helper

setup_file() {
	export BATS_TEST_TIMEOUT=60
	if [ ! -x "$SID_ROOT/sid-supervise" ]; then
		echo "sid-supervise is not built: run make sid-supervise" >&2
		return 1
	fi
	make -s -C "$SID_ROOT" test/helpers/probe-child >&2
}

# need_python: skip without python3, which the notify senders are in.
need_python() {
	command -v python3 >/dev/null || skip "python3 is not installed"
}

# A notify client: READY=1 and STATUS=serving in one datagram, then
# WATCHDOG=1 every 100 ms while ./feed exists, then silence.
notifier() {
	cat >"$1/notify.py" <<'PY'
import os, socket, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
path = os.environ["NOTIFY_SOCKET"]
with open("env.seen", "w") as f:
    f.write("%s %s %s %d\n" % (path, os.environ.get("WATCHDOG_USEC"),
        os.environ.get("WATCHDOG_PID"), os.getpid()))
s.sendto(b"READY=1\nSTATUS=serving", path)
while os.path.exists("feed"):
    s.sendto(b"WATCHDOG=1", path)
    time.sleep(0.1)
while True:
    time.sleep(60)
PY
}

# free_port: a TCP port nothing listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# starts_with DIR KEY PREFIX: KEY's value begins with PREFIX.
starts_with() {
	[[ "$(field "$1" "$2")" == "$3"* ]]
}

# field_ge DIR KEY N: KEY is a number at least N.
field_ge() {
	local v
	v=$(field "$1" "$2")
	[ -n "$v" ] && [ "$v" -ge "$3" ]
}

@test "a service without ./check has health=n/a and an empty notice" {
	dir=$(service plain 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	field_is "$dir" health n/a
	field_is "$dir" notice ""
	field_is "$dir" ready n/a
}

@test "notify: READY=1 readies, STATUS= shows, a starved watchdog restarts" {
	need_python
	dir=$(service notify 'exec python3 notify.py' 'notify-socket = yes' \
		'watchdog = 1s')
	notifier "$dir"
	: >"$dir/feed"
	start_supervise "$dir"
	wait_for 10 field_is "$dir" ready yes
	wait_for 5 field_is "$dir" notice serving
	field_is "$dir" state up
	read -r path usec wpid pid <"$dir/env.seen"
	[ "$path" = "$(cd "$dir" && pwd -P)/supervise/notify" ] ||
		[ "$path" = "$dir/supervise/notify" ]
	[ "$usec" = 1000000 ]
	[ "$wpid" = "$pid" ]
	[ -S "$dir/supervise/notify" ]
	field_is "$dir" attempt 1
	rm "$dir/feed"
	wait_for 10 field_is "$dir" error \
		"watchdog_timeout: no WATCHDOG=1 for 1s"
	wait_for 10 field_ge "$dir" attempt 2
	grep -q 'watchdog_timeout: no WATCHDOG=1 for 1s' \
		"$dir/supervise/events"
}

@test "notify: STATUS clears at a new start" {
	need_python
	dir=$(service notify2 'exec python3 notify.py' 'notify-socket = yes')
	notifier "$dir"
	start_supervise "$dir"
	wait_for 10 field_is "$dir" notice serving
	# This run is not to say anything: the old notice must go.
	printf '#!/bin/sh\nexec sleep 1000\n' >"$dir/run"
	printf 'k' >"$dir/supervise/control"
	wait_for 10 field_ge "$dir" attempt 2
	wait_for 5 field_is "$dir" notice ""
	field_is "$dir" ready no
}

@test "notify: READY=1 from a process outside the service is ignored" {
	need_python
	dir=$(service quiet 'exec sleep 1000' 'notify-socket = yes' \
		'ready-timeout = 60s')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state starting
	# The sender waits until the supervisor has read (and refused) it.
	python3 - "$dir" <<'PY'
import os, socket, sys, time
d = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1\nSTATUS=forged", d + "/supervise/notify")
end = time.time() + 10
while time.time() < end:
    with open(d + "/supervise/events") as f:
        if "notify: message from pid %d ignored" % os.getpid() in f.read():
            sys.exit(0)
    time.sleep(0.02)
sys.exit(1)
PY
	field_is "$dir" ready no
	field_is "$dir" state starting
	field_is "$dir" notice ""
}

@test "notify: redis-server --supervised systemd becomes ready" {
	command -v redis-server >/dev/null ||
		skip "redis-server is not installed (apt-get install -y redis-server)"
	need_python
	port=$(free_port)
	dir=$(service redis \
		"exec redis-server --supervised systemd --port $port --save '' --dir ." \
		'notify-socket = yes')
	start_supervise "$dir"
	wait_for 20 field_is "$dir" ready yes
	field_is "$dir" state up
	field_is "$dir" error ""
}

@test "check: readiness at its first pass, health=ok, then failing" {
	dir=$(service chk 'exec sleep 1000' 'check-interval = 100ms' \
		'check-failures = 1000')
	printf '#!/bin/sh\n[ -e ok ]\n' >"$dir/check"
	chmod +x "$dir/check"
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state starting
	field_is "$dir" ready no
	: >"$dir/ok"
	wait_for 5 field_is "$dir" ready yes
	field_is "$dir" state up
	field_is "$dir" health ok
	rm "$dir/ok"
	wait_for 5 field_is "$dir" health failing
	: >"$dir/ok"
	wait_for 5 field_is "$dir" health ok
	field_is "$dir" attempt 1
}

@test "check: three failures in a row restart the service" {
	dir=$(service chk3 'exec sleep 1000' 'check-interval = 100ms' \
		'check-failures = 3')
	printf '#!/bin/sh\n[ -e ok ]\n' >"$dir/check"
	chmod +x "$dir/check"
	: >"$dir/ok"
	start_supervise "$dir"
	wait_for 5 field_is "$dir" health ok
	field_is "$dir" attempt 1
	rm "$dir/ok"
	wait_for 10 field_is "$dir" error "check_failed: exit 1 (3 in a row)"
	wait_for 10 field_ge "$dir" attempt 2
	grep -q 'check_failed: exit 1 (3 in a row)' "$dir/supervise/events"
	# The new run becomes ready by its check again, which clears it.
	: >"$dir/ok"
	wait_for 10 field_is "$dir" ready yes
	field_is "$dir" error ""
}

@test "check: a hanging check is killed at check-timeout" {
	dir=$(service hang 'exec sleep 1000' 'check-interval = 100ms' \
		'check-timeout = 300ms' 'check-failures = 1')
	cat >"$dir/check" <<'SH'
#!/bin/sh
[ -e ok ] && exit 0
echo $$ >hung.pid
sleep 1000 &
echo $! >>hung.pid
wait
SH
	chmod +x "$dir/check"
	: >"$dir/ok"
	start_supervise "$dir"
	wait_for 5 field_is "$dir" health ok
	rm "$dir/ok"
	wait_for 10 field_is "$dir" error \
		"check_failed: timed out after 300ms (1 in a row)"
	wait_for 10 field_ge "$dir" attempt 2
	# The check and what it started are gone: its group was killed.
	for pid in $(cat "$dir/hung.pid"); do
		wait_for 5 eval "! kill -0 $pid 2>/dev/null"
	done
}

@test "check: it runs in the service's directory with env/ and stdin /dev/null" {
	dir=$(service chkenv 'exec sleep 1000')
	mkdir "$dir/env"
	echo hello >"$dir/env/GREETING"
	cat >"$dir/check" <<'SH'
#!/bin/sh
{ echo "$GREETING"; pwd -P; readlink /proc/self/fd/0 || echo none; } >seen.tmp
mv seen.tmp seen
SH
	chmod +x "$dir/check"
	start_supervise "$dir"
	wait_for 5 field_is "$dir" ready yes
	[ "$(sed -n 1p "$dir/seen")" = hello ]
	[ "$(sed -n 2p "$dir/seen")" = "$(cd "$dir" && pwd -P)" ]
	if [ -e /proc/self/fd/0 ]; then
		[ "$(sed -n 3p "$dir/seen")" = /dev/null ]
	fi
}

@test "check: no blocked or ignored signal reaches it, as none reaches run" {
	report=$BATS_TEST_TMPDIR/check-report
	dir=$(service chksig 'exec sleep 1000')
	printf '#!/bin/sh\nexec "%s" "%s" exit 0\n' "$HELPERS/probe-child" \
		"$report" >"$dir/check"
	chmod +x "$dir/check"
	# INT, HUP and QUIT ignored, as a shell's background job may have
	# them; sid-supervise itself keeps the signals it reads blocked.
	( trap '' INT HUP QUIT; exec sid-supervise "$dir" ) \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- \
		>>"$BATS_TEST_TMPDIR/supervise.out" 2>&1 &
	SUPERVISE_PIDS+=("$!")
	wait_for 5 field_is "$dir" ready yes
	wait_for 5 test -s "$report"
	signals_clean "$report"
	grep -qx "cwd=$(cd "$dir" && pwd -P)" "$report"
}

@test "notify: a socket path too long for sun_path is a clear conf error" {
	long=$(printf 'n%.0s' $(seq 120))
	dir=$(service "$long" 'exec sleep 1000' 'notify-socket = yes')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state failed
	starts_with "$dir" error "config_invalid: notify-socket: $dir/supervise/notify is " ||
		starts_with "$dir" error "config_invalid: notify-socket: $(cd "$dir" && pwd -P)/supervise/notify is "
	[[ "$(field "$dir" error)" == *"longer than a socket path may be (107)" ]]
	[ ! -e "$dir/supervise/notify" ]
}
