# sid-svscan in the background for the suites that run trees
# (test/svscan.bats, test/scan.bats, test/faults.bats): stop_svscan
# waits until test_procs, the processes working under $T, are gone; the
# suites keep SVSCAN_PIDS, and $SVSCAN_BIN may name another build.

# cwds: "PID CWD" for every process whose cwd can be read (not zombies).
cwds() {
	ls -l /proc/[0-9]*/cwd 2>/dev/null | awk '{
		i = index($0, " -> ")
		if (i == 0) next
		split(substr($0, 1, i - 1), f, "/")
		print f[3], substr($0, i + 4)
	}'
}

# test_procs [COMM]: the live processes (named COMM) working anywhere
# under $T, but not this shell.
test_procs() {
	local p
	for p in $(cwds | awk -v t="$T" -v me="$$" -v sh="$BASHPID" '{
		p = $1; sub(/^[0-9]+ /, ""); sub(/ \(deleted\)$/, "")
		if (p != me && p != sh && ($0 == t || index($0, t "/") == 1))
			print p
	}'); do
		[ -z "$1" ] || [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] &&
			echo "$p"
	done
}

no_test_procs() {
	[ -z "$(test_procs)" ]
}

# start_svscan DIR [ARG...]: run $SVSCAN_BIN (sid-svscan) on DIR in the
# background, stdout to $T/svscan.out and stderr to $T/svscan.err, and
# wait until it holds its control FIFO.  Sets SVSCAN_PID.
start_svscan() {
	local dir=$1
	shift
	"${SVSCAN_BIN:-sid-svscan}" "$@" "$dir" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- \
		>>"$T/svscan.out" 2>>"$T/svscan.err" &
	SVSCAN_PID=$!
	SVSCAN_PIDS+=("$SVSCAN_PID")
	wait_for 5 svscan_ready "$SVSCAN_PID"
}

# svscan_ready PID: PID has DIR/.sid-svscan/control open.
svscan_ready() {
	local fd
	kill -0 "$1" 2>/dev/null || {
		echo "sid-svscan $1 exited: $(cat "$T/svscan.err")" >&2
		return 2
	}
	for fd in /proc/"$1"/fd/*; do
		[[ $(readlink "$fd" 2>/dev/null) != */.sid-svscan/control ]] ||
			return 0
	done
	return 1
}

# stop_svscan: SIGTERM to every sid-svscan started here, and wait until
# it and every process of the test (sid-supervise, services) are gone.
# After 15 s, SIGKILL to what is left and to the process groups it leads.
stop_svscan() {
	local pid pgid own
	for pid in "${SVSCAN_PIDS[@]}"; do
		kill -CONT "$pid" 2>/dev/null || true
		kill -TERM "$pid" 2>/dev/null || true
	done
	if ! wait_for 15 no_test_procs 2>/dev/null; then
		echo "teardown: still running 15 s after SIGTERM:" >&2
		own=$(ps -o pgid= -p $$ | tr -d ' ')
		for pid in "${SVSCAN_PIDS[@]}" $(test_procs); do
			ps -o pid=,pgid=,args= -p "$pid" >&2 || true
			pgid=$(ps -o pgid= -p "$pid" | tr -d ' ')
			[ -z "$pgid" ] || [ "$pgid" = "$own" ] ||
				kill -KILL -- "-$pgid" 2>/dev/null || true
			kill -KILL "$pid" 2>/dev/null || true
		done
	fi
	for pid in "${SVSCAN_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	SVSCAN_PIDS=()
}
