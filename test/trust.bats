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
	flock -n "$1" sleep 1000 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	HOLDER=$!
	wait_for 5 eval "! flock -n '$1' true"
}

teardown() {
	stop_supervisors
	[ -z "${HOLDER:-}" ] || kill "$HOLDER" 2>/dev/null || true
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
	kill "$HOLDER"

	mkdir -p "$BATS_TEST_TMPDIR/scan"
	hold_flock "$BATS_TEST_TMPDIR/scan/.sid-svscan/lock"
	run -111 --separate-stderr timeout 10 sid-svscan "$BATS_TEST_TMPDIR/scan" 3>&-
	[[ $stderr == *"is already scanned by "*"(pid $HOLDER)" ]]
}
