#!/usr/bin/env bats
# ready-port: a start is held while another process listens on the
# port, and only a listener of the service itself makes it ready.

load helper

setup_file() {
	export BATS_TEST_TIMEOUT=60
	need_built
}

HOLDER_PIDS=()

teardown() {
	local pid
	stop_supervisors
	for pid in "${HOLDER_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

need_python3() {
	command -v python3 >/dev/null || skip "python3 is needed for listeners"
}

# free_port [HOST]: a TCP port nobody listens on at HOST right now.
free_port() {
	python3 -c 'import socket, sys
host = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
s.bind((host, 0))
print(s.getsockname()[1])' "${1:-127.0.0.1}"
}

# write_listener FILE: a python3 listener, "listen.py HOST PORT BOUND
# [GO]": it waits for the file GO (when given), listens on HOST:PORT,
# creates the file BOUND and sleeps.
write_listener() {
	cat >"$1" <<'EOF'
import os, socket, sys, time
host, port, bound = sys.argv[1], int(sys.argv[2]), sys.argv[3]
end = time.time() + 30
while len(sys.argv) > 4 and not os.path.exists(sys.argv[4]):
    if time.time() > end:
        sys.exit("listen.py: timed out waiting for " + sys.argv[4])
    time.sleep(0.02)
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((host, port))
s.listen(16)
open(bound, "w").close()
while True:
    time.sleep(1000)
EOF
}

# count DIR PATTERN: how many events lines match the extended regex.
count() {
	grep -cE -- "$2" "$1/supervise/events" || true
}

@test "a port another process listens on holds the start: backoff, port_in_use names it; free, it starts and is ready once it listens" {
	need_python3
	port=$(free_port)
	write_listener "$BATS_TEST_TMPDIR/listen.py"
	python3 "$BATS_TEST_TMPDIR/listen.py" 127.0.0.1 "$port" \
		"$BATS_TEST_TMPDIR/held" 3>&- &
	holder=$!
	HOLDER_PIDS+=("$holder")
	wait_for 10 test -e "$BATS_TEST_TMPDIR/held"

	svc=$(service web "\"$HELPERS/await\" 30 test -e go || exit 1
exec python3 ../../listen.py 127.0.0.1 $port bound" \
		"ready-port = $port" 'ready-timeout = 30s')
	start_supervise "$svc"
	wait_for 10 field_is "$svc" state backoff
	field_is "$svc" error \
		"port_in_use: 127.0.0.1:$port held by pid $holder (python3)"
	field_is "$svc" pid 0
	field_is "$svc" ready no
	field_is "$svc" attempt 0

	# Retried on the ladder, capped at 1s, with one event for the hold.
	wait_for 10 field_is "$svc" backoff 1s
	field_is "$svc" attempt 0
	field_is "$svc" restarts 0
	[ "$(count "$svc" 'port_in_use')" -eq 1 ]

	kill "$holder"
	wait "$holder" 2>/dev/null || true
	wait_for 10 field_is "$svc" state starting
	field_is "$svc" error ""
	field_is "$svc" ready no
	[ "$(field "$svc" pid)" -gt 0 ]

	touch "$svc/go"
	wait_for 10 field_is "$svc" ready yes
	field_is "$svc" state up
	field_is "$svc" attempt 1
	field_is "$svc" error ""
}

@test "a foreign listener that appears after the start does not make the service ready" {
	need_python3
	port=$(free_port)
	write_listener "$BATS_TEST_TMPDIR/listen.py"
	# Running before the service, it listens only once told to.
	python3 "$BATS_TEST_TMPDIR/listen.py" 127.0.0.1 "$port" \
		"$BATS_TEST_TMPDIR/bound" "$BATS_TEST_TMPDIR/go" 3>&- &
	HOLDER_PIDS+=("$!")

	svc=$(service lazy 'exec sleep 1000' "ready-port = $port" \
		'ready-timeout = 2s')
	start_supervise "$svc"
	wait_for 10 field_is "$svc" state starting
	touch "$BATS_TEST_TMPDIR/go"
	wait_for 10 test -e "$BATS_TEST_TMPDIR/bound"

	wait_for 10 field_is "$svc" state up
	field_is "$svc" ready no
	field_is "$svc" error \
		"started_but_unbound: port $port not listening after 2s"
	[ "$(count "$svc" ' ready$')" -eq 0 ]
	kill -0 "$(field "$svc" pid)"
}

@test "a service that listens only on ::1 becomes ready" {
	need_python3
	python3 -c 'import socket
socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null ||
		skip "no IPv6 loopback here: cannot bind ::1"
	port=$(free_port ::1)
	write_listener "$BATS_TEST_TMPDIR/listen.py"
	svc=$(service six "exec python3 ../../listen.py ::1 $port bound" \
		"ready-port = $port" 'ready-timeout = 30s')
	start_supervise "$svc"
	wait_for 10 field_is "$svc" ready yes
	field_is "$svc" state up
	field_is "$svc" error ""
	test -e "$svc/bound"
}
