#!/usr/bin/env bats
# sid-supervise with real processes: process groups, ports, readiness,
# start errors, descriptor and signal hygiene, control FIFO abuse, and
# the conf keys that only show with a real child.  The state machine's
# timing ladder is tested in test/unit/sv_test.c, not here.

load helper

setup_file() {
	export BATS_TEST_TIMEOUT=60
	if [ ! -x "$SID_ROOT/sid-supervise" ]; then
		echo "sid-supervise is not built: run make sid-supervise" >&2
		return 1
	fi
	make -s -C "$SID_ROOT" test/helpers/probe-child test/helpers/fdcount \
		test/helpers/drip >&2
}

# ctl DIR BYTES: write BYTES into DIR's control FIFO, as sid-ctl does.
# timeout: with no sid-supervise the open would block for ever.
ctl() {
	timeout 5 sh -c 'printf "%s" "$1" > "$2"' ctl "$2" \
		"$1/supervise/control"
}

# conf DIR LINE...: write DIR/conf, one LINE a line.
conf() {
	local dir=$1; shift
	printf '%s\n' "$@" > "$dir/conf"
}

# field_ge DIR KEY N: KEY is a number at least N.
field_ge() {
	local v
	v=$(field "$1" "$2")
	[ -n "$v" ] && [ "$v" -ge "$3" ]
}

# count DIR PATTERN: how many events lines match the extended regex.
count() {
	grep -cE -- "$2" "$1/supervise/events" || true
}

# lines FILE N: FILE exists and has exactly N lines.
lines() {
	[ -f "$1" ] && [ "$(wc -l < "$1")" -eq "$2" ]
}

# group_size PGID N: the process group has N members.
group_size() {
	[ "$(pgrep -g "$1" | wc -l)" -eq "$2" ]
}

# group_empty PGID: no process is left in the group.
group_empty() {
	! pgrep -g "$1" > /dev/null
}

# proc_state PID LETTER: ps shows PID in state LETTER (S, T, Z, ...).
proc_state() {
	[ "$(ps -o stat= -p "$1" | cut -c1)" = "$2" ]
}

# exited PID: PID is gone or a zombie waiting for us.
exited() {
	! kill -0 "$1" 2> /dev/null || proc_state "$1" Z
}

# status_complete DIR: status has the 14 keys of DESIGN.md, in order.
# Builtins only: it is called in a tight loop.
status_complete() {
	local line keys=
	while IFS= read -r line; do
		keys+="${line%%=*} "
	done < "$1/supervise/status"
	[ "$keys" = \
		"state want pid since ready paused restarts last_exit backoff error attempt waiting health notice " ]
}

# need_python3: skip, saying why, where there is no python3.
need_python3() {
	command -v python3 > /dev/null ||
		skip "python3 is needed for listeners and for odd inheritances"
}

# free_port: a loopback TCP port nobody listens on right now.
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# can_bind PORT: the test itself can bind 127.0.0.1:PORT.
can_bind() {
	python3 -c 'import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))' "$1"
}

# ---------------------------------------------------------------------
# Process groups

@test "d leaves no process of a wrapper's group behind" {
	svc=$(make_service wrap "exec sh -c 'sleep 1000 & sleep 1000 & wait'")
	conf "$svc" 'stop-grace = 5s'
	start_supervise "$svc"
	wait_for 5 field_is "$svc" state up
	pgid=$(field "$svc" pid)
	# The shell and its two sleeps.
	wait_for 5 group_size "$pgid" 3

	ctl "$svc" d
	wait_for 5 field_is "$svc" state down
	# Down means the whole group is gone, not only ./run.
	group_empty "$pgid"
	field_is "$svc" want down
	field_is "$svc" pid 0
	field_is "$svc" last_exit "signal TERM"
	field_is "$svc" error ""
	grep -q ' up -> stopping control: d$' "$svc/supervise/events"
	# supervise/pid, for runit's tools: empty when there is no child.
	[ -f "$svc/supervise/pid" ] && [ ! -s "$svc/supervise/pid" ]
}

@test "d waits for a group member that outlives ./run" {
	# The inner shell takes 300 ms to exit on TERM, well after ./run
	# (the outer shell) is gone: down must wait for it.
	svc=$(make_service slow "$(cat <<'EOF'
sh -c 'trap "sleep 0.3; exit 0" TERM; sleep 1000 & wait' &
wait
EOF
)")
	conf "$svc" 'stop-grace = 5s'
	start_supervise "$svc"
	wait_for 5 field_is "$svc" state up
	pgid=$(field "$svc" pid)
	# Outer shell, inner shell, sleep: the trap is set by now.
	wait_for 5 group_size "$pgid" 3

	ctl "$svc" d
	wait_for 5 field_is "$svc" state down
	group_empty "$pgid"
	field_is "$svc" error ""
}

@test "a group that ignores SIGTERM is killed after stop-grace" {
	svc=$(make_service stubborn "trap '' TERM
sleep 1000 &
sh -c \"trap '' TERM; exec sleep 1000\" &
wait")
	conf "$svc" 'stop-grace = 300ms'
	start_supervise "$svc"
	wait_for 5 field_is "$svc" state up
	pgid=$(field "$svc" pid)
	# Three members means the trap is set: TERM cannot end it now.
	wait_for 5 group_size "$pgid" 3

	ctl "$svc" d
	wait_for 10 field_is "$svc" state down
	group_empty "$pgid"
	field_is "$svc" last_exit "signal KILL"
	field_is "$svc" error \
		"stop_escalated: SIGKILL to process group $pgid after 300ms"
	grep -q "stopping -> stopping SIGKILL to process group $pgid after 300ms" \
		"$svc/supervise/events"

	# A later clean start clears the error.
	ctl "$svc" u
	wait_for 5 field_is "$svc" state up
	field_is "$svc" error ""

	# Each later start stays up: a cgroup that was killed whole makes
	# no later child of it die at birth.
	for i in 1 2 3; do
		old=$(field "$svc" pid)
		ctl "$svc" r
		wait_for 5 new_pid_up "$svc" "$old"
	done
	! grep -q 'up -> backoff signal KILL' "$svc/supervise/events"
}

# start_paused SVC: start SVC's sid-supervise, wait until it is up, then
# pause it with p; PID is its child.
start_paused() {
	start_supervise "$1"
	wait_for 5 field_is "$1" state up
	pid=$(field "$1" pid)
	ctl "$1" p
	wait_for 5 paused "$pid"
}

# new_pid_up SVC OLD: SVC is up with a pid other than OLD.
new_pid_up() {
	field_is "$1" state up && [ "$(field "$1" pid)" != "$2" ] &&
	    [ "$(field "$1" pid)" != 0 ]
}

@test "a leader that exits leaves no group member to meet the restart" {
	# The first run leaves a sleep behind and exits; the second stays.
	svc=$(make_service orphan 'n=$(( $(cat count 2>/dev/null || echo 0) + 1 ))
echo $n > count
if [ $n -eq 1 ]; then
	sleep 1000 &
	echo $! > left
	exit 3
fi
exec sleep 1000')
	conf "$svc" 'stop-grace = 5s' 'backoff-initial = 10ms'
	start_supervise "$svc"
	wait_for 5 eval '[ "$(cat "$svc/count" 2>/dev/null)" = 2 ] &&
		field_is "$svc" state up'
	# The sleep was stopped before the second run started.
	! kill -0 "$(cat "$svc/left")" 2> /dev/null
	field_is "$svc" last_exit "exit 3"
	field_is "$svc" restarts 1
	field_is "$svc" error ""
	grep -q ' up -> stopping exit 3 (process group still running)$' \
		"$svc/supervise/events"
}

@test "stop-signal = HUP is what d sends" {
	svc=$(make_service hup "trap 'echo HUP > got; exit 0' HUP
trap 'echo TERM > got; exit 0' TERM
sleep 1000 &
echo \$! > sleeper
wait")
	conf "$svc" 'stop-signal = HUP' 'stop-grace = 5s'
	start_supervise "$svc"
	wait_for 5 field_is "$svc" state up
	# The traps are set once the sleep runs.
	wait_for 5 test -s "$svc/sleeper"

	ctl "$svc" d
	wait_for 5 field_is "$svc" state down
	[ "$(cat "$svc/got")" = HUP ]
	field_is "$svc" last_exit "exit 0"
	field_is "$svc" error ""
	! kill -0 "$(cat "$svc/sleeper")" 2> /dev/null
}

# ---------------------------------------------------------------------
# Ports

# A listener that records every successful bind in ./binds and every
# failed one in ./bind-errors.  On SIGTERM it lingers 200 ms before it
# exits, as a server that drains its connections does: the shell that
# leads its group is gone by then, and a supervisor that restarted at
# that moment would meet the old listener on the port.
write_listener() {
	cat > "$1/listen.py" <<'EOF'
import os, signal, socket, sys, time

def on_term(sig, frame):
    time.sleep(0.2)
    os._exit(0)

signal.signal(signal.SIGTERM, on_term)
port = int(sys.argv[1])
end = time.time() + 30
while len(sys.argv) > 2 and not os.path.exists(sys.argv[2]):
    if time.time() > end:
        sys.exit("listen.py: timed out waiting for " + sys.argv[2])
    time.sleep(0.02)
s = socket.socket()
try:
    s.bind(("127.0.0.1", port))
except OSError as e:
    with open("bind-errors", "a") as f:
        f.write("%d %s\n" % (os.getpid(), e))
    sys.exit(1)
s.listen(16)
with open("binds", "a") as f:
    f.write("%d\n" % os.getpid())
while True:
    time.sleep(1000)
EOF
}

@test "r: the new instance binds the port again; after d it is free" {
	need_python3
	port=$(free_port)
	svc=$(make_service listen "python3 ./listen.py $port & wait")
	write_listener "$svc"
	conf "$svc" 'stop-grace = 5s'
	start_supervise "$svc"
	wait_for 10 lines "$svc/binds" 1
	old=$(cat "$svc/binds")
	pid1=$(field "$svc" pid)

	ctl "$svc" r
	wait_for 10 lines "$svc/binds" 2
	new=$(sed -n 2p "$svc/binds")
	[ "$new" != "$old" ]
	[ ! -e "$svc/bind-errors" ]
	! grep -q 'Address already in use' "$BATS_TEST_TMPDIR/supervise.out"
	wait_for 5 field_is "$svc" state up
	[ "$(field "$svc" pid)" != "$pid1" ]
	# The old listener was gone before the new run started.
	! kill -0 "$old" 2> /dev/null
	kill -0 "$new"

	ctl "$svc" d
	wait_for 10 field_is "$svc" state down
	! kill -0 "$new" 2> /dev/null
	can_bind "$port"
}

# ---------------------------------------------------------------------
# Readiness

@test "ready-port: starting until the port listens, then up and ready" {
	need_python3
	port=$(free_port)
	svc=$(make_service late "exec python3 ./listen.py $port go")
	write_listener "$svc"
	conf "$svc" "ready-port = $port" 'ready-timeout = 30s'
	start_supervise "$svc"
	wait_for 5 field_is "$svc" state starting
	field_is "$svc" ready no
	[ "$(field "$svc" pid)" -gt 0 ]

	# The listener binds only once ./go exists.
	touch "$svc/go"
	wait_for 10 field_is "$svc" state up
	field_is "$svc" ready yes
	field_is "$svc" error ""
	lines "$svc/binds" 1
	grep -q ' starting -> up ready$' "$svc/supervise/events"
}

@test "ready-port never bound: up, ready=no, started_but_unbound" {
	need_python3
	port=$(free_port)
	svc=$(make_service unbound 'exec sleep 1000')
	conf "$svc" "ready-port = $port" 'ready-timeout = 300ms'
	start_supervise "$svc"
	wait_for 10 field_is "$svc" state up
	field_is "$svc" ready no
	field_is "$svc" error \
		"started_but_unbound: port $port not listening after 300ms"
	kill -0 "$(field "$svc" pid)"
}

@test "notification-fd: ready only after the child writes its newline" {
	svc=$(make_service notify '"$HELPERS/await" 30 test -e go || exit 1
echo >&3
exec sleep 1000')
	conf "$svc" 'notification-fd = 3' 'ready-timeout = 30s'
	start_supervise "$svc"
	wait_for 5 field_is "$svc" state starting
	field_is "$svc" ready no

	touch "$svc/go"
	wait_for 10 field_is "$svc" state up
	field_is "$svc" ready yes
	field_is "$svc" error ""
	grep -q ' starting -> up ready$' "$svc/supervise/events"
}

# ---------------------------------------------------------------------
# Start errors: one attempt, then failed

# start_fails DIR ERROR: sid-supervise on DIR ends in state=failed with
# ERROR, after exactly one start attempt.
start_fails() {
	start_supervise "$1"
	wait_for 5 field_is "$1" state failed
	field_is "$1" error "$2"
	field_is "$1" want up
	field_is "$1" pid 0
	[ "$(count "$1" ' -> starting ')" -eq 1 ]
	[ "$(count "$1" ' starting -> failed ')" -eq 1 ]
}

@test "run missing: run_missing, failed, one attempt; u after the fix" {
	svc=$(make_service missing 'exit 0')
	rm "$svc/run"
	start_fails "$svc" 'run_missing: ./run: No such file or directory'

	# A later clean start clears the error.
	printf '#!/bin/sh\nexec sleep 1000\n' > "$svc/run"
	chmod +x "$svc/run"
	ctl "$svc" u
	wait_for 5 field_is "$svc" state up
	field_is "$svc" error ""
}

@test "run not executable: run_not_executable, failed, one attempt" {
	svc=$(make_service noexec 'exec sleep 1000')
	chmod a-x "$svc/run"
	start_fails "$svc" 'run_not_executable: ./run: Permission denied'
}

@test "run whose interpreter is missing: exec_failed, failed, one attempt" {
	svc=$(make_service badinterp 'exit 0')
	printf '#!/nonexistent/interp\nexit 0\n' > "$svc/run"
	start_fails "$svc" \
		'exec_failed: ./run: interpreter /nonexistent/interp not found'
}

# free_fds PID N: the N lowest descriptor numbers above 2 that PID has
# not open, which its next pipes will get.
free_fds() {
	local fd found=0
	for (( fd = 3; found < $2; fd++ )); do
		[ -e "/proc/$1/fd/$fd" ] && continue
		echo "$fd"
		found=$(( found + 1 ))
	done
}

@test "exec_failed even when notification-fd has the number of an inner pipe" {
	[ -d /proc/self/fd ] ||
		skip "no /proc/PID/fd here: cannot tell which numbers are free"
	svc=$(make_service badnotify 'exit 0')
	printf '#!/nonexistent/interp\nexit 0\n' > "$svc/run"
	touch "$svc/down"
	start_supervise "$svc"
	spid=${SUPERVISE_PIDS[0]}
	field_is "$svc" state down
	# The start opens a pipe for exec errors, then one for readiness:
	# the notification fd may have any of these numbers in the child.
	fds=$(free_fds "$spid" 4 | tr '\n' ' ')
	echo "next free descriptors of sid-supervise: $fds" >&2
	for fd in $fds; do
		ctl "$svc" d
		wait_for 5 field_is "$svc" state down
		conf "$svc" "notification-fd = $fd" 'backoff-initial = 10ms'
		ctl "$svc" u
		wait_for 5 eval 'field_is "$svc" state failed ||
			field_ge "$svc" restarts 1'
		echo "notification-fd = $fd: $(grep -E '^(state|last_exit|error)=' \
			"$svc/supervise/status" | tr '\n' ' ')" >&2
		field_is "$svc" error \
			'exec_failed: ./run: interpreter /nonexistent/interp not found'
		field_is "$svc" state failed
		field_is "$svc" restarts 0
	done
}

# ---------------------------------------------------------------------
# Descriptors and the child's inheritance

@test "100 restarts leave the supervisor's descriptor count unchanged" {
	[ -d /proc/self/fd ] ||
		skip "no /proc/PID/fd here: cannot count a process's descriptors"
	svc=$(make_service crash 'exit 0')
	conf "$svc" 'backoff-initial = 0' 'backoff-max = 0'
	touch "$svc/down"
	start_supervise "$svc"
	spid=${SUPERVISE_PIDS[0]}
	field_is "$svc" state down
	before=$("$HELPERS/fdcount" "$spid")

	ctl "$svc" u
	wait_for 10 field_ge "$svc" restarts 100
	ctl "$svc" d
	wait_for 5 field_is "$svc" state down
	after=$("$HELPERS/fdcount" "$spid")
	echo "descriptors before: $before, after: $after" >&2
	[ "$after" -eq "$before" ]
}

@test "status always has its 14 keys, even while restarting fast" {
	svc=$(make_service crash 'exit 1')
	conf "$svc" 'backoff-initial = 1ms' 'backoff-max = 1ms'
	start_supervise "$svc"
	wait_for 5 field_ge "$svc" restarts 5
	before=$(field "$svc" restarts)
	# Every read sees a whole file: status is replaced, never rewritten.
	# A bash of its own reads it: bats' DEBUG trap slows loops 100-fold.
	bash -c "$(declare -f status_complete)"'
		for i in $(seq 1000); do
			status_complete "$1" || exit 1
		done' sampler "$svc"
	# It did change meanwhile.
	field_ge "$svc" restarts $(( before + 1 ))
}

@test "status has its 14 keys in states down, up, paused, backoff, failed" {
	down=$(make_service down 'exec sleep 1000')
	touch "$down/down"
	start_supervise "$down"
	field_is "$down" state down
	status_complete "$down"

	up=$(make_service up 'exec sleep 1000')
	start_supervise "$up"
	wait_for 5 field_is "$up" state up
	status_complete "$up"
	ctl "$up" p
	wait_for 5 field_is "$up" paused yes
	status_complete "$up"

	back=$(make_service back 'exit 1')
	conf "$back" 'backoff-initial = 10s' 'backoff-max = 10s'
	start_supervise "$back"
	wait_for 5 field_is "$back" state backoff
	field_is "$back" backoff 10s
	field_is "$back" last_exit "exit 1"
	status_complete "$back"

	failed=$(make_service failed 'exit 0')
	rm "$failed/run"
	start_supervise "$failed"
	wait_for 5 field_is "$failed" state failed
	status_complete "$failed"
}

# start_supervise_badly DIR: start sid-supervise on DIR with a bad
# inheritance on purpose: INT, HUP, QUIT and USR1 ignored (python3 adds
# PIPE and XFSZ), USR2 and ALRM blocked, and fd 7 open without
# close-on-exec.  Then check, where /proc shows it, that all of it did
# reach the supervisor.
start_supervise_badly() {
	(
		trap '' INT HUP QUIT USR1
		exec python3 -c 'import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2, signal.SIGALRM})
os.execvp(sys.argv[1], sys.argv[1:])' sid-supervise "$1"
	) 3>&- 4>&- 5>&- 6>&- 8>&- 9>&- 7> "$BATS_TEST_TMPDIR/fd7" \
		>> "$BATS_TEST_TMPDIR/supervise.out" 2>&1 &
	SUPERVISE_PIDS+=("$!")
	wait_for 5 test -s "$1/supervise/status"
	if [ -d "/proc/$!" ]; then
		[ -e "/proc/$!/fd/7" ]
		! grep -qE '^SigBlk:[[:space:]]*0+$' "/proc/$!/status"
		! grep -qE '^SigIgn:[[:space:]]*0+$' "/proc/$!/status"
	fi
}

# clean_process REPORT DIR FDS: probe-child's REPORT shows descriptors
# FDS (0 from /dev/null), no blocked or ignored signal, a session and
# group of its own, and DIR as working directory.
clean_process() {
	local report=$1 pid
	cat "$report" >&2
	grep -qx "fds=$3" "$report"
	grep -qx 'fd0=/dev/null' "$report" || ! grep -q '^fd0=' "$report"
	signals_clean "$report"
	grep -qx 'session_leader=yes' "$report"
	pid=$(sed -n 's/^pid=//p' "$report")
	grep -qx "pgrp=$pid" "$report"
	grep -qx "cwd=$(cd "$2" && pwd -P)" "$report"
}

# report_pid REPORT: the pid in probe-child's REPORT, or nothing.
report_pid() {
	sed -n 's/^pid=//p' "$1" 2> /dev/null
}

@test "the child gets fds 0-2, no mask, default signals, its own session, env/" {
	need_python3
	report=$BATS_TEST_TMPDIR/report
	svc=$(make_service probe "exec \"$HELPERS/probe-child\" \"$report\" sleep")
	mkdir "$svc/env"
	printf 'hello world\nsecond line is ignored\n' > "$svc/env/SID_PROBE_SET"
	: > "$svc/env/SID_PROBE_DROP"
	export SID_PROBE_DROP=inherited SID_PROBE_KEEP=kept
	start_supervise_badly "$svc"
	wait_for 10 test -s "$report"

	clean_process "$report" "$svc" '0 1 2'
	field_is "$svc" pid "$(report_pid "$report")"
	grep -qx 'env=SID_PROBE_SET=hello world' "$report"
	grep -qx 'env=SID_PROBE_KEEP=kept' "$report"
	! grep -q '^env=SID_PROBE_DROP=' "$report"
}

@test "with notification-fd the child gets that descriptor too, and no other" {
	need_python3
	report=$BATS_TEST_TMPDIR/report
	svc=$(make_service probenotify \
		"exec \"$HELPERS/probe-child\" \"$report\" sleep")
	conf "$svc" 'notification-fd = 5' 'ready-timeout = 30s'
	start_supervise_badly "$svc"
	wait_for 10 test -s "$report"

	clean_process "$report" "$svc" '0 1 2 5'
	grep -q '^fd5=pipe:' "$report" || ! grep -q '^fd5=' "$report"
	field_is "$svc" state starting
}

@test "finish gets the same clean start as run" {
	need_python3
	report=$BATS_TEST_TMPDIR/finish-report
	svc=$(make_service probefinish 'exit 1')
	printf '#!/bin/sh\nexec "%s" "%s" exit 0 "$@"\n' \
		"$HELPERS/probe-child" "$report" > "$svc/finish"
	chmod +x "$svc/finish"
	conf "$svc" 'restart = never'
	start_supervise_badly "$svc"
	wait_for 10 test -s "$report"
	wait_for 5 field_is "$svc" state down

	clean_process "$report" "$svc" '0 1 2'
	[ "$(sed -n 's/^argv=//p' "$report" | tail -2 | tr '\n' ' ')" = "1 0 " ]
}

@test "conf and env/ are re-read on r, not on automatic restarts" {
	report=$BATS_TEST_TMPDIR/report
	svc=$(make_service reread "exec \"$HELPERS/probe-child\" \"$report\" sleep")
	mkdir "$svc/env"
	echo one > "$svc/env/SID_PROBE_VAR"
	conf "$svc" 'backoff-initial = 10ms'
	start_supervise "$svc"
	wait_for 10 test -s "$report"
	pid1=$(report_pid "$report")
	grep -qx 'env=SID_PROBE_VAR=one' "$report"

	echo two > "$svc/env/SID_PROBE_VAR"
	conf "$svc" 'backoff-initial = 10ms' 'restart = never'
	# t kills the child; the automatic restart uses the old recipe:
	# restart = always, SID_PROBE_VAR=one.
	ctl "$svc" t
	wait_for 10 eval '[ -n "$(report_pid "$report")" ] &&
		[ "$(report_pid "$report")" != "$pid1" ]'
	pid2=$(report_pid "$report")
	grep -qx 'env=SID_PROBE_VAR=one' "$report"

	# r reads both again.
	ctl "$svc" r
	wait_for 10 eval '[ -n "$(report_pid "$report")" ] &&
		[ "$(report_pid "$report")" != "$pid2" ]'
	grep -qx 'env=SID_PROBE_VAR=two' "$report"
	wait_for 5 field_is "$svc" state up
	ctl "$svc" t
	wait_for 5 field_is "$svc" state down
	field_is "$svc" last_exit "signal TERM"
	field_is "$svc" want up
}

# ---------------------------------------------------------------------
# The control FIFO

@test "1 MiB of garbage on control: the supervisor survives and obeys" {
	svc=$(make_service garbage 'exec sleep 1000')
	conf "$svc" 'stop-grace = 300ms'
	start_supervise "$svc"
	spid=${SUPERVISE_PIDS[0]}
	wait_for 5 field_is "$svc" state up
	pid1=$(field "$svc" pid)

	# Garbage means bytes that are no command: random bytes less every
	# command letter (u d o r t k h a i q 1 2 p c x).  First 1 MiB as
	# fast as dd can write it in 16-byte pieces: how many wakeups (and
	# events lines) that makes depends on the scheduler.
	head -c 1048576 /dev/urandom | tr -d 'udortkhaiq12pcx' \
		> "$BATS_TEST_TMPDIR/garbage"
	timeout 30 dd if="$BATS_TEST_TMPDIR/garbage" \
		of="$svc/supervise/control" bs=16 2> /dev/null
	# A command after the garbage shows that all of it has been read;
	# once the child it killed is back, the supervisor has nothing
	# pending, and events no line still to come.
	ctl "$svc" t
	wait_for 10 field_is "$svc" last_exit "signal TERM"
	kill -0 "$spid"
	wait_for 10 field_is "$svc" state up

	# Then 1500 pieces of 16 bytes, each written only once the one
	# before has been read and the supervisor waits in poll() again,
	# done with it: 1500 lines of about 58 bytes, far more than the
	# 64 KiB bound, whatever the load.
	events=$svc/supervise/events
	rc=0
	timeout 60 "$HELPERS/drip" "$svc/supervise/control" "$spid" \
		1500 16 < "$BATS_TEST_TMPDIR/garbage" || rc=$?
	[ "$rc" -ne 2 ] || skip "drip cannot tell here when a piece is read"
	[ "$rc" -eq 0 ]
	# The newest 500 lines are those of the pieces, one each.
	tail -n 500 "$events" > "$BATS_TEST_TMPDIR/tail"
	grep -v ' up -> up control: 16 unknown bytes ignored$' \
		"$BATS_TEST_TMPDIR/tail" | head -n 3 >&2 || true
	[ "$(grep -c ' up -> up control: 16 unknown bytes ignored$' \
		"$BATS_TEST_TMPDIR/tail")" -eq 500 ]
	kill -0 "$spid"

	ctl "$svc" d
	wait_for 5 field_is "$svc" state down
	ctl "$svc" u
	wait_for 5 field_is "$svc" state up
	pid2=$(field "$svc" pid)
	[ "$pid2" != "$pid1" ] && [ "$pid2" -gt 0 ]
	kill -0 "$pid2"

	grep -qE 'control: [0-9]+ unknown bytes? ignored$' "$events"
	# Bounded: at most 64 KiB, plus the line that crossed the limit.
	size=$(wc -c < "$events")
	longest=$(awk '{ if (length($0) + 1 > m) m = length($0) + 1 }
		END { print m }' "$events")
	echo "events: $size bytes, longest line $longest" >&2
	[ "$size" -le $(( 65536 + longest )) ]
	# The bound was reached: the first lines have been dropped.
	! grep -q 'sid-supervise started$' "$events"
}

# events_bounded DIR: events is at most 64 KiB plus one line.
events_bounded() {
	[ "$(wc -c < "$1/supervise/events")" -le $(( 65536 + 1024 )) ]
}

@test "events is trimmed to its bound even when it starts far above it" {
	# As left by a supervisor that could not trim (disk full), or by
	# an older version: 300 KB of history.
	svc=$(make_service crash 'exit 1')
	conf "$svc" 'backoff-initial = 10ms' 'backoff-max = 10ms'
	mkdir "$svc/supervise"
	yes '1700000000.000 up -> backoff exit 1 (next start in 10ms) old' |
		head -n 5000 > "$svc/supervise/events"
	[ "$(wc -c < "$svc/supervise/events")" -gt 262144 ]
	start_supervise "$svc"
	# Every new line must bring it back under the bound.
	wait_for 5 field_ge "$svc" restarts 20
	wait_for 5 events_bounded "$svc"
	grep -q 'sid-supervise started$' "$svc/supervise/events"
}

# ---------------------------------------------------------------------
# Commands and conf keys with real processes

@test "down file: not started, want=down; u starts it" {
	svc=$(make_service lazy 'touch ran; exec sleep 1000')
	touch "$svc/down"
	start_supervise "$svc"
	field_is "$svc" state down
	field_is "$svc" want down
	field_is "$svc" pid 0
	[ ! -e "$svc/ran" ]
	grep -q ' down -> down sid-supervise started$' "$svc/supervise/events"

	ctl "$svc" u
	wait_for 5 field_is "$svc" state up
	field_is "$svc" want up
	wait_for 5 test -e "$svc/ran"
}

@test "o: runs once, the exit is not restarted" {
	svc=$(make_service once 'echo $$ >> runs
"$HELPERS/await" 10 test -e stop || exit 1
exit 3')
	conf "$svc" 'backoff-initial = 10ms'
	touch "$svc/down"
	start_supervise "$svc"
	ctl "$svc" o
	wait_for 5 field_is "$svc" state up
	field_is "$svc" want once

	touch "$svc/stop"
	wait_for 5 field_is "$svc" state down
	field_is "$svc" last_exit "exit 3"
	field_is "$svc" restarts 0
	lines "$svc/runs" 1
	[ "$(count "$svc" ' -> starting ')" -eq 1 ]
}

@test "restart = never: exit 1 is not restarted" {
	svc=$(make_service never 'echo $$ >> runs; exit 1')
	conf "$svc" 'restart = never' 'backoff-initial = 10ms'
	start_supervise "$svc"
	wait_for 5 field_is "$svc" last_exit "exit 1"
	wait_for 5 field_is "$svc" state down
	field_is "$svc" want up
	field_is "$svc" restarts 0
	lines "$svc/runs" 1
	[ "$(count "$svc" ' -> starting ')" -eq 1 ]
}

@test "restart = on-failure: exit 1 is restarted, exit 0 is not" {
	svc=$(make_service onfail 'n=$(( $(cat count 2>/dev/null || echo 0) + 1 ))
echo $n > count
[ $n -ge 2 ] && exit 0
exit 1')
	conf "$svc" 'restart = on-failure' 'backoff-initial = 10ms'
	start_supervise "$svc"
	wait_for 5 field_is "$svc" last_exit "exit 0"
	wait_for 5 field_is "$svc" state down
	field_is "$svc" restarts 1
	[ "$(cat "$svc/count")" -eq 2 ]
	[ "$(count "$svc" ' -> starting ')" -eq 2 ]
	grep -q ' -> backoff exit 1 (next start in 10ms)$' "$svc/supervise/events"
}

@test "max-restarts: failed with retry_cap; u clears it" {
	# Three crashes, then it stays up: with a cap of 2 the third crash
	# fails the service, and only u starts the fourth run.
	svc=$(make_service capped 'n=$(( $(cat count 2>/dev/null || echo 0) + 1 ))
echo $n > count
[ $n -le 3 ] && exit 1
exec sleep 1000')
	conf "$svc" 'max-restarts = 2/60s' 'backoff-initial = 10ms'
	start_supervise "$svc"
	wait_for 5 field_is "$svc" state failed
	field_is "$svc" error 'retry_cap: more than 2 restarts within 1m00s'
	field_is "$svc" restarts 2
	field_is "$svc" pid 0
	[ "$(cat "$svc/count")" -eq 3 ]

	ctl "$svc" u
	wait_for 5 field_is "$svc" state up
	field_is "$svc" error ""
	field_is "$svc" restarts 0
	[ "$(cat "$svc/count")" -eq 4 ]
}

@test "finish gets EXITCODE SIGNAL: 1 0 after exit 1, 256 15 after TERM" {
	svc=$(make_service fin 'n=$(( $(cat count 2>/dev/null || echo 0) + 1 ))
echo $n > count
[ $n -eq 1 ] && exit 1
exec sleep 1000')
	printf '#!/bin/sh\necho "$1 $2" >> finish.args\n' > "$svc/finish"
	chmod +x "$svc/finish"
	conf "$svc" 'backoff-initial = 10ms'
	start_supervise "$svc"
	wait_for 5 lines "$svc/finish.args" 1
	[ "$(cat "$svc/finish.args")" = "1 0" ]
	wait_for 5 eval '[ "$(cat "$svc/count")" -eq 2 ] &&
		field_is "$svc" state up'

	ctl "$svc" d
	wait_for 5 field_is "$svc" state down
	[ "$(cat "$svc/finish.args")" = "1 0
256 15" ]
	grep -q ' stopping -> finishing signal TERM$' "$svc/supervise/events"
}

@test "p and c: paused=yes and stopped or frozen, then paused=no and running" {
	svc=$(make_service pause 'exec sleep 1000')
	start_supervise "$svc"
	wait_for 5 field_is "$svc" state up
	pid=$(field "$svc" pid)
	field_is "$svc" paused no

	ctl "$svc" p
	wait_for 5 field_is "$svc" paused yes
	wait_for 5 paused "$pid"
	field_is "$svc" state up

	ctl "$svc" c
	wait_for 5 field_is "$svc" paused no
	wait_for 5 running "$pid"
	field_is "$svc" pid "$pid"
	[ "$(cat "$svc/supervise/pid")" = "$pid" ]
}

@test "./run stopped and continued from outside is no exit: same pid, still up, no transition" {
	svc=$(make_service stopped 'exec sleep 1000')
	start_supervise "$svc"
	wait_for 5 field_is "$svc" state up
	pid=$(field "$svc" pid)
	before=$(wc -l < "$svc/supervise/events")

	# After each change, u (a no-op while up, but a line in events)
	# makes sure the supervisor has turned its loop since.
	kill -STOP "$pid"
	wait_for 5 paused "$pid"
	ctl "$svc" u
	wait_for 5 eval '[ "$(grep -c "control: u\$" "$svc/supervise/events")" -eq 1 ]'
	kill -CONT "$pid"
	wait_for 5 running "$pid"
	ctl "$svc" u
	wait_for 5 eval '[ "$(grep -c "control: u\$" "$svc/supervise/events")" -eq 2 ]'

	field_is "$svc" state up
	field_is "$svc" pid "$pid"
	field_is "$svc" paused no
	field_is "$svc" attempt 1
	tail -n +"$(( before + 1 ))" "$svc/supervise/events" >&2
	[ "$(tail -n +"$(( before + 1 ))" "$svc/supervise/events" |
		grep -vc 'control: u$')" -eq 0 ]
	# And its real end is seen.
	kill -TERM "$pid"
	wait_for 5 new_pid_up "$svc" "$pid"
}

@test "a paused service whose child is killed starts again, not frozen" {
	svc=$(make_service frozen 'exec sleep 1000')
	conf "$svc" 'backoff-initial = 0'
	start_paused "$svc"

	kill -KILL "$pid"
	wait_for 5 new_pid_up "$svc" "$pid"
	running "$(field "$svc" pid)"
	# sid-supervise still answers: d stops the new instance.
	ctl "$svc" d
	wait_for 10 field_is "$svc" state down
}

@test "a cgroup left frozen and empty by a killed sid-supervise is thawed for the next one's ./run" {
	[ -n "$(cgroup_mount)" ] || skip "no writable cgroup v2 hierarchy here"
	svc=$(make_service leftfrozen 'exec sleep 1000')
	start_paused "$svc"
	[ -s "$svc/supervise/cgroup" ] || skip "the service has no cgroup here"
	cg=$(cat "$svc/supervise/cgroup")
	# Its sid-supervise and then its process die: SIGKILL goes through
	# the freeze, which stays.
	kill -KILL "${SUPERVISE_PIDS[-1]}"
	kill -KILL "$pid"
	wait_for 5 eval '[ -z "$(cat "$cg/cgroup.procs")" ]'
	[ "$(cat "$cg/cgroup.freeze")" = 1 ]

	start_supervise "$svc"
	wait_for 5 new_pid_up "$svc" "$pid"
	running "$(field "$svc" pid)"
	[ "$(cat "$cg/cgroup.freeze")" = 0 ]
}

@test "d stops a paused child at once: SIGCONT follows the stop signal" {
	svc=$(make_service paused 'exec sleep 1000')
	conf "$svc" 'stop-grace = 5s'
	start_paused "$svc"

	ctl "$svc" d
	wait_for 10 field_is "$svc" state down
	# TERM, not the SIGKILL of an expired stop-grace, ended it.
	field_is "$svc" last_exit "signal TERM"
	field_is "$svc" error ""
	field_is "$svc" paused no
}

@test "unknown conf key: failed, config_invalid naming file and line" {
	svc=$(make_service badconf 'touch ran; exec sleep 1000')
	conf "$svc" '# a comment' 'restart = always' 'bogus-key = 1'
	start_supervise "$svc"
	wait_for 5 field_is "$svc" state failed
	field_is "$svc" error \
		"config_invalid: $svc/conf:3: bogus-key: unknown key"
	field_is "$svc" pid 0
	[ ! -e "$svc/ran" ]
}

@test "r with a broken conf: the old instance is stopped, then failed" {
	svc=$(make_service rbroken "exec sh -c 'sleep 1000 & exec sleep 1000'")
	conf "$svc" 'stop-grace = 5s'
	start_supervise "$svc"
	wait_for 5 field_is "$svc" state up
	pgid=$(field "$svc" pid)
	wait_for 5 group_size "$pgid" 2

	conf "$svc" 'stop-grace = 5s' 'restart = sometimes'
	ctl "$svc" r
	wait_for 5 field_is "$svc" state failed
	field_is "$svc" error "config_invalid: $svc/conf:2: restart: must be always, on-failure or never"
	field_is "$svc" pid 0
	group_empty "$pgid"
}

@test "notes: commands that change no state and unknown bytes are recorded" {
	svc=$(make_service notes 'exec sleep 1000')
	start_supervise "$svc"
	wait_for 5 field_is "$svc" state up
	pid=$(field "$svc" pid)

	ctl "$svc" u
	ctl "$svc" ZZZ
	wait_for 5 grep -q ' up -> up control: 3 unknown bytes ignored$' \
		"$svc/supervise/events"
	grep -q ' up -> up control: u$' "$svc/supervise/events"
	field_is "$svc" pid "$pid"
	field_is "$svc" state up
}

@test "a second sid-supervise on the same directory exits 111" {
	svc=$(make_service locked 'exec sleep 1000')
	start_supervise "$svc"
	wait_for 5 field_is "$svc" state up
	pid=$(field "$svc" pid)

	run -111 timeout 10 sid-supervise "$svc" 3>&-
	[[ "$output" == *"already supervised"* ]]
	# The first one and its child are untouched.
	kill -0 "${SUPERVISE_PIDS[0]}"
	field_is "$svc" state up
	field_is "$svc" pid "$pid"
	kill -0 "$pid"
}

@test "SIGTERM to sid-supervise stops the child and exits 0" {
	svc=$(make_service term "exec sh -c 'sleep 1000 & exec sleep 1000'")
	start_supervise "$svc"
	spid=${SUPERVISE_PIDS[0]}
	wait_for 5 field_is "$svc" state up
	pgid=$(field "$svc" pid)
	wait_for 5 group_size "$pgid" 2

	kill -TERM "$spid"
	wait_for 10 exited "$spid"
	rc=0
	wait "$spid" || rc=$?
	[ "$rc" -eq 0 ]
	group_empty "$pgid"
	field_is "$svc" state down
	field_is "$svc" want down
	field_is "$svc" pid 0
}
