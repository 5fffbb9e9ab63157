#!/usr/bin/env bats
# sid-supervise at the edges: locks that other supervisors see, processes
# that try to outlive a stop, pause of a whole service, signals that fail,
# a run written in place, and a supervise/ that cannot be written.

load helper

setup_file() {
	export BATS_TEST_TIMEOUT=60
	if [ ! -x "$SID_ROOT/sid-supervise" ]; then
		echo "sid-supervise is not built: run make sid-supervise" >&2
		return 1
	fi
}

# holder FILE: hold an flock(2) on FILE in the background, as runsv and
# daemontools' supervise do; its pid goes into HOLDER.
hold_flock() {
	mkdir -p "$(dirname "$1")"
	# Blocking: a probe below may hold the lock for a moment.
	flock "$1" sleep 1000 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	HOLDER=$!
	wait_for 5 eval "! flock -n '$1' true"
}

teardown() {
	# A root child that its unprivileged supervisor cannot stop.
	[ -z "${EPERM_TOP:-}" ] || pkill -KILL -f "$EPERM_TOP/rootsleep" || true
	stop_supervisors
	if [ -n "${HOLDER:-}" ]; then
		pkill -P "$HOLDER" 2>/dev/null || true	# flock's sleep
		kill "$HOLDER" 2>/dev/null || true
	fi
	[ -z "${EPERM_TOP:-}" ] || rm -rf "$EPERM_TOP"
}

@test "sid-supervise refuses a directory whose lock another supervisor holds with flock" {
	command -v flock >/dev/null || skip "flock(1) is not installed"
	svc=$(service flocked 'exec sleep 1000')
	hold_flock "$svc/supervise/lock"

	run -111 --separate-stderr timeout 10 sid-supervise "$svc" 3>&-
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "sid-supervise: fatal: $svc is already supervised by "* ]]
	[[ $stderr == *"(pid $HOLDER)" ]]
	[ ! -e "$svc/supervise/status" ]
}

@test "a running sid-supervise holds its lock with flock too" {
	command -v flock >/dev/null || skip "flock(1) is not installed"
	svc=$(service flocks 'exec sleep 1000')
	start_supervise "$svc"
	run -1 flock -n "$svc/supervise/lock" true
	run -1 python3 -c 'import fcntl, sys
f = open(sys.argv[1], "a")
try:
    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
except OSError:
    sys.exit(1)' "$svc/supervise/lock"
}

@test "runsv does not start a second copy beside sid-supervise" {
	command -v runsv >/dev/null || skip "runit's runsv is not installed"
	svc=$(service beside 'exec sleep 1000')
	start_supervise "$svc"
	run -111 timeout 10 runsv "$svc" 3>&-
	field_is "$svc" state up
}

@test "sid-supervise refuses a directory that runsv supervises" {
	command -v runsv >/dev/null || skip "runit's runsv is not installed"
	svc=$(service underrunsv 'exec sleep 1000')
	runsv "$svc" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	HOLDER=$!
	wait_for 5 test -p "$svc/supervise/control"
	run -111 timeout 10 sid-supervise "$svc" 3>&-
	[[ $output == *"already supervised by runsv (pid $HOLDER)"* ]]
}

@test "sid-log and sid-svscan refuse a lock held with flock" {
	command -v flock >/dev/null || skip "flock(1) is not installed"
	mkdir -p "$BATS_TEST_TMPDIR/logdir"
	hold_flock "$BATS_TEST_TMPDIR/logdir/lock"
	run -111 --separate-stderr timeout 10 sid-log "$BATS_TEST_TMPDIR/logdir" </dev/null
	[[ $stderr == *"is already written by "*"(pid $HOLDER)" ]]
	pkill -P "$HOLDER"
	kill "$HOLDER" 2>/dev/null || true

	mkdir -p "$BATS_TEST_TMPDIR/scan"
	hold_flock "$BATS_TEST_TMPDIR/scan/.sid-svscan/lock"
	run -111 --separate-stderr timeout 10 sid-svscan "$BATS_TEST_TMPDIR/scan" 3>&-
	[[ $stderr == *"is already scanned by "*"(pid $HOLDER)" ]]
}

# gone PIDFILE: the process whose pid PIDFILE holds no longer exists.
gone() {
	local pid
	pid=$(cat "$1") || return 1
	! kill -0 "$pid" 2>/dev/null ||
		[ "$(ps -o stat= -p "$pid" | cut -c1)" = Z ]
}

# have_cgroup: sid-supervise can give services a cgroup here.
have_cgroup() {
	local m
	m=$(cgroup_mount)
	[ -n "$m" ] && [ -w "$m$(sed -n 's/^0:://p' /proc/self/cgroup)" ]
}

# A run that leaves a setsid child and a double-forked daemon behind.
ESCAPERS='setsid sh -c '\''echo $$ >survivor.pid; exec sleep 1000'\'' &
( setsid sh -c '\''echo $$ >daemon.pid; exec sleep 1000'\'' & )
exec sleep 1000'

@test "d leaves no survivor: not a setsid child, not a double-forked daemon" {
	svc=$(service escapers "$ESCAPERS")
	start_supervise "$svc"
	wait_for 5 eval "test -s '$svc/survivor.pid' && test -s '$svc/daemon.pid'"
	kill -0 "$(cat "$svc/survivor.pid")"
	kill -0 "$(cat "$svc/daemon.pid")"

	run -0 sid-ctl -w -d "$svc"
	gone "$svc/survivor.pid"
	gone "$svc/daemon.pid"
	field_is "$svc" state down
}

@test "a run that exits leaves no daemon behind, and the next start meets none" {
	# run exits once its daemon has said its pid, never before.
	svc=$(service leaver 'n=$(cat daemons 2>/dev/null | wc -l)
setsid sh -c '\''echo $$ >>daemons; exec sleep 1000'\'' &
"$HELPERS/await" 10 sh -c "[ \$(cat daemons 2>/dev/null | wc -l) -gt $n ]"' \
		'backoff-initial = 50ms')
	start_supervise "$svc"
	wait_for 10 eval "[ \$(cat '$svc/daemons' 2>/dev/null | wc -l) -ge 3 ]"
	sid-ctl -w -d "$svc"
	while read -r pid; do
		! kill -0 "$pid" 2>/dev/null ||
			[ "$(ps -o stat= -p "$pid" | cut -c1)" = Z ]
	done <"$svc/daemons"
	grep -q 'process group still running' "$svc/supervise/events"
}

@test "with cgroup v2, a service has a cgroup of its own, named in supervise/cgroup" {
	have_cgroup || skip "no writable cgroup v2 hierarchy here"
	svc=$(service cg "$ESCAPERS")
	start_supervise "$svc"
	wait_for 5 test -s "$svc/daemon.pid"
	cg=$(cat "$svc/supervise/cgroup")
	[[ $cg == "$(cgroup_mount)"*"/sid.cg."* ]]
	grep -qx "$(field "$svc" pid)" "$cg/cgroup.procs"
	grep -qx "$(cat "$svc/daemon.pid")" "$cg/cgroup.procs"
	grep -qx "$(cat "$svc/survivor.pid")" "$cg/cgroup.procs"

	sid-ctl -w -x "$svc"
	gone "$svc/daemon.pid"
	gone "$svc/survivor.pid"
	# The cgroup is removed with its sid-supervise.
	wait_for 5 eval "! test -d '$cg'"
}

@test "without a cgroup, the adopted descendants are stopped with the group" {
	have_cgroup || skip "no cgroup v2 hierarchy to hide"
	unshare --mount true 2>/dev/null || skip "unshare --mount is not permitted"
	svc=$(service nocg "$ESCAPERS")
	m=$(cgroup_mount)
	unshare --mount sh -c "mount -o remount,bind,ro '$m' && exec sid-supervise '$svc'" \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- >>"$BATS_TEST_TMPDIR/supervise.out" 2>&1 &
	SUPERVISE_PIDS+=("$!")
	wait_for 5 eval "test -s '$svc/survivor.pid' && test -s '$svc/daemon.pid'"
	[ ! -e "$svc/supervise/cgroup" ]

	run -0 sid-ctl -w -d "$svc"
	gone "$svc/survivor.pid"
	gone "$svc/daemon.pid"
}

@test "with cgroup v2, a stop's SIGCONT is there before the service acts on its stop-signal" {
	have_cgroup || skip "no writable cgroup v2 hierarchy here"
	svc=$(service contcheck 'exec "$HELPERS/contcheck" verdicts' \
		'stop-grace = 10s')
	start_supervise "$svc"
	[ -e "$(cat "$svc/supervise/cgroup")/cgroup.freeze" ] ||
		skip "no cgroup.freeze here (Linux before 5.2)"
	for ((round = 1; round <= 30; round++)); do
		run -0 sid-ctl -w -r "$svc"
		field_is "$svc" last_exit 'exit 0'
	done
	run -0 sid-ctl -w -d "$svc"
	# One line per stop: the SIGCONT never came after the SIGTERM was
	# acted on, however the two processes were scheduled.
	[ "$(grep -c . "$svc/verdicts")" -eq 31 ]
	run grep -v -x 'cont pending' "$svc/verdicts"
	[ -z "$output" ] || { echo "$output" >&2; false; }
}

@test "p pauses and c continues every process of the service" {
	svc=$(service pauseall 'sleep 1000 &
echo $! >child.pid
wait')
	start_supervise "$svc"
	wait_for 5 test -s "$svc/child.pid"
	pid=$(field "$svc" pid)
	child=$(cat "$svc/child.pid")

	sid-ctl -p "$svc"
	wait_for 5 field_is "$svc" paused yes
	wait_for 5 paused "$pid"
	wait_for 5 paused "$child"

	sid-ctl -c "$svc"
	wait_for 5 field_is "$svc" paused no
	wait_for 5 running "$pid"
	wait_for 5 running "$child"
}

@test "a run written in place starts once it is executable" {
	S="$BATS_TEST_TMPDIR/scan"
	mkdir -p "$S/x"
	sid-svscan "$S" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- \
		>>"$BATS_TEST_TMPDIR/svscan.out" 2>&1 &
	SUPERVISE_PIDS+=("$!")
	printf '#!/bin/sh\nexec sleep 1000\n' >"$S/x/run"
	wait_for 5 test -s "$S/x/supervise/status"
	wait_for 5 field_is "$S/x" state failed
	[[ $(field "$S/x" error) == run_not_executable:* ]]

	chmod +x "$S/x/run"
	wait_for 5 field_is "$S/x" state up
	field_is "$S/x" error ""
	[ "$(grep -c ' failed -> starting ' "$S/x/supervise/events")" -eq 1 ]
}

@test "a signal that fails with EPERM is signal_failed in status, and sid-ctl says so" {
	need_user
	top=$(mktemp -d /tmp/sid-eperm.XXXXXX)
	EPERM_TOP=$top
	chmod 755 "$top"
	cp "$HELPERS/rootsleep" "$top/rootsleep"
	chmod 4755 "$top/rootsleep"
	mkdir "$top/svc"
	printf '#!/bin/sh\nexec %s\n' "$top/rootsleep" >"$top/svc/run"
	printf 'stop-grace = 300ms\n' >"$top/svc/conf"
	chmod 755 "$top/svc/run"
	chown "$TEST_USER" "$top/svc"
	# setpriv itself, not the as_user function: $! must be the
	# supervisor, so that teardown stops it.
	setpriv --reuid "$TEST_USER" --regid "$TEST_USER" --clear-groups \
		sid-supervise "$top/svc" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- \
		>>"$BATS_TEST_TMPDIR/supervise.out" 2>&1 &
	SUPERVISE_PIDS+=("$!")
	wait_for 5 field_is "$top/svc" state up
	pid=$(field "$top/svc" pid)
	wait_for 5 eval "[ \"\$(ps -o ruid= -p $pid | tr -d ' ')\" = 0 ]"

	run -1 --separate-stderr as_user sid-ctl -t "$top/svc"
	[[ $stderr == *"signal_failed: SIGTERM to pid $pid: Operation not permitted"* ]]
	field_is "$top/svc" error \
		"signal_failed: SIGTERM to pid $pid: Operation not permitted"
	kill -0 "$pid"

	# A stop cannot signal it either: the status says why.
	as_user sid-ctl -d "$top/svc" || true
	wait_for 5 field_is "$top/svc" state stopping
	[[ $(field "$top/svc" error) == "signal_failed: SIG"*" to process group $pid: Operation not permitted" ]]
	kill -0 "$pid"
}

@test "with cgroup v2, a killed sid-supervise's daemons are stopped by the next one" {
	have_cgroup || skip "no writable cgroup v2 hierarchy here"
	svc=$(service orphaned "$ESCAPERS")
	start_supervise "$svc"
	wait_for 5 eval "test -s '$svc/survivor.pid' && test -s '$svc/daemon.pid'"
	old_pid=$(field "$svc" pid)
	mv "$svc/daemon.pid" "$svc/daemon.old"
	mv "$svc/survivor.pid" "$svc/survivor.old"
	kill -KILL "${SUPERVISE_PIDS[0]}"
	wait "${SUPERVISE_PIDS[0]}" 2>/dev/null || true
	SUPERVISE_PIDS=()
	kill -0 "$(cat "$svc/daemon.old")"
	# The leader goes too: only the cgroup still knows the daemons.
	echo "$old_pid" >"$svc/old.pid"
	kill -KILL "$old_pid"
	wait_for 5 gone "$svc/old.pid"

	start_supervise "$svc"
	wait_for 10 eval "test -s '$svc/daemon.pid'"
	wait_for 5 field_is "$svc" state up
	gone "$svc/daemon.old"
	gone "$svc/survivor.old"
}

@test "a newline in a service's path cannot forge a key of its status" {
	svc="$BATS_TEST_TMPDIR/w/x"$'\n'"state=up"
	mkdir -p "$svc"
	printf '#!/bin/sh\nexec sleep 1000\n' >"$svc/run"
	chmod +x "$svc/run"
	echo 'bogus = 1' >"$svc/conf"
	start_supervise "$svc"
	wait_for 5 field_is "$svc" state failed
	[ "$(grep -c '^state=' "$svc/supervise/status")" -eq 1 ]
	[[ $(field "$svc" error) == 'config_invalid: '*'/w/x\nstate=up/conf:1: bogus: unknown key' ]]
	run -3 --separate-stderr sid-ctl status "$svc"
	[[ $output == "failed: "* ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "sid-supervise takes -- before a directory that begins with -, and --help" {
	mkdir -p "$BATS_TEST_TMPDIR/svc"
	cd "$BATS_TEST_TMPDIR/svc"
	mkdir -- -dash
	printf '#!/bin/sh\nexec sleep 1000\n' >-dash/run
	chmod +x -- -dash/run
	run -64 --separate-stderr sid-supervise -dash
	[ "$stderr" = "sid-supervise: unknown option -dash
usage: sid-supervise [--] SVCDIR" ]
	sid-supervise -- -dash 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- \
		>>"$BATS_TEST_TMPDIR/supervise.out" 2>&1 &
	SUPERVISE_PIDS+=("$!")
	wait_for 5 field_is ./-dash state up
	run -0 --separate-stderr sid-supervise --help
	[ "${lines[0]}" = "usage: sid-supervise [--] SVCDIR" ]
	[ -z "$stderr" ]
}
